"""test_screens.py — what a stakeholder sees in `copylab --demo` and on a first
run: the segment list filled, REAL columns with consistent decimals and
thousands separators, search wrapping round, both A/B verdicts readable, the
History title, Chinese arm names in the Results table, the editor's terminal
cursor on Chinese text, keys that mean the same in every pane, an empty
workspace offering :samples, and the terminal restored after a crash."""
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tuitest import COPYLAB, TMP, Tui, check, finish, width  # noqa: E402

env = {"XDG_DATA_HOME": os.path.join(TMP, "data"), "XDG_CONFIG_HOME": os.path.join(TMP, "cfg")}


def line_with(s, text):
    for l in (s or "").split("\n"):
        if text in l:
            return l
    return ""


def bottom(s):
    """The bottom line of a 40-line screen."""
    ls = (s or "").split("\n")
    return ls[39] if len(ls) > 39 else ""


# ---- --demo at 120x40 ----
demo = os.path.join(TMP, "demo.db")
t = Tui(demo, 120, 40, env=env, name="demo", args=("--demo",))
try:
    s = t.wait("demo workspace ready", timeout=60, what="demo prepared")
    check(s is not None, "--demo prepares the sample workspace", s)
    s = t.wait(lambda x: re.search(r"│ loyal-east +1,637│", x), what="segment listed")
    check(s is not None, "the Segments list shows loyal-east with its count (not stale)", s)

    # ab_results: revenue is REAL: two decimals on every row, thousands separated, right-aligned
    t.keys("t", "g", "Enter")
    s = t.wait("ab_results · 63 rows", what="ab_results")
    check(s is not None and "16,256.60" in s and "15,956.11" in s and "16256.6 " not in s,
          "REAL cells show the column's decimals and thousands separators", s)
    if s:
        a, b = line_with(s, "15,956.11"), line_with(s, "16,256.60")
        check(width(a[:a.find("15,956.11") + 9]) == width(b[:b.find("16,256.60") + 9]),
              "REAL cells are right-aligned in their column", s)

    # the profile panel gives the same column the same form
    t.keys("$", "i")
    s = t.wait("profile · revenue", what="profile panel")
    s = t.wait("17,309.97", what="profile figures")
    check(s is not None and "10,963.84" in s, "the profile shows a REAL column as the grid does", s)
    t.keys("i")
    t.wait(lambda x: "profile · revenue" not in x, what="profile closed")

    # / past the last match wraps to the top, and says so
    t.keys(":")
    t.text("open customers")
    t.keys("Enter")
    t.wait("customers · 20,000 rows", what="customers")
    t.keys("l", "G")
    t.wait("row 20,000/20,000", what="last row")
    t.keys("/")
    t.text("彭岚")
    t.keys("Enter")
    s = t.wait("search wrapped to the top", what="search wrapped")
    check(s is not None and "│ 彭岚" in line_with(s, "penglan516"), "/ wraps round to the first match", s)

    # Results: both verdicts readable in full at 120 columns
    t.keys("4")
    s = t.wait("fixed horizon:", what="Results pane")
    check(s is not None and "first at look" in s and "P(beat) = 100.0%)" in s,
          "the fixed-horizon and sequential verdicts are not cut off", s)
    s2 = t.settle()
    t.keys("?")
    t.wait("Help", what="help on Results")
    t.keys("Escape")
    s3 = t.wait(lambda x: "Help" not in x, what="help closed")
    check(s3 == s2, "closing the help overlay leaves the screen exactly as before", s3)

    # History: no one-cell sparkline for a rate that only round 1 has
    t.keys("5")
    s = t.wait("best composite by round", what="History")
    # The round-1 score depends on the offline copy, so match its shape, not its value.
    check(s is not None and "observed rate: round 1 only" in s
          and re.search(r"R1 \d\.\d{3} \(rate 4\.25%\)", s) is not None,
          "the History title names the one round with an observed rate", s)

    # Prompt: the footer says what g uses; the terminal cursor sits on the insertion point
    t.keys("2")
    s = t.wait("variants 4", what="Prompt footer")
    check(s is not None and "T 0.9" in s, "the Prompt footer shows temperature and variants", s)
    t.keys("i")
    t.text("春茶")
    s = t.wait(lambda x: "春茶---" in x, what="typed Chinese")
    cur = t.option("#{cursor_flag} #{cursor_x} #{cursor_y}")
    check(s is not None and cur == "1 5 2", "the editor's cursor is after 春茶 (column 5): %s" % cur, s)
    t.keys("Escape", "u")
    s = t.wait(lambda x: "│---" in x and "春茶" not in line_with(x, "│---"), what="undo")
    check(s is not None, "u undoes the typing", s)
    check(t.option("#{cursor_flag}") == "0", "the cursor hides again out of edit mode")

    # Variants: a adds a note; n after / is the next match, not a note
    t.keys("3")
    t.wait("round 3", what="Variants")
    t.keys("/")
    t.text("本月推荐")
    t.keys("Enter")
    t.wait(lambda x: "本月推荐" in x, what="search in Variants")
    t.keys("n")
    s = t.settle()
    check("note:" not in bottom(s), "n in Variants is the next match, not a note", s)
    t.keys("a")
    s = t.wait(lambda x: "note:" in bottom(x), what="note prompt")
    check(s is not None, "a asks for a note", s)
    t.keys("C-g")
    t.wait(lambda x: "note:" not in bottom(x), what="note prompt closed")
    # the mouse: a click selects the column under it, the wheel moves in History
    t.keys("g")
    t.text("\x1b[<0;90;10M\x1b[<0;90;10m")
    s = t.wait(" 3/4 ", what="clicked the third column")
    check(s is not None, "a click in Variants selects the variant under it", s)

    # Chinese arm names in the Results table: drawn whole or cut at a character
    csvf = os.path.join(TMP, "zh.csv")
    with open(csvf, "w", encoding="utf-8") as f:
        f.write("arm,n,conversions\n对照组,10000,400\n新文案春茶,10000,460\n")
    t.keys("4", ":")
    t.text("abimport %s 中文测试" % csvf)
    t.keys("Enter")
    s = t.wait("中文测试 · 2 arms", what="Chinese experiment")
    check(s is not None and "\ufffd" not in s and "P(beat ctl)" in s and "│对照组 ctl" in s,
          "Chinese arm names never split a character in the table", s)
    t.keys("B")
    s = t.wait("chance that", what="big type")
    check(s is not None and "新文案春茶" in s.split("\n")[2], "big type names a Chinese winner above the figure", s)
    t.keys("q")
    check(t.exit_status() == 0, "q quits --demo with 0")
    check(t.sanitizer_report() == "", "no sanitizer report in --demo", t.sanitizer_report())
