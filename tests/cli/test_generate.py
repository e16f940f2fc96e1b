#!/usr/bin/env python3
"""CLI tests for `copylab generate`, `runs`, `variants` and `providers`
against tests/mock_openai.py: streaming and not, 429/500 retries, retries
exhausted, dropped connections, malformed replies, a trickling server, Ctrl-C
and kill -9 mid-run, the cache, redaction of customer data, offline
determinism, and an API key that never shows up anywhere."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

COPYLAB = os.environ["COPYLAB"]
TOP = os.environ["COPYLAB_TOP"]
TMP = os.environ.get("TEST_TMP") or "/tmp"
KEY = "sk-test-SECRET-9f8e7d6c5b4a39281706"
DB = os.path.join(TMP, "gen.db")
failures = []
outputs = []          # every stdout/stderr we saw, to look for the key


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


def start_mock():
    env = dict(os.environ, MOCK_API_KEY=KEY)
    p = subprocess.Popen([sys.executable, os.path.join(TOP, "tests", "mock_openai.py"), "--port", "0"],
                         stdout=subprocess.PIPE, env=env, text=True)
    port = int(p.stdout.readline())
    return p, port


def stats(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats", timeout=5) as r:
        return json.loads(r.read())


def run(*args, env=None, expect=None, timeout=60):
    e = dict(ENV, **(env or {}))
    p = subprocess.run([COPYLAB, "--db", DB] + list(args), capture_output=True, text=True,
                       env=e, timeout=timeout)
    outputs.append(p.stdout + p.stderr)
    if expect is not None and p.returncode != expect:
        check(False, f"{' '.join(args)}: exit {p.returncode}, wanted {expect}\n{p.stdout}\n{p.stderr}")
    return p


def gen_json(*args, expect=0, env=None):
    p = run("generate", *args, "--json", env=env, expect=expect)
    try:
        return json.loads(p.stdout), p
    except ValueError:
        check(False, f"generate {args}: not JSON: {p.stdout!r} {p.stderr!r}")
        return {"variants": []}, p


def variants(run_id):
    p = run("variants", str(run_id), "--json", expect=0)
    return json.loads(p.stdout)


def runs():
    return json.loads(run("runs", "--json", expect=0).stdout)["runs"]


mock, port = start_mock()
cfgdir = os.path.join(TMP, "xdg")
os.makedirs(os.path.join(cfgdir, "copylab"), exist_ok=True)
base = f"http://127.0.0.1:{port}/v1"
with open(os.path.join(cfgdir, "copylab", "config.json"), "w") as f:
    json.dump({"default": "mock", "providers": {
        "mock": {"type": "openai", "base_url": base, "model": "mock-model",
                 "api_key_env": "OPENAI_API_KEY", "price_in": 0.15, "price_out": 0.6,
                 "retry_base_ms": 50, "max_retries": 2, "timeout_s": 5},
        "slow": {"type": "openai", "base_url": base, "model": "mock-model",
                 "api_key_env": "OPENAI_API_KEY", "timeout_s": 1, "max_retries": 0},
        "dead": {"type": "openai", "base_url": "http://127.0.0.1:1/v1", "model": "m",
                 "api_key_env": "OPENAI_API_KEY", "max_retries": 0}}}, f)
ENV = dict(os.environ, XDG_CONFIG_HOME=cfgdir, OPENAI_API_KEY=KEY)
ENV.pop("COPYLAB_PROVIDER", None)

try:
    # A workspace with sample-like customers (the first rows of the bundled CSV).
    run("info", expect=1)                       # no workspace yet
    gen_json("--prompt-text", "warm up", "--provider", "offline")
    import csv
    with open(os.path.join(TOP, "sample-data", "data", "customers.csv"), newline="") as f:
        rows = list(csv.DictReader(f))[:4]
    con = sqlite3.connect(DB)
    con.execute("CREATE TABLE customers(id INTEGER, name TEXT, email TEXT, phone TEXT, city TEXT, language TEXT)")
    for r in rows:
        con.execute("INSERT INTO customers VALUES(?,?,?,?,?,?)",
                    (int(r["id"]), r["name"], r["email"], r["phone"], r["city"], r["language"]))
    con.execute("INSERT INTO cl_personal_columns VALUES('customers', 'name')")
    con.commit()
    con.close()
    tmpl = os.path.join(TMP, "note.tmpl")
    with open(tmpl, "w") as f:
        f.write("---\nname: note\nchannel: email\nlanguage: en\nfields: subject, body\n---\n"
                "Write to {{product.name}} <{{product.email}}>, tel {{product.phone}}, in {{product.city}}.\n")
    bad = os.path.join(TMP, "bad.tmpl")
    with open(bad, "w") as f:
        f.write("---\nname: bad\nchannel: email\nfields: subject, body\n---\nAnswer oddly [mock:malformed]\n")

    # 1. Streaming, with redaction of the bound customer before sending.
    out, _ = gen_json("--template", tmpl, "--row", "customers:1", "-n", "3")
    check(list(out.keys()) == ["run_id", "provider", "model", "variants"], f"top-level keys {list(out)}")
    check(out["provider"] == "mock" and out["model"] == "mock-model", f"provider/model {out}")
    check(len(out["variants"]) == 3, "3 variants")
    for v in out["variants"]:
        check(list(v.keys()) == ["id", "fields", "text", "tokens_in", "tokens_out", "latency_ms",
                                 "cached", "error"], f"variant keys {list(v)}")
        check(v["error"] is None and v["cached"] is False, f"variant ok {v}")
        check("subject" in v["fields"] and "body" in v["fields"], f"fields {v['fields']}")
        check(v["tokens_in"] > 0 and v["tokens_out"] > 0, "tokens")
        check(v["text"].strip().startswith("{"), "text is the whole reply")
    log = json.dumps(stats(port)["log"], ensure_ascii=False)
    c1 = rows[0]
    for secret in (c1["email"], c1["phone"], c1["name"]):
        check(secret not in log, f"customer value {secret!r} reached the server")
    check("[redacted email]" in log, "email label sent instead")
    last = stats(port)["log"][-1]["body"]
    check(last.get("stream") is True and last.get("n") == 1 and last.get("max_tokens"),
          f"stream/n/max_tokens in request: {last}")
    check(last.get("response_format") == {"type": "json_object"}, "json_object asked for")

    # 2. The cache: the same command again is answered without the server.
    before = stats(port)["requests"]
    out2, _ = gen_json("--template", tmpl, "--row", "customers:1", "-n", "3")
    check(stats(port)["requests"] == before, "cache hit made no request")
    check(all(v["cached"] for v in out2["variants"]), "variants marked cached")
    check([v["text"] for v in out2["variants"]] == [v["text"] for v in out["variants"]], "cached text same")
    out3, _ = gen_json("--template", tmpl, "--row", "customers:1", "-n", "1", "--no-cache")
    check(stats(port)["requests"] == before + 1 and not out3["variants"][0]["cached"], "--no-cache asks")
    # --no-redact sends the real value.
    gen_json("--template", tmpl, "--row", "customers:2", "-n", "1", "--no-redact", "--no-cache")
    check(rows[1]["email"] in json.dumps(stats(port)["log"][-1], ensure_ascii=False), "--no-redact")

    # 3. Not streaming.
    out, _ = gen_json("--prompt-text", "plain please [mock:id=ns]", "--no-stream")
    check(stats(port)["log"][-1]["body"].get("stream") is None, "no stream member")
    v = out["variants"][0]
    check(list(v["fields"].keys()) == ["text"] and v["fields"]["text"] == v["text"], "prompt text: one field")
    check("新品上市" in v["text"], "UTF-8 reply intact")

    # 4. 429 with Retry-After, then success.
    t0 = time.time()
    out, p = gen_json("--prompt-text", "x [mock:status=429,retry_after=1,times=1]")
    check(out["variants"][0]["error"] is None, f"429 then ok: {out}")
    check(time.time() - t0 >= 1.0, "Retry-After honoured")
    check("retrying" in p.stderr, "retry reported on stderr")
    # 5. 500 then success.
    out, _ = gen_json("--prompt-text", "x [mock:status=500,times=1]")
    check(out["variants"][0]["error"] is None, "500 then ok")
    # 6. Retries exhausted: clear error, failed variant saved.
    out, p = gen_json("--prompt-text", "x [mock:status=500]", expect=1)
    err = out["variants"][0]["error"] or ""
    check("HTTP 500" in err and "mock failure 500" in err, f"server message shown: {err}")
    check(out["variants"][0]["fields"] == {}, f"a failed variant has no fields: {out}")
    saved = variants(out["run_id"])
    check(len(saved["variants"]) == 1 and saved["variants"][0]["error"], "failed variant saved")
    check(saved["status"] == "failed", "run failed")
    # 7. Connection dropped mid-stream: retried; always dropped: an error.
    out, _ = gen_json("--prompt-text", "x [mock:drop,times=1]")
    check(out["variants"][0]["error"] is None, "drop then ok")
    out, _ = gen_json("--prompt-text", "x [mock:drop]", expect=1)
    check(out["variants"][0]["error"], "always dropped: error")
    # 8. Malformed JSON kept raw.
    out, _ = gen_json("--template", bad, "-n", "1")
    saved = variants(out["run_id"])["variants"][0]
    check(saved["parse_ok"] is False and saved["error"] is None, f"malformed kept: {saved}")
    check("Sure! Here is your copy" in saved["text"], "raw text kept")
    # 9. A trickling server hits the timeout.
    t0 = time.time()
    out, _ = gen_json("--prompt-text", "x [mock:trickle]", "--provider", "slow", expect=1)
    check("timed out" in (out["variants"][0]["error"] or ""), f"trickle timeout: {out}")
    check(time.time() - t0 < 5, "timeout bounded")

    # 10. Ctrl-C mid-run keeps finished variants.
    def start_bg(tag):
        return subprocess.Popen([COPYLAB, "--db", DB, "generate", "--prompt-text",
                                 f"x [mock:slow_after=1,slow_ms=10000,id={tag}]", "-n", "3",
                                 "--concurrency", "3", "--json"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=ENV)

    def wait_one_variant(after):
        for _ in range(200):
            r = runs()[0]
            if r["id"] > after and r["n_variants"] >= 1:
                return r
            time.sleep(0.05)
        return runs()[0]

    last_id = runs()[0]["id"]
    bg = start_bg("int")
    r = wait_one_variant(last_id)
    bg.send_signal(signal.SIGINT)
    so, se = bg.communicate(timeout=10)
    outputs.append(so + se)
    check(bg.returncode == 130, f"Ctrl-C exit {bg.returncode}")
    got = json.loads(so)
    check(len(got["variants"]) == 1, f"finished variant printed: {got}")
    check(runs()[0]["status"] == "cancelled" and runs()[0]["n_variants"] == 1, f"cancelled: {runs()[0]}")
    # 11. kill -9 mid-run: the finished variant survives, the run reads interrupted.
    last_id = runs()[0]["id"]
    bg = start_bg("kill")
    r = wait_one_variant(last_id)
    bg.kill()
    bg.communicate(timeout=10)
    r = runs()[0]
    check(r["status"] == "interrupted" and r["n_variants"] == 1, f"interrupted: {r}")

    # 12. Offline: deterministic, varied, labelled, never redacted or cached.
    zh = os.path.join(TMP, "zh.tmpl")
    with open(zh, "w") as f:
        f.write("---\nname: zh-sms\nchannel: sms\nlanguage: zh\nfields: text\n---\n"
                "给{{product.name}}写一条中秋短信，提到{{offer}}。\n")
    for t in (tmpl, zh):
        args = ["--template", t, "--row", "customers:3", "--provider", "offline", "-n", "5",
                "--var", "offer=free delivery"]
        a, p = gen_json(*args)
        b, _ = gen_json(*args)
        check(a["provider"] == "offline", "offline label")
        if t == zh:
            check(any("\u4e00" <= ch <= "\u9fff" for v in a["variants"] for ch in v["text"]),
                  "Chinese copy")
        fa = [json.dumps(v["fields"], ensure_ascii=False) for v in a["variants"]]
        fb = [json.dumps(v["fields"], ensure_ascii=False) for v in b["variants"]]
        check(fa == fb, f"offline deterministic ({t})")
        check(len(set(fa)) == len(fa), f"offline variants differ ({t})")
    a, _ = gen_json("--prompt-text", "一句中秋文案", "--provider", "offline", "-n", "3")
    check(a["provider"] == "offline" and len(a["variants"]) == 3, "offline prompt text")

    # 13. runs / variants / providers.
    p = run("runs", expect=0)
    check("interrupted" in p.stdout and "cancelled" in p.stdout, "runs table")
    rs = runs()
    check(all(k in rs[0] for k in ("id", "status", "provider", "model", "tokens_in", "cost")), "runs keys")
    p = run("providers", "--json", expect=0)
    pj = json.loads(p.stdout)
    names = [x["name"] for x in pj["providers"]]
    check(pj["default"] == "mock" and "offline" in names and "mock" in names, f"providers {pj}")
    check(KEY not in p.stdout, "providers hides the key")
    p = run("providers", "--check", "--json", expect=1)
    pj = json.loads(p.stdout)
    by = {x["name"]: x["check"] for x in pj["providers"]}
    check(by["mock"]["ok"] and by["offline"]["ok"], f"check ok: {by}")
    check(not by["dead"]["ok"] and by["dead"]["error"], "dead provider fails the check")
    check(stats(port)["log"][-1]["body"].get("max_tokens") == 1, "check is a one-token completion")
    # Offline runs never reached the server (nothing of customer 3 was sent).
    check(rows[2]["email"] not in json.dumps(stats(port)["log"], ensure_ascii=False), "offline stays local")

    # 14. Verbose logs mask the key; the key is nowhere.
    p = run("-v", "generate", "--prompt-text", "x [mock:auth]", "--no-cache", expect=0)
    check("sk-…" in p.stderr, "verbose log shows the key masked")
    check("Authorization" in p.stderr, "verbose log shows the headers")
    for o in outputs:
        check(KEY not in o and "SECRET" not in o, "key in output")
    con = sqlite3.connect(DB)
    con.execute("PRAGMA wal_checkpoint(FULL)")
    con.close()
    for suffix in ("", "-wal", "-shm"):
        fp = DB + suffix
        if os.path.exists(fp):
            with open(fp, "rb") as f:
                check(b"SECRET" not in f.read(), f"key in {fp}")
    # A server that cut a long prompt is noticed in the verbose log.
    p = run("-v", "generate", "--prompt-text", "long " * 400 + "[mock:cut=20]", "--no-cache", expect=0)
    check("may have cut the prompt" in p.stderr, "prompt-cut warning")
    # Usage errors.
    run("generate", expect=2)
    run("generate", "--prompt-text", "x", "--template", "y", expect=2)
    p = run("generate", "--prompt-text", "x", "--provider", "nope", expect=1)
    check("no provider named 'nope'" in p.stderr, "unknown provider named")
finally:
    mock.terminate()
    mock.wait()

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all generate CLI checks passed")
