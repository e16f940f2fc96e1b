"""test_report_cmd.py — `:report FILE [RUN]` in the TUI: writes the HTML or
Markdown stakeholder report of the newest run (or RUN) and says so in the
message line; a file that is neither .html nor .md, or a RUN that is not a
number, is an error on the message line and writes nothing; the TUI carries
on and exits cleanly (no sanitizer report)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tuitest import COPYLAB, TMP, Tui, check, finish  # noqa: E402

db = os.path.join(TMP, "report.db")
p = subprocess.run([COPYLAB, "--db", db, "demo", "prepare"], capture_output=True, text=True,
                   env=dict(os.environ, COPYLAB_NO_PLUGINS="1"))
if p.returncode != 0:
    print("demo prepare failed:", p.stdout, p.stderr)
    sys.exit(1)

html = os.path.join(TMP, "r.html")
md = os.path.join(TMP, "r1.md")
pdf = os.path.join(TMP, "r.pdf")
t = Tui(db, 140, 40, name="report", env={"COPYLAB_NO_PLUGINS": "1"})
try:
    s = t.wait(lambda x: "Data" in x, what="TUI up")
    check(s is not None, "the TUI starts on the demo workspace", s)
    t.settle()

    t.keys(":")
    t.text("report " + html)
    t.keys("Enter")
    s = t.wait("wrote " + html, what="report written")
    check(s is not None and "run #3" in s, ":report FILE.html writes the newest run's report", s)
    body = open(html, encoding="utf-8").read() if os.path.exists(html) else ""
    check(body.startswith("<!DOCTYPE html>") and body.count("<svg") == 0 and
          "Run #3" in body, "the HTML file holds run #3 (no A/B test: no charts)", body[:200])

    t.keys(":")
    t.text("report " + md + " 1")
    t.keys("Enter")
    s = t.wait("wrote " + md, what="markdown written")
    check(s is not None and "experiment spring-email-test" in s,
          ":report FILE.md 1 writes run 1 with its experiment", s)
    body = open(md, encoding="utf-8").read() if os.path.exists(md) else ""
    check("# Copy report" in body and "spring-email-test" in body and "| Arm |" in body,
          "the Markdown report holds the A/B table", body[:300])

    t.keys(":")
    t.text("report " + pdf)
    t.keys("Enter")
    s = t.wait("name a .html or .md file", what="pdf refused")
    check(s is not None and not os.path.exists(pdf), ":report x.pdf is refused, nothing written", s)

    t.keys(":")
    t.text("report " + html + " seven")
    t.keys("Enter")
    s = t.wait("RUN is a run id", what="bad run refused")
    check(s is not None, ":report FILE seven is refused", s)

    t.keys(":")
    t.text("q")
    t.keys("Enter")
    st = t.exit_status()
    check(st == 0, ":q exits 0 after the reports (got %r)" % st, t.screen())
    rep = t.sanitizer_report()
    check(rep == "", "no sanitizer report in the TUI log", rep)
finally:
    t.close()
finish()
