#!/usr/bin/env python3
"""test_report.py — `copylab report`: HTML and Markdown reports of a run with
scores and an A/B test. Checks the HTML is well formed (strict tag balance),
holds the run's figures (variant composites, arm rates, verdict), and never
an API key, a raw e-mail or phone number, or the bound customer's name; then
opens it in headless Chromium and asserts a non-empty screenshot with no
console errors (skipped with a message when chromium is not installed)."""
import html.parser
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

C = os.environ["COPYLAB"]
T = os.environ.get("TEST_TMP") or tempfile.mkdtemp()
DB = os.path.join(T, "w.db")
KEY = "sk-test-SECRET-4f9a1c"
fails = []


def fail(msg):
    fails.append(msg)
    print("FAIL:", msg)


def run(*args, ok=True, env_extra=None):
    env = dict(os.environ)
    env["OPENAI_API_KEY"] = KEY
    env["COPYLAB_NO_PLUGINS"] = "1"
    if env_extra:
        env.update(env_extra)
    p = subprocess.run([C, "--db", DB, *args], capture_output=True, text=True, env=env)
    if ok and p.returncode != 0:
        fail(f"copylab {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return p


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Balance(html.parser.HTMLParser):
    """Every non-void element closed, in order; nothing after </html>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            self.errors.append(f"end tag for void <{tag}>")
        elif not self.stack:
            self.errors.append(f"stray </{tag}>")
        elif self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1]}> at {self.getpos()}")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_html(path):
    text = open(path, encoding="utf-8").read()
    if not text.startswith("<!DOCTYPE html>"):
        fail(f"{path}: no doctype")
    b = Balance()
    b.feed(text)
    b.close()
    for e in b.errors:
        fail(f"{path}: {e}")
    if b.stack:
        fail(f"{path}: unclosed {b.stack}")
    for t in ("script", "iframe", "img", "link"):
        if t in b.tags:
            fail(f"{path}: <{t}> found: a report is self-contained and inert")
    if "http://" in text.replace('xmlns="http://www.w3.org/2000/svg"', "") or "https://" in text:
        fail(f"{path}: refers to the network")
    return text, "".join(b.text)


def secrets_absent(path, text, personal):
    if KEY in text or "SECRET" in text:
        fail(f"{path}: holds the API key")
    for v in personal:
        if v and v in text:
            fail(f"{path}: holds personal value {v!r}")


# --- a workspace: the demo (sample customers, 3 rounds, A/B test) and one
#     offline run bound to a customer, scored, with imported results.
run("demo", "prepare", "--db", DB)
con = sqlite3.connect(DB)
cust = con.execute("SELECT name, email, phone FROM customers WHERE id = 1").fetchone()
emails = [r[0] for r in con.execute("SELECT email FROM customers LIMIT 2000")]
phones = [r[0] for r in con.execute("SELECT phone FROM customers LIMIT 2000")]
con.close()
prompt = ("Write a short SMS about {{customers.name}}'s favourite tea; replies to "
          f"{cust[1]} or {cust[2]}, or ada@example.com")
p = run("generate", "--provider", "offline", "--prompt-text", prompt, "--row", "customers:1",
        "-n", "3", "--json")
gen = json.loads(p.stdout)
rid = gen["run_id"]
run("eval", str(rid))
variants = json.loads(run("variants", str(rid), "--json").stdout)
vlist = variants["variants"] if isinstance(variants, dict) else variants
csv = os.path.join(T, "ab.csv")
with open(csv, "w") as f:
    f.write("date,arm,n,conversions\n")
    for d in range(1, 8):
        f.write(f"2026-11-0{d},0,400,{11 + d % 3}\n2026-11-0{d},1,400,{16 + d % 4}\n"
                f"2026-11-0{d},2,400,{13 + d % 2}\n")
run("abimport", csv, "--experiment", "sms-test", "--run", str(rid))
ab = json.loads(run("abtest", "--experiment", "sms-test", "--json").stdout)

personal = [cust[0], cust[1], cust[2], "ada@example.com", KEY] + emails + phones

# --- HTML
out_html = os.path.join(T, "report.html")
p = run("report", "--run", str(rid), "--out", out_html, "--json")
summ = json.loads(p.stdout) if p.returncode == 0 else {}
if summ.get("experiment") != "sms-test":
    fail(f"report --json: experiment {summ.get('experiment')!r}")
if summ.get("variants") != 3:
    fail(f"report --json: variants {summ.get('variants')!r}")
if not summ.get("redacted"):
    fail("report --json: nothing redacted, yet the prompt holds an e-mail and a phone")
text, visible = check_html(out_html)
secrets_absent(out_html, text, personal)
for v in vlist:
    comp = v.get("composite")
    if comp is None:
        scores = v.get("scores") or {}
        comp = scores.get("composite") if isinstance(scores, dict) else None
    if comp is not None and f"{comp:.3f}" not in visible:
        fail(f"HTML lacks variant {v.get('id')} composite {comp:.3f}")
for arm in ab["arms"]:
    rate = f"{arm['rate'] * 100:.2f}%"
    if rate not in visible:
        fail(f"HTML lacks arm {arm.get('name')} rate {rate}")
for needle in ("[redacted email]", "[redacted phone]", "[redacted name]", "OFFLINE",
               "Conversion rate per arm with 95% intervals", "Posterior densities",
               "Cumulative conversion rate by day", "Iteration history", "sms-test"):
    if needle not in visible:
        fail(f"HTML lacks {needle!r}")
if text.count("<svg") != 3:
    fail(f"HTML should hold 3 charts, has {text.count('<svg')}")

# --- Markdown, and the demo run in Chinese labels
out_md = os.path.join(T, "report.md")
run("report", "--run", str(rid), "--out", out_md)
md = open(out_md, encoding="utf-8").read()
secrets_absent(out_md, md, personal)
for needle in ("# Copy report", "## A/B test", "| Arm |", "sms-test", "[redacted email]"):
    if needle not in md:
        fail(f"Markdown lacks {needle!r}")
out_zh = os.path.join(T, "demo-zh.html")
run("report", "--run", "1", "--lang", "zh", "--out", out_zh)
zh, zvis = check_html(out_zh)
secrets_absent(out_zh, zh, personal)
for needle in ('lang="zh-CN"', "A/B 测试", "按日累计转化率", "spring-email-test"):
    if needle not in zh:
        fail(f"Chinese report lacks {needle!r}")
if not any(w in zvis for w in ("胜过", "没有显著差异", "保留")) or any(
        w in zvis for w in (" beats ", "no significant difference", "keep collecting")):
    fail("the Chinese report's A/B verdict should be in Chinese")
out_en = os.path.join(T, "demo-en.md")
run("report", "--run", "1", "--out", out_en)
en = open(out_en, encoding="utf-8").read()
if not any(w in en for w in (" beats ", "no significant difference", "keep ")):
    fail("the English report's A/B verdict should stay English")

# --- a prompt with a blank line keeps every line in Markdown
run("generate", "--provider", "offline", "--prompt-text", "First line\n\nThird line stays", "-n", "1")
out_blank = os.path.join(T, "blank.md")
run("report", "--out", out_blank)
if "    Third line stays" not in open(out_blank, encoding="utf-8").read():
    fail("Markdown prompt lost the lines after a blank one")

# --- a SIMULATED experiment is labelled; an experiment without a run stands alone
run("simulate", "--run", str(rid), "--days", "5", "--daily", "600", "--seed", "3",
    "--experiment", "sim-test")
out_sim = os.path.join(T, "sim.html")
run("report", "--experiment", "sim-test", "--out", out_sim)
sim, svis = check_html(out_sim)
if "SIMULATED" not in svis or "sim-test" not in svis:
    fail("simulated experiment not labelled SIMULATED")
run("abtest", "--arm", "old:2000:60", "--arm", "new:2000:84", "--experiment", "manual-test")
out_man = os.path.join(T, "manual.md")
p = run("report", "--experiment", "manual-test", "--out", out_man, "--json")
man = json.loads(p.stdout) if p.returncode == 0 else {}
if man.get("run") != 0 or man.get("variants") != 0:
    fail(f"an experiment without a run should be reported alone: {man}")
mt = open(out_man, encoding="utf-8").read() if os.path.exists(out_man) else ""
for needle in ("manual-test", "| new | 2,000 | 84 | 4.20% |"):
    if needle not in mt:
        fail(f"manual experiment report lacks {needle!r}")

# --- errors
p = run("report", "--out", os.path.join(T, "x.pdf"), ok=False)
if p.returncode != 2:
    fail(f"report --out x.pdf should be a usage error, got {p.returncode}")
p = run("report", "--run", str(rid), "--out", ok=False)
if p.returncode != 2 or "--out needs a value" not in p.stderr:
    fail(f"report --out without a value: {p.returncode} {p.stderr!r}")
p = run("report", "--experiment", "nope", "--out", os.path.join(T, "x.html"), ok=False)
if p.returncode == 0 or "nope" not in p.stderr:
    fail(f"unknown experiment: {p.returncode} {p.stderr!r}")
if os.path.exists(os.path.join(T, "x.html")):
    fail("a failed report left a file behind")
# A key-like variable's value is redacted wherever data holds it...
leak = os.path.join(T, "leak.html")
run("report", "--run", str(rid), "--out", leak, env_extra={"MY_SERVICE_TOKEN": "favourite tea"})
lt = open(leak, encoding="utf-8").read() if os.path.exists(leak) else ""
if "favourite tea" in lt or "[redacted key]" not in lt:
    fail("a key-like environment value in the data was not redacted")
# ...so is the value of whatever variable config.json names as a provider's key.
cfgdir = os.path.join(T, "cfg")
os.makedirs(os.path.join(cfgdir, "copylab"), exist_ok=True)
with open(os.path.join(cfgdir, "copylab", "config.json"), "w") as f:
    json.dump({"providers": {"local": {"type": "openai", "base_url": "http://127.0.0.1:9/v1",
                                       "api_key_env": "LLM_CRED"}}}, f)
leak3 = os.path.join(T, "leak3.md")
run("report", "--run", str(rid), "--out", leak3,
    env_extra={"XDG_CONFIG_HOME": cfgdir, "LLM_CRED": "favourite tea"})
lt = open(leak3, encoding="utf-8").read() if os.path.exists(leak3) else ""
if "favourite tea" in lt or "[redacted key]" not in lt:
    fail("the value of config.json's api_key_env variable was not redacted")
# ...and a report that would still hold one (here: our own label text) is refused.
p = run("report", "--out", os.path.join(T, "leak2.html"), ok=False,
        env_extra={"MY_SERVICE_TOKEN": "Iteration history"})
if p.returncode == 0 or "MY_SERVICE_TOKEN" not in p.stderr:
    fail(f"a report holding a secret-like value must be refused: {p.returncode} {p.stderr!r}")
if os.path.exists(os.path.join(T, "leak2.html")):
    fail("a refused report left a file behind")

# --- headless Chromium: renders to a screenshot without console errors
chrome = shutil.which("chromium") or shutil.which("chromium-browser")
if not chrome:
    print("SKIP: chromium not installed (make deps installs it); HTML checks ran")
else:
    shot = os.path.join(T, "report.png")
    prof = tempfile.mkdtemp(dir=T)
    cmd = [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={prof}", "--enable-logging=stderr", "--v=0",
           f"--screenshot={shot}", "--window-size=1200,1600", "file://" + out_html]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
        log = p.stdout + p.stderr
        if p.returncode != 0:
            fail(f"chromium exited {p.returncode}: {log[-800:]}")
        if not os.path.exists(shot) or os.path.getsize(shot) < 10000:
            fail("chromium wrote no screenshot (or an empty one)")
        else:
            with open(shot, "rb") as f:
                if f.read(8) != b"\x89PNG\r\n\x1a\n":
                    fail("screenshot is not a PNG")
        for bad in ("Uncaught", "CONSOLE(", "Refused to", "net::ERR_"):
            if bad in log:
                fail(f"chromium console: {bad}: {log[log.find(bad) - 200:log.find(bad) + 300]}")
        print(f"screenshot {shot} ({os.path.getsize(shot) if os.path.exists(shot) else 0} bytes)")
    except subprocess.TimeoutExpired:
        fail("chromium did not finish within 90 s")

if fails:
    print(f"{len(fails)} check(s) failed")
    sys.exit(1)
print("report: all checks passed")