finally:
    t.close()

# ---- the Results verdicts at 80x24 ----
t = Tui(demo, 80, 24, env=env, name="demo80", args=("--demo",))
try:
    t.keys("4", ":")
    t.text("results spring-email-test")
    t.keys("Enter")
    s = t.wait("sequential:", what="Results at 80x24")
    check(s is not None and "first at look 12" in s and "P(beat) = 100.0%)" in s,
          "at 80x24 both verdicts wrap instead of being cut", s)
    # a SIMULATED experiment says so in the title and on every chart, even at 80 columns
    sim = subprocess.run([COPYLAB, "--db", demo, "simulate", "--arm", "A:0.04", "--arm", "B:0.05",
                          "--days", "10", "--daily", "2000", "--experiment", "simtest"],
                         capture_output=True, text=True, env=dict(os.environ, **env))
    check(sim.returncode == 0, "copylab simulate: %s" % sim.stderr)
    t.keys(":")
    t.text("results simtest")
    t.keys("Enter")
    s = t.wait("simtest · 2 arms", what="simulated experiment")
    heads = [l for l in (s or "").split("\n") if "SIMULATED" in l]
    check(s is not None and len(heads) >= 4 and any("cumulative rate" in l for l in heads)
          and any("posterior" in l for l in heads) and any("95% interval" in l for l in heads),
          "SIMULATED on the title and every chart", s)
    t.keys("q")
    t.exit_status()
finally:
    t.close()

# ---- TERM=vt100, LANG=C: no colours, so each arm's curve is drawn with its letter ----
t = Tui(demo, 80, 24, env=dict(env, LANG="C", LC_ALL="C", TERM="vt100"), name="vt100", args=("--demo",))
try:
    t.keys("4", ":")
    t.text("results spring-email-test")
    t.keys("Enter")
    s = t.wait("posterior of the rate", what="Results under vt100")
    chart = "\n".join(l for l in (s or "").split("\n")
                      if l.startswith("|") and ("AAA" in l or "BBB" in l or "CCC" in l))
    check(s is not None and "AAA" in chart and "BBB" in chart and "CCC" in chart,
          "without colour the arms' curves are told apart by their letters", s)
    t.keys("q")
    t.exit_status()
finally:
    t.close()

# ---- a workspace with no tables offers the sample data; :samples imports it ----
empty = os.path.join(TMP, "empty.db")
# an empty file, as a first run's cancelled import leaves it (the schema, no tables)
open(empty, "w").close()
t = Tui(empty, 120, 40, env=env, name="empty")
try:
    s = t.wait(":samples imports the sample data", what="offer")
    check(s is not None, "an empty workspace offers :samples", s)
    t.keys(":")
    t.text("samples")
    t.keys("Enter")
    s = t.wait(lambda x: "imported the sample data" in x and re.search(r"│ loyal-east +1,637│", x),
               timeout=60, what=":samples")
    check(s is not None and "customers · 20,000 rows" in s,
          ":samples imports the tables, and the segment shows", s)

    # a crash restores the terminal and names the log
    pid = t.app_pid()
    check(pid is not None, "found the workbench's process")
    if pid:
        os.kill(pid, signal.SIGSEGV)
        t.exit_status()
        s = t.wait("the workbench crashed", what="crash message")
        check(s is not None, "a crash says so on the restored screen", s)
        check(t.option("#{alternate_on}") == "0" and t.option("#{cursor_flag}") == "1",
              "after a crash: main screen, cursor visible")
        check(t.option("#{mouse_any_flag}#{mouse_standard_flag}#{mouse_sgr_flag}") in ("000", "00"),
              "after a crash: mouse reporting off")
finally:
    t.close()
finish()
