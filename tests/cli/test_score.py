#!/usr/bin/env python3
"""copylab score / predictor / eval / judge / calibrate, end to end.

Uses $COPYLAB (the ASan build), $COPYLAB_TOP and $TEST_TMP. The LLM judge is
exercised against a tiny judge server started here on a loopback port; it
always prefers the copy shown first, so the position-swapped pairwise mode
must report a tie with position bias.
"""
import json
import os
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COPYLAB = os.environ["COPYLAB"]
TOP = os.environ["COPYLAB_TOP"]
TMP = os.environ.get("TEST_TMP", "/tmp")
failures = []


def run(*args, db=None, env=None, ok=True, stdin=None):
    cmd = [COPYLAB] + (["--db", db] if db else []) + list(args)
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(cmd, capture_output=True, text=True, env=e, input=stdin, cwd=TMP)
    if ok and p.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    else:
        print("ok:", what)


def scores_of(out):
    d = json.loads(out)
    return d, {s["scorer"]: s for s in d["scores"]}


# --- score without a workspace ---------------------------------------------
d, s = scores_of(run("score", "全网最低价，第一品牌！立即购买", "--channel", "sms", "--json").stdout)
check(d["lang"] == "zh" and d["channel"] == "sms", "score detects Chinese, keeps the channel")
hits = s["compliance"]["detail"]["hits"]
check([(h["quote"], h["pos"]) for h in hits] == [("最低价", 2), ("第一品牌", 6)],
      "compliance hits quoted with their positions")
check(abs(s["compliance"]["value"] - 0.2) < 1e-9, "compliance value 1 - 2*0.4")
check(0 <= d["composite"] <= 1 and "brand" not in s, "composite in [0,1]; no brand without one")

d, s = scores_of(run("score", "-", "--channel", "sms", "--json", stdin="好" * 71 + "\n").stdout)
check(s["channel_fit"]["detail"]["hard_violation"] is True, "71 Chinese characters break the SMS limit")

p = run("score", "The best tea, guaranteed to cure colds.")
check("compliance" in p.stdout and '"cure"@28' in p.stdout, "table output names compliance hits")
p = run("score", "x", "--channel", "fax", ok=False)
check(p.returncode == 2 and "unknown channel" in p.stderr, "unknown channel is a usage error")

brand = os.path.join(TMP, "brand.json")
with open(brand, "w") as f:
    json.dump({"name": "Shanlan", "required_terms": ["Shanlan"], "banned_terms": ["cheap"],
               "tone_words": ["calm"]}, f)
d, s = scores_of(run("score", "Shanlan: calm tea, never cheap", "--brand", brand, "--json").stdout)
check(abs(s["brand"]["value"] - 0.5) < 1e-9 and s["brand"]["detail"]["banned_found"][0]["pos"] == 25,
      "brand: banned term halves the score and is located")

d, _ = scores_of(run("score", "Shop now", "--weights", "cta=10", "--json").stdout)
check(abs(next(x for x in d["scores"] if x["scorer"] == "cta")["weight"] - 10) < 1e-9,
      "--weights overrides a scorer's weight")

p = run("score", "Utilize our synergies to leverage value", "--plugins", "--json",
        env={"COPYLAB_PLUGIN_PATH": os.path.join(TOP, "plugins/examples")})
d, s = scores_of(p.stdout)
check("jargon" in s and "compliance" in s, "--plugins adds a plugin's scorer beside the built-ins")

batch = os.path.join(TMP, "batch.txt")
with open(batch, "w") as f:
    f.write("Shop now\n春茶上新\\n立即购买\nTea\n")
p = run("score", "--batch", batch, "--summary", "--json")
check(json.loads(p.stdout)["count"] == 3, "--batch scores one text a line")
with open(batch, "wb") as f:
    f.write(b"Shop now\r\n\n  \nTea\n")
p = run("score", "--batch", batch, "--summary", "--json")
check(json.loads(p.stdout)["count"] == 2 and "2 empty lines skipped" in p.stderr,
      "--batch skips empty lines and says so: " + p.stderr)
with open(batch, "wb") as f:
    f.write(b"Shop now\nbad \xff here\n")
p = run("score", "--batch", batch, ok=False)
check(p.returncode == 1 and "batch.txt:2: invalid UTF-8 at byte 5 (0xff)" in p.stderr,
      "--batch names the line of bad UTF-8: " + p.stderr)

with open(batch, "w") as f:
    f.write("Line one\\nline two\nBack\\\\slash\n")
p = run("score", "--batch", batch)
lines = p.stdout.splitlines()
check(len(lines) == 2 and lines[0].endswith("\tLine one\\nline two") and lines[1].endswith("\tBack\\\\slash"),
      "--batch prints one line per text, escapes as read: %r" % p.stdout)

with open(batch, "wb") as f:
    f.write(b"Shop now\nTea\x00time\nLast\n")
