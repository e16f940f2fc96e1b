"""tuitest.py — drive the real copylab TUI in a detached tmux session.

Shared by tests/tui/test_*.py: a private tmux server (socket in $TEST_TMP),
keys in with send-keys, the screen out with capture-pane, polling with a
timeout instead of fixed sleeps, and the display width of captured text.
"""
import os
import subprocess
import sys
import time
import unicodedata

COPYLAB = os.environ.get("COPYLAB", "")
TMP = os.environ.get("TEST_TMP") or "/tmp"

failures = []


def check(cond, what, screen=None):
    """Record a failed assertion (with the screen) and go on."""
    if not cond:
        failures.append(what)
        print("FAIL:", what)
        if screen is not None:
            print("---- screen ----")
            print(screen)
            print("----------------")
    else:
        print("ok:", what)
    return cond


def finish():
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("all checks passed")


def width(s):
    """Display width as a terminal draws it (East Asian wide = 2)."""
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def col_of(line, idx):
    """Display column of the character at index idx of line."""
    return width(line[:idx])


def make_workspace(path, tables):
    """Create a workspace with `copylab import` of CSV files: tables maps
    name -> (header list, rows list)."""
    import csv
    for name, (header, rows) in tables.items():
        f = os.path.join(TMP, name + ".csv")
        with open(f, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
        r = subprocess.run([COPYLAB, "--db", path, "import", f], capture_output=True, text=True)
        if r.returncode != 0:
            print("import failed:", r.stdout, r.stderr)
            sys.exit(1)


class Tui:
    """One copylab TUI in its own tmux server."""

    def __init__(self, db, cols=120, rows=40, env=None, name="t", args=()):
        self.sock = os.path.join(TMP, "tmux-%s-%d" % (name, os.getpid()))
        self.exitfile = os.path.join(TMP, "exit-%s" % name)
        self.log = os.path.join(TMP, "tui-%s.log" % name)
        if os.path.exists(self.exitfile):
            os.unlink(self.exitfile)
        e = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color",
             "COPYLAB_LOG": self.log}
        if env:
            e.update(env)
        envs = " ".join("%s='%s'" % (k, v) for k, v in e.items())
        extra = "".join(" '%s'" % x for x in args)
        cmd = "env %s '%s' --db '%s'%s; echo $? > '%s'; sleep 30" % (envs, COPYLAB, db, extra,
                                                                    self.exitfile)
        self.tmux("new-session", "-d", "-s", "t", "-x", str(cols), "-y", str(rows), cmd)

    def tmux(self, *args):
        r = subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"] + list(args),
                           capture_output=True, text=True)
        return r.stdout

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def text(self, s):
        """Type literal text."""
        self.tmux("send-keys", "-t", "t", "-l", s)

    def screen(self):
        return self.tmux("capture-pane", "-t", "t", "-p")

    def active_tab(self):
        """The pane name highlighted in the top bar (from the colours)."""
        import re
        top = self.tmux("capture-pane", "-e", "-t", "t", "-p").split("\n")[0]
        m = re.search(r"48;5;75m\s*\d (\w+)", top)
        return m.group(1) if m else None

    def lines(self):
        return self.screen().split("\n")

    def wait(self, pred, timeout=20.0, what=""):
        """Poll the screen until pred(screen) is true on two captures in a row
        that are the same (a capture can catch the terminal half way through a
        frame), or on five in a row of a screen that keeps changing (a
        progress line); returns that screen or None."""
        end = time.time() + timeout
        s, last, hits = "", None, 0
        while time.time() < end:
            s = self.screen()
            if (pred(s) if callable(pred) else pred in s):
                hits += 1
                if s == last or hits >= 5:
                    return s
                last = s
                time.sleep(0.03)
                continue
            last, hits = None, 0
            time.sleep(0.05)
        print("timed out waiting for", what or pred)
        print(s)
        return None

    def settle(self, timeout=3.0):
        """Wait until the screen stops changing for a moment."""
        last, same, end = None, 0, time.time() + timeout
        while time.time() < end:
            s = self.screen()
            same = same + 1 if s == last else 0
            if same >= 3:
                return s
            last = s
            time.sleep(0.05)
        return last

    def resize(self, cols, rows):
        self.tmux("resize-window", "-t", "t", "-x", str(cols), "-y", str(rows))

    def exit_status(self, timeout=20.0):
        end = time.time() + timeout
        while time.time() < end:
            if os.path.exists(self.exitfile):
                with open(self.exitfile) as f:
                    t = f.read().strip()
                if t:
                    return int(t)
            time.sleep(0.05)
        return None

    def app_pid(self):
        """The copylab process in the pane (env execs it), or None."""
        pane = self.option("#{pane_pid}")
        r = subprocess.run(["pgrep", "-P", pane], capture_output=True, text=True)
        kids = r.stdout.split()
        return int(kids[0]) if kids else None

    def option(self, fmt):
        return self.tmux("display-message", "-p", "-t", "t", fmt).strip()

    def sanitizer_report(self):
        """ASan/UBSan/LSan output in the TUI's log (stderr goes there)."""
        try:
            with open(self.log, errors="replace") as f:
                t = f.read()
        except OSError:
            return ""
        bad = [l for l in t.split("\n") if "runtime error" in l or "Sanitizer" in l]
        return "\n".join(bad)

    def close(self):
        self.tmux("kill-server")
