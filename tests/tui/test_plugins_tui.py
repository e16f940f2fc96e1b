"""test_plugins_tui.py — plugins in the TUI: a config.json whose default
provider is a plugin's provider type loads (the Prompt pane offers it instead
of failing), the Variants pane scores runs with the plugin's scorer too, and
the plugins are started once per session however many runs are scored. With
COPYLAB_NO_PLUGINS=1 no plugin starts and only the built-ins score."""
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tuitest import COPYLAB, TMP, Tui, check, finish  # noqa: E402

plug = os.path.join(TMP, "plug")
started = os.path.join(TMP, "started")
os.makedirs(plug, exist_ok=True)
with open(os.path.join(plug, "tuiplug"), "w") as f:
    f.write("""#!/usr/bin/env python3
import json, sys
with open(%r, "a") as f:
    f.write("started\\n")
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] == "describe":
        out = {"ok": True, "name": "tuiplug", "scorers": [{"name": "tuiscore"}],
               "providers": [{"name": "tuiwriter", "model": "tw-1"}]}
    elif r["type"] == "score":
        out = {"ok": True, "value": 0.25, "detail": {"why": "test"}}
    elif r["type"] == "generate":
        out = {"ok": True, "text": "Spring tea, picked by hand. Order today.", "model": "tw-1"}
    else:
        out = {"ok": False, "error": "no"}
    out["id"] = r["id"]
    print(json.dumps(out), flush=True)
""" % started)
os.chmod(os.path.join(plug, "tuiplug"), 0o755)
cfgdir = os.path.join(TMP, "config", "copylab")
os.makedirs(cfgdir, exist_ok=True)
with open(os.path.join(cfgdir, "config.json"), "w") as f:
    f.write('{"default": "tw", "providers": {"tw": {"type": "tuiwriter"}}}\n')

env = {"COPYLAB_PLUGIN_PATH": plug, "XDG_CONFIG_HOME": os.path.join(TMP, "config"),
       "XDG_DATA_HOME": os.path.join(TMP, "data")}
full_env = dict(os.environ, **env)
full_env.pop("COPYLAB_NO_PLUGINS", None)
db = os.path.join(TMP, "plug.db")
for i in range(2):
    p = subprocess.run([COPYLAB, "--db", db, "generate", "--prompt-text", "Spring tea", "-n", "2"],
                       capture_output=True, text=True, env=full_env)
    if p.returncode != 0:
        print("generate failed:", p.stdout, p.stderr)
        sys.exit(1)


def scorers(run):
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute(
            "SELECT DISTINCT s.scorer FROM cl_scores s JOIN cl_variants v ON v.id = s.variant_id"
            " WHERE v.run_id = ?", (run,))}
    finally:
        con.close()


def starts():
    try:
        with open(started) as f:
            return len(f.read().split())
    except OSError:
        return 0


check(not scorers(1) and not scorers(2), "the CLI generate leaves both runs unscored")
before = starts()
t = Tui(db, 120, 40, name="plug", env=dict(env, COPYLAB_NO_PLUGINS="0"))
try:
    s = t.wait(lambda x: "Data" in x, what="TUI up")
    check(s is not None, "the TUI starts with a plugin provider as config.json's default", s)
    t.keys("2")
    s = t.wait(" tw · T", what="prompt pane footer naming provider tw")
    check(s is not None, "the Prompt pane loads the config (its footer names provider tw)", s)
    t.keys("3")
    s = t.wait("tuiscore", what="plugin badge")
    check(s is not None, "the Variants pane shows the plugin scorer's badge", s)
    t.keys("[")
    t.settle()
    s = t.wait(lambda x: "run 1" in x or "run #1" in x, what="older run")
    check("tuiscore" in scorers(2) and "tuiscore" in scorers(1) and "readability" in scorers(1),
          "both runs scored with the built-ins and the plugin scorer",
          "run 1: %s / run 2: %s" % (sorted(scorers(1)), sorted(scorers(2))))
    check(starts() - before == 1, "the plugin started once for the session (%d)" % (starts() - before))
    t.keys("q")
    check(t.exit_status() == 0, "the TUI exits cleanly")
    check(not t.sanitizer_report(), "no sanitizer report", t.sanitizer_report())
finally:
    t.close()

# COPYLAB_NO_PLUGINS=1: no plugin starts; the unknown type is an error in the
# log, the built-ins still score a new run.
p = subprocess.run([COPYLAB, "--db", db, "generate", "--provider", "offline", "--prompt-text",
                    "Spring tea", "-n", "2"], capture_output=True, text=True,
                   env=dict(full_env, COPYLAB_NO_PLUGINS="1",
                            XDG_CONFIG_HOME=os.path.join(TMP, "noconfig")))
check(p.returncode == 0, "generate --provider offline with plugins off", p.stderr)
before = starts()
t = Tui(db, 120, 40, name="noplug", env=dict(env, COPYLAB_NO_PLUGINS="1"))
try:
    s = t.wait(lambda x: "Data" in x, what="TUI up")
    t.keys("3")
    s = t.wait(lambda x: "read" in x, what="built-in badges")
    t.settle()
    check("readability" in scorers(3) and "tuiscore" not in scorers(3),
          "with COPYLAB_NO_PLUGINS=1 only the built-ins score", sorted(scorers(3)))
    check(starts() == before, "with COPYLAB_NO_PLUGINS=1 no plugin starts")
    t.keys("q")
    check(t.exit_status() == 0, "the TUI exits cleanly with plugins off")
finally:
    t.close()
finish()