p = run("score", "--batch", batch, ok=False)
check(p.returncode == 1 and "batch.txt:2: a NUL byte" in p.stderr, "--batch names a NUL byte's line: " + p.stderr)

# empty text, bad bytes, an option without its value
p = run("score", "", ok=False)
check(p.returncode == 1 and "nothing to score" in p.stderr, "empty text is refused: " + p.stderr)
p = run("judge", " ", ok=False)
check(p.returncode == 1 and "nothing to judge" in p.stderr, "judge refuses an empty text")
p = run("score", "-", stdin=" \n", ok=False)
check(p.returncode == 1 and "nothing to score" in p.stderr, "blank standard input is refused")
p = subprocess.run([COPYLAB, "score", "-"], input=b"ok \xe4\xb8", capture_output=True, cwd=TMP)
check(p.returncode == 1 and b"standard input: invalid UTF-8 at byte 4" in p.stderr,
      "bad UTF-8 on stdin named with its byte: %r" % p.stderr)
p = run("score", "--fields", '{"subject": 3}', ok=False)
check(p.returncode == 2 and '"subject" is not a string' in p.stderr, "--fields names a non-string field")
p = run("score", "--fields", '{"subject": " "}', ok=False)
check(p.returncode == 1 and "nothing to score" in p.stderr, "--fields with only empty fields is refused")
p = run("score", "Buy now", "--channel", ok=False)
check(p.returncode == 2 and "--channel needs a value" in p.stderr, "missing option value named")
p = run("score", "Order today and save 10%!!! FREE", "--channel", "email")
check('found "Order today"' in p.stdout and 'spam words "Order today", "FREE"' in p.stdout
      and not any(l.endswith(" ") for l in p.stdout.splitlines()),
      "table output says why, without trailing spaces:\n" + p.stdout)

# --- a workspace with the sample campaigns --------------------------------
db = os.path.join(TMP, "score.db")
run("import", os.path.join(TOP, "sample-data/data/campaigns.csv"), "--table", "campaigns", db=db,
    env={})
run("import", os.path.join(TOP, "sample-data/data/products.csv"), "--table", "products", db=db)
p = run("predictor", "train", "--json", db=db)
m = json.loads(p.stdout)
check(m["n"] >= 100 and m["beats_baseline"] and m["cv_spearman_ci_low"] > 0,
      f"predictor beats the constant baseline on held-out campaigns (rho {m['cv_spearman']})")
p = run("predictor", "predict", "Spring Longjing: 20% off this week. Shop now", "--channel", "email",
        "--json", db=db)
pr = json.loads(p.stdout)
check(0 < pr["predicted_ctr"] < 1 and "cv_spearman" in pr["validation"],
      "a prediction always carries its validation figure")
d, s = scores_of(run("score", "Dongting Biluochun 30% off", "--json", db=db).stdout)
check("predicted" in s and "cv_spearman" in s["predicted"]["detail"], "score uses the workspace model")
check(s["claims"]["detail"]["unbacked"] == 1 and s["claims"]["detail"]["claims"][0]["expected"] == 10,
      "claims: 30% off named against the catalogue's 10%")

small = os.path.join(TMP, "small.db")
run("import", os.path.join(TOP, "sample-data/data/campaigns.csv"), "--table", "campaigns", db=small)
con = sqlite3.connect(small)
con.execute("DELETE FROM campaigns WHERE id > 8")
con.commit()
con.close()
p = run("predictor", "train", db=small, ok=False)
check(p.returncode == 1 and "too little history" in p.stderr, "too little history is said, not guessed")

# --- eval a generated run, with the judge under offline ------------------
run("generate", "--prompt-text", "Write an SMS about spring tea", "-n", "4", "--json", db=db)
p = run("eval", "1", "--judge", "--json", db=db)
ev = json.loads(p.stdout)
check(ev["judge"]["fallback"] is True and ev["judge"]["provider"] == "offline",
      "eval --judge under offline falls back and says so")
check(len(ev["variants"]) == 4 and len(ev["ranking"]) == 4, "eval scores and ranks every variant")
j = next(x for x in ev["variants"][0]["scores"] if x["scorer"] == "judge")
check(j["detail"]["fallback"] is True and "offline" in j["detail"]["note"], "judge detail says fallback")
p = run("eval", "1", db=db, env={"LANG": "C.UTF-8", "LC_ALL": ""})
rows = p.stdout.splitlines()[p.stdout.splitlines().index(next(l for l in p.stdout.splitlines()
                                                             if l.startswith("rank")))+1:]
check(len(rows) == 4 and all(len(r.split()) > 4 and r.split()[3] in "ABCD" for r in rows),
      "eval table shows each variant's letter and copy:\n" + p.stdout)
p = run("eval", "1", db=db, env={"LANG": "C", "LC_ALL": ""})
check(all(ord(ch) < 128 for l in p.stdout.splitlines() if l[:4].strip().isdigit()
          for ch in l.split("  ")[0]) and "\u2026" not in p.stdout, "eval under LANG=C cuts with ...")
