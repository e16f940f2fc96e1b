#!/usr/bin/env python3
"""test_workflow.py — the workflow panes (2 Prompt, 3 Variants, 4 Results,
5 History) driven in tmux: type into the editor and undo; the preview shows
substituted values; generate with the offline provider and with the mock
OpenAI server, variants side by side with scores; sort by a score; the
Results pane draws bars and intervals for the sample A/B test (and big type);
iterate makes round 2 linked to round 1; all at 80x24; kill -9 during a
generation, reopen, the finished variants are there."""
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tuitest import COPYLAB, TMP, Tui, check, finish  # noqa: E402

TOP = os.environ.get("COPYLAB_TOP", os.path.join(os.path.dirname(__file__), "..", ".."))
DB = os.path.join(TMP, "wf.db")


def q(sql, db=DB):
    r = subprocess.run([COPYLAB, "--db", db, "query", sql, "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        print("query failed:", sql, r.stderr)
        return []
    return json.loads(r.stdout)


r = subprocess.run([COPYLAB, "--db", DB, "demo", "prepare"], capture_output=True, text=True)
if r.returncode != 0:
    print("demo prepare failed:", r.stdout, r.stderr)
    sys.exit(1)

cfg_offline = os.path.join(TMP, "cfg-offline")
os.makedirs(cfg_offline, exist_ok=True)
editor = os.path.join(TMP, "editor.sh")
with open(editor, "w") as f:
    # an $EDITOR that rewrites the subject of a variant
    f.write("#!/bin/sh\nsed -i 's/^## subject$/## subject/; /^## subject$/{n;s/.*/EDITED BY HAND/}' \"$1\"\n")
os.chmod(editor, 0o755)

t = Tui(DB, cols=80, rows=24, name="wf",
        env={"XDG_CONFIG_HOME": cfg_offline, "XDG_DATA_HOME": TMP, "EDITOR": editor})
t.tmux("set-option", "-g", "set-clipboard", "on")
try:
    # ---- 2 Prompt: the template of the latest run, at 80x24 ----
    t.keys("2")
    s = t.wait("spring-email v1", what="the Prompt pane with spring-email")
    check(s is not None and "{{product.name_zh}}" in s, "editor shows the template with its tags", s)
    # the preview (folded at 80 columns, v shows it) has the values, not the tags
    t.keys("v")
    s = t.wait("明前西湖龙井", what="preview with the product name")
    check(s is not None and "{{" not in s and "loyal-east" in s, "preview substitutes row and segment", s)
    t.keys("v")
    # edit: go to the end, type, leave editing, undo
    t.keys("i")
    t.wait("EDIT", what="edit mode")
    t.keys("PageDown")
    t.text(" XYZZY 春茶")
    s = t.wait("XYZZY 春茶", what="typed text")
    check(s is not None and "modified" in s, "typing ASCII and Chinese into the editor", s)
    # the cursor counts display columns: " XYZZY " is 7, "春茶" is 4 -> column 12
    check(s is not None and re.search(r" \d+:12 ", s) is not None, "cursor column right after Chinese text", s)
    t.keys("Escape")
    t.wait(lambda sc: "EDIT" not in sc, what="left edit mode")
    # undo goes back a word at a time: 春茶 first, then XYZZY
    t.keys("u")
    s = t.wait(lambda sc: "春茶" not in sc, what="undo one word")
    check(s is not None and "XYZZY" in s, "undo takes back the last word", s)
    t.keys("u")
    s = t.wait(lambda sc: "XYZZY" not in sc, what="undo")
    check(s is not None and "modified" not in s, "undo takes all the typing back", s)
    t.keys("C-r")
    s = t.wait("XYZZY", what="redo")
    check(s is not None, "redo puts it back", s)
    # s saves a new version whose parent is the loaded one; d shows the diff
    t.keys("s")
    s = t.wait("v2 (from v1)", what="saved v2")
    check(s is not None and "modified" not in s, "s saves spring-email v2 (from v1)", s)
    t.keys("d")
    s = t.wait("diff v1 → v2", what="diff overlay")
    check(s is not None and re.search(r"\+.*XYZZY", s) is not None, "d shows the added line as +", s)
    t.keys("Escape")
    t.wait(lambda sc: "diff v1" not in sc, what="diff closed")
    t.keys("u")
    t.wait(lambda sc: "XYZZY" not in sc, what="undo again")

    # Tab completes a variable name from the bound row; an unknown one is marked
    t.keys("i", "PageDown")
    t.text("{{product.name_")
    t.keys("Tab")
    # the candidates on the bottom line (the text above already holds product.name_zh)
    s = t.wait(lambda x: "product.name_en" in x and "product.name_zh" in x.rstrip("\n").split("\n")[-1],
               what="completion candidates")
    check(s is not None, "Tab lists the matching variables", s)
    t.text("z")
    t.keys("Tab")
    # on the typed line, below the template's own {{product.name_zh}}
    s = t.wait(lambda sc: "{{product.name_zh}}" in sc.split("{note|default")[-1], what="completed")
    check(s is not None, "Tab completes the variable and closes the tag", s)
    t.keys("Escape")
    t.keys("u")
    s = t.wait(lambda sc: "{{product.name_z" in sc and "name_zh}}" not in sc.split("{note|default")[-1],
               what="completion undone")
    check(s is not None, "undo takes the completion back first", s)
    t.keys("u")
    s = t.wait(lambda sc: "{{product.name_" not in sc.split("{note|default")[-1], what="typing undone")
    check(s is not None, "a second undo takes the typing back", s)
    # the lines above the cursor are intact (no double-width character cut by an overlay)
    check(s is not None and "│为{{segment.name}}" in s and "│产品：" in s, "Chinese lines drawn whole", s)

    # ---- g: generate offline; variants side by side with scores ----
    t.keys("g")
    s = t.wait("scored", timeout=60, what="generation finished")
    check(s is not None and "run 4" in s, "g generates run 4 and says it was scored", s)
    s = t.screen()
    heads = [l for l in s.split("\n") if re.search(r"│A [0-9.]+ .*│B [0-9.]+", l)]
    check(len(heads) == 1, "variants A and B side by side with composite scores", s)
    check("fit " in s and "subject" in s, "fields and score badges in the columns", s)

    # ---- o: sort by composite ----
    t.keys("o")
    s = t.wait("sorted by composite", what="sorted")
    m = re.search(r"│([A-D]) ([0-9.]+)\s.*│([A-D]) ([0-9.]+)", s or "")
    check(m is not None and float(m.group(2)) >= float(m.group(4)), "sorted: the best composite first", s)

    # ---- =: word diff between two variants ----
    t.keys("=")
    t.wait("marked", what="mark")
    t.keys("Right", "=")
    s = t.wait("diff vs marked", what="word diff")
    check(s is not None, "= on a second variant shows the word diff", s)
    t.keys("Left", "=")
    t.wait("mark cleared", what="mark cleared")

    # ---- y: OSC 52 copy (tmux takes it into a paste buffer); :write FILE ----
    t.keys("y")
    t.wait("OSC 52", what="copied message")
    buf = t.tmux("show-buffer")
    check(buf.startswith("Subject: ") and "Preheader: " in buf, "y copies the variant channel-ready: %r" % buf[:80])
    out = os.path.join(TMP, "variant.txt")
    t.keys(":")
    t.text("write " + out)
    t.keys("Enter")
    t.wait("wrote the variant", what=":write")
    written = open(out, encoding="utf-8").read() if os.path.exists(out) else ""
    check(written == buf, ":write FILE writes the same channel-ready text")

    # ---- Enter: details with every score's explanation ----
    t.keys("Enter")
    s = t.wait("details", what="detail view")
    check(s is not None and re.search(r"\w+  [01]\.\d{3}", s) is not None and ": " in s,
          "details show every score with its explanation", s)
    t.keys("Escape")
    t.wait(lambda sc: "details" not in sc, what="details closed")

    # ---- e: edit by hand makes a child variant ----
    t.keys("e")
    s = t.wait("EDITED BY HAND", timeout=30, what="edited variant")
    rows = q("select id, parent_id from cl_variants where fields like '%EDITED BY HAND%'")
    check(len(rows) == 1 and rows[0]["parent_id"], "a hand edit is a new variant with a parent", s)

    # ---- * and i: iterate from the starred variant ----
    t.keys("Left")
    t.keys("*")
    t.wait("★", what="star")
    t.keys("i")
    t.wait("feedback", what="feedback prompt")
    t.text("warmer, shorter")
    t.keys("Enter")
    s = t.wait(lambda sc: "round 2" in sc and "scored" in sc, timeout=20, what="round 2")
    check(s is not None, "i runs round 2", s)
    run = q("select id, round, parent_run, feedback from cl_runs order by id desc limit 1")
    check(run and run[0]["round"] == 2 and run[0]["parent_run"] == 4 and run[0]["feedback"] == "warmer, shorter",
          "round 2 is linked to run 4 with the feedback: %s" % run)
    linked = q("select count(*) n from cl_variants v join cl_variants p on p.id = v.parent_id "
               "where v.run_id = %d and p.run_id = 4 and p.starred = 1" % run[0]["id"])
    check(linked and linked[0]["n"] == 2, "both round-2 variants descend from the starred one")

    # ---- 5 History: rounds and the tree ----
    t.keys("5")
    s = t.wait("R2", what="history")
    check(s is not None and "round 2" in s and ("└─" in s or "├─" in s), "History shows round 2 in the tree", s)
    t.keys("g", "Enter")
    s = t.wait(lambda sc: "run 4 · spring-email" in sc and "round 1" in sc, what="reopened round 1")
    check(s is not None, "Enter in History reopens round 1 in Variants", s)

    # ---- 4 Results: the sample A/B test ----
    t.keys("4")
    s = t.wait("spring-email-test", what="results")
    check(s is not None and "├" in s and "■" in s and "┤" in s, "interval bars with whiskers", s)
    check(s is not None and "SRM" in s and "P(beat A)" in s and "planned" in s, "table, SRM and progress", s)
    check(s is not None and any(0x2800 < ord(c) <= 0x28FF for c in s), "braille charts drawn", s)
    t.keys("B")
    s = t.wait("chance that", what="big type")
    check(s is not None and "██" in s, "B shows the headline in big type", s)
    t.keys("B")
    # the next round from the A/B winners
    t.keys(":")
    t.text("iterate-ab spring-email-test keep the freshness")
    t.keys("Enter")
    s = t.wait(lambda sc: "scored" in sc and "round 2" in sc, timeout=20, what="iterate-ab")
    ab = q("select round, parent_run, feedback from cl_runs order by id desc limit 1")
    check(ab and ab[0]["round"] == 2 and ab[0]["parent_run"] == 1 and ab[0]["feedback"] == "keep the freshness",
          ":iterate-ab makes a round 2 from the A/B test's run: %s" % ab, s)
    t.keys("4")
    # :abimport a results file; :abwatch follows it as it changes
    csvf = os.path.join(TMP, "live.csv")
    with open(csvf, "w") as f:
        f.write("arm,n,conversions\nA,1000,40\nB,1000,55\n")
    t.keys(":")
    t.text("abimport %s trial" % csvf)
    t.keys("Enter")
    s = t.wait("trial · 2 arms", what=":abimport")
    check(s is not None and "4.00%" in s and "5.50%" in s, ":abimport shows the imported arms", s)
    t.keys(":")
    t.text("abwatch %s live" % csvf)
    t.keys("Enter")
    s = t.wait("watching", what=":abwatch")
    check(s is not None and "live · 2 arms" in s, ":abwatch shows the file", s)
    time.sleep(1.1)
    with open(csvf, "w") as f:
        f.write("arm,n,conversions\nA,2000,80\nB,2000,150\n")
    s = t.wait("7.50%", timeout=30, what="re-read after the change")
    check(s is not None, ":abwatch re-reads the CSV when it changes", s)
    t.keys("Escape")
    t.wait("stopped watching", what="watch stopped")
    t.keys("q")
    check(t.exit_status() == 0, "q quits with status 0")
    rep = t.sanitizer_report()
    check(rep == "", "no sanitizer report in the TUI log", rep)
finally:
    t.close()

# ---- LANG=C: the same charts in ASCII ----
t = Tui(DB, cols=80, rows=24, name="ascii",
        env={"LANG": "C", "LC_ALL": "C", "XDG_CONFIG_HOME": cfg_offline, "XDG_DATA_HOME": TMP})
try:
    t.keys("4")
    t.keys(":")
    t.text("results spring-email-test")
    t.keys("Enter")
    s = t.wait("spring-email-test - 3 arms", what="ASCII results")
    check(s is not None and "|--" in s and "#" in s and not any(ord(c) > 127 for c in s),
          "under LANG=C the Results pane is pure ASCII with whiskers", s)
    t.keys("q")
    t.exit_status()
finally:
    t.close()

# ---- the mock OpenAI server: streaming, then kill -9 mid-run ----
mock = subprocess.Popen([sys.executable, os.path.join(TOP, "tests", "mock_openai.py"), "--port", "0",
                         "--latency-ms", "50"], stdout=subprocess.PIPE, text=True)
port = int(mock.stdout.readline())
cfg_mock = os.path.join(TMP, "cfg-mock")
os.makedirs(os.path.join(cfg_mock, "copylab"), exist_ok=True)
with open(os.path.join(cfg_mock, "copylab", "config.json"), "w") as f:
    json.dump({"default": "mock", "providers": {"mock": {
        "type": "openai", "base_url": "http://127.0.0.1:%d/v1" % port, "model": "mock-model",
        "api_key_env": "MOCK_KEY", "concurrency": 4, "max_retries": 0}}}, f)
env = {"XDG_CONFIG_HOME": cfg_mock, "XDG_DATA_HOME": TMP, "MOCK_KEY": "test-key"}
t = Tui(DB, cols=80, rows=24, name="mock", env=env)
try:
    t.keys("2")
    t.wait("spring-email", what="prompt pane")
    s = t.settle()
    check(s is not None and "mock" in s, "the configured mock provider is selected", s)
    t.keys("g")
    s = t.wait("scored", timeout=60, what="mock generation")
    check(s is not None and "mock-model" in s, "run with the mock provider", s)
    s = t.screen()
    # a request may fail on a loaded machine (max_retries 0): any two columns with scores
    check(re.search(r"│[A-D] [0-9.]+ .*│[A-D] [0-9.]+", s or "") is not None,
          "mock variants side by side with scores", s)
    # a model's next round receives the winners, their scores and the feedback
    mrun = q("select max(id) m from cl_runs where provider = 'mock'")[0]["m"]
    it = subprocess.run([COPYLAB, "--db", DB, "iterate", str(mrun), "--provider", "mock",
                         "--feedback", "more playful", "--json"], capture_output=True, text=True,
                        env=dict(os.environ, **env))
    check(it.returncode == 0, "copylab iterate with the mock model: %s" % it.stderr)
    import urllib.request
    with urllib.request.urlopen("http://127.0.0.1:%d/_stats" % port, timeout=5) as resp:
        log = json.loads(resp.read())["log"]
    last = json.dumps(log[-1]["body"], ensure_ascii=False) if log else ""
    check("more playful" in last and "胜出文案" in last and "composite" in last,
          "the model's request carries the winners, their scores and the feedback")
    if it.returncode == 0:
        nr = json.loads(it.stdout)["run_id"]
        par = q("select count(*) n from cl_variant_parents vp join cl_variants v on v.id = vp.variant_id "
                "where v.run_id = %d" % nr)
        nv = q("select count(*) n from cl_variants where run_id = %d" % nr)
        check(par and nv and par[0]["n"] == 2 * nv[0]["n"],
              "each model-written variant records both winners as parents: %s %s" % (par, nv))
    # Esc cancels a running generation and keeps what finished
    before = q("select max(id) m from cl_runs")[0]["m"]
    t.keys("2", "i", "PageDown")
    t.text(" [mock:slow_after=2,slow_ms=20000,id=c]")
    t.keys("Escape", "g")
    s = t.wait("in flight", timeout=30, what="requests in flight in the status bar")
    check(s is not None, "the status bar counts requests in flight", s)
    n = []
    deadline = time.time() + 30
    while time.time() < deadline:
        n = q("select count(*) n from cl_variants where run_id > %d" % before)
        if n and n[0]["n"] >= 2:
            break
        time.sleep(0.05)
    t.keys("Escape")
    s = t.wait("cancelled", timeout=30, what="cancelled")
    st = q("select status, (select count(*) from cl_variants v where v.run_id = r.id) n from cl_runs r "
           "where id > %d" % before)
    check(s is not None and st and st[0]["status"] == "cancelled" and st[0]["n"] == 2,
          "Esc cancels and keeps the finished variants: %s" % st, s)
    # two requests answer at once, the others hang: kill -9 in between
    before = q("select max(id) m from cl_runs")[0]["m"]
    t.keys("2", "i", "PageDown")
    t.text(" [mock:id=k]")
    t.keys("Escape", "g")
    deadline = time.time() + 30
    done = []
    while time.time() < deadline:
        done = q("select count(*) n from cl_variants where run_id = (select max(id) from cl_runs) "
                 "and run_id > %d" % before)
        if done and done[0]["n"] >= 2:
            break
        time.sleep(0.1)
    check(done and done[0]["n"] == 2, "two variants finished before the kill: %s" % done)
    pane_pid = t.option("#{pane_pid}")
    kids = subprocess.run(["pgrep", "-P", pane_pid], capture_output=True, text=True).stdout.split()
    for k in kids:
        os.kill(int(k), signal.SIGKILL)
    time.sleep(0.3)
finally:
    t.close()

t = Tui(DB, cols=80, rows=24, name="reopen", env=env)
try:
    t.keys("3")
    s = t.wait("interrupted", what="the interrupted run")
    # which two of the four requests the mock answered first is a race: any two letters
    check(s is not None and re.search(r"│[A-D] [0-9.]*.*│[A-D] ", s) is not None,
          "after kill -9 the finished variants are there and the run reads interrupted", s)
    t.keys("q")
    check(t.exit_status() == 0, "the reopened workbench quits cleanly")
    rep = t.sanitizer_report()
    check(rep == "", "no sanitizer report after reopening", rep)
finally:
    t.close()
    mock.kill()
    mock.wait()
finish()