con = sqlite3.connect(db)
n = con.execute("SELECT count(DISTINCT variant_id) FROM cl_scores WHERE scorer='composite'").fetchone()[0]
check(n == 4, "eval stores scores in cl_scores")

# --- calibrate: arms linked to scored variants, rates in composite order ----
vids = [r[0] for r in con.execute(
    "SELECT variant_id FROM cl_scores WHERE scorer='composite' ORDER BY value")]
con.execute("INSERT INTO cl_experiments(id, name, run_id) VALUES(1, 'calib-test', 1)")
for k, v in enumerate(vids):
    con.execute("INSERT INTO cl_arms(id, experiment_id, name, variant_id) VALUES(?,1,?,?)",
                (k + 1, f"arm{k}", v))
    con.execute("INSERT INTO cl_results(arm_id, day, n, conversions) VALUES(?, '2026-11-01', 1000, ?)",
                (k + 1, 20 + 10 * k))
con.commit()
con.close()
p = run("calibrate", "--json", db=db)
cal = json.loads(p.stdout)
comp = next(x for x in cal["scorers"] if x["scorer"] == "composite")
check(cal["arms"] == 4 and comp["n"] == 4 and abs(comp["rho"] - 1) < 1e-9,
      "calibrate: composite ranks the arms exactly (rho 1)")
check(comp["ci_low"] is not None and "verdict" in comp, "calibrate reports an interval and a verdict")
p = run("calibrate", db=db)
check("composite" in p.stdout and "rho" in p.stdout, "calibrate prints a table")

# --- the LLM judge against a judge server that prefers position A ---------
class Judge(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        user = body["messages"][-1]["content"]
        if "Copy A:" in user:
            content = json.dumps({"winner": "A", "rationale": "the first one reads better"})
        elif "UNWRAPPED" in user:
            crit = ["clarity", "persuasion", "brand_voice", "channel_fit", "compliance"]
            content = "Here you go:\n```json\n" + json.dumps({c: {"score": 10, "reason": "fine"} for c in crit}) + "\n```"
        elif "NOJSON" in user:
            content = "I think it is quite good."
        else:
            crit = ["clarity", "persuasion", "brand_voice", "channel_fit", "compliance"]
            content = json.dumps({"scores": {c: 8 for c in crit}, "rationale": "clear and concrete"})
        if body.get("stream"):
            chunk = {"choices": [{"delta": {"content": content}, "finish_reason": None}]}
            data = f"data: {json.dumps(chunk)}\n\ndata: {json.dumps({'choices': [{'delta': {}, 'finish_reason': 'stop'}]})}\n\ndata: [DONE]\n\n"
            ctype = "text/event-stream"
        else:
            data = json.dumps({"choices": [{"message": {"role": "assistant", "content": content},
                                            "finish_reason": "stop"}],
                               "usage": {"prompt_tokens": 10, "completion_tokens": 10}})
            ctype = "application/json"
        raw = data.encode()
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


srv = ThreadingHTTPServer(("127.0.0.1", 0), Judge)
threading.Thread(target=srv.serve_forever, daemon=True).start()
cfgdir = os.path.join(TMP, "xdg")
os.makedirs(os.path.join(cfgdir, "copylab"), exist_ok=True)
with open(os.path.join(cfgdir, "copylab", "config.json"), "w") as f:
    json.dump({"providers": {"judgemock": {"type": "openai",
                                           "base_url": f"http://127.0.0.1:{srv.server_address[1]}/v1",
                                           "model": "judge-1", "api_key_env": "JUDGE_MOCK_KEY",
                                           "max_retries": 0}}}, f)
jenv = {"XDG_CONFIG_HOME": cfgdir, "JUDGE_MOCK_KEY": "k-test"}
p = run("judge", "Spring tea, 20% off. Shop now", "--provider", "judgemock", "--json", env=jenv)
g = json.loads(p.stdout)
check(abs(g["value"] - 7 / 9) < 1e-3 and g["detail"]["criteria"]["clarity"] == 8,
      "judge grades by rubric: all 8/10 -> (8-1)/9")
p = run("judge", "UNWRAPPED copy", "--provider", "judgemock", "--json", env=jenv)
check(abs(json.loads(p.stdout)["value"] - 1) < 1e-9, "judge reads fenced, unwrapped per-criterion replies")
p = run("judge", "NOJSON copy", "--provider", "judgemock", env=jenv, ok=False)
check(p.returncode == 1 and "no JSON object" in p.stderr, "a reply without JSON is a clear error")
p = run("judge", "Copy one", "Copy two", "--provider", "judgemock", "--json", env=jenv)
pw = json.loads(p.stdout)
check(pw["winner"] == "tie" and pw["consistent"] is False,
      "pairwise with positions swapped cancels a position-biased judge")
p = run("judge", "Copy one", "Copy two", "--json")
check(json.loads(p.stdout)["fallback"] is True, "pairwise under offline falls back")
srv.shutdown()

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
