"""test_shell.py — the frame around the panes: pane switching, the help overlay
built from the key tables, the ':' line with Tab completion and history that
survives a restart, search, Esc cancelling a long import (workspace as before),
LANG=C / TERM=vt100 drawing, and :q restoring the terminal."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tuitest import COPYLAB, TMP, Tui, check, finish, make_workspace  # noqa: E402

db = os.path.join(TMP, "shell.db")
rows = [[i, "item %d" % i, ["红茶", "green", "oolong"][i % 3]] for i in range(1, 201)]
make_workspace(db, {"items": (["id", "label", "kind"], rows),
                    "other": (["a", "b"], [[1, "x"], [2, "y"]])})

t = Tui(db, 120, 40, name="shell1")
try:
    s = t.wait("items · 200 rows", what="items table")
    check(s is not None, "opens the first table", s)

    # Panes 1-5, Tab and Shift-Tab (the highlighted name in the top bar).
    def on(name):
        return t.wait(lambda x: t.active_tab() == name, what="pane " + name) is not None
    check(on("Data"), "starts on the Data pane")
    t.keys("3")
    check(on("Variants"), "3 goes to the Variants pane", t.screen())
    t.keys("Tab")
    check(on("Results"), "Tab goes to the next pane", t.screen())
    t.keys("BTab", "BTab")
    check(on("Prompt"), "Shift-Tab goes back", t.screen())
    t.keys("1")
    check(on("Data") and t.wait("items · 200 rows") is not None, "1 comes back to Data")

    # Mouse (SGR reports as xterm sends them): a tab, a cell, the wheel.
    t.text("\x1b[<0;30;1M\x1b[<0;30;1m")
    check(on("Prompt"), "a click on a pane name focuses it", t.screen())
    t.keys("1")
    on("Data")
    t.text("\x1b[<0;40;8M\x1b[<0;40;8m")
    s = t.wait("row 5/200 · col 2/3", what="clicked cell")
    check(s is not None, "a click selects the row and column under it", s)
    t.text("\x1b[<65;40;8M")
    s = t.wait("row 8/200", what="wheel")
    check(s is not None, "the wheel scrolls", s)
    t.keys("g")

    # Help from the key tables.
    t.keys("?")
    s = t.wait("Help", what="help overlay")
    check(s is not None and "frequency table of this column" in s and "Everywhere" in s,
          "? shows the pane's keys and the global keys", s)
    t.keys("q")
    s = t.wait(lambda x: "Help" not in x, what="help closed")
    check(s is not None, "q closes the help", s)

    # Tab completion of a command and a table, drawn by the app.
    t.keys(":")
    t.text("op")
    t.keys("Tab")
    s = t.wait(":open", what="completed :open")
    check(s is not None, "Tab completes a command name", s)
    t.keys("Tab", "Tab")
    s = t.wait(lambda x: any("items" in l and "other" in l for l in x.split("\n")),
               what="table list popup")
    check(s is not None and "other" in s, "Tab lists the tables", s)
    t.text("oth")
    t.keys("Tab", "Enter")
    s = t.wait("other · 2 rows", what="opened other")
    check(s is not None, ":open other opens it", s)

    # A filter through :filter, then :q.
    t.keys(":")
    t.text("filter a = 2")
    t.keys("Enter")
    s = t.wait("where a = 2 (1)", what="filter")
    check(s is not None, ":filter PRED filters", s)

    # Save the filter as a segment; it shows in the list with its count.
    t.keys(":")
    t.text("segment add two")
    t.keys("Enter")
    s = t.wait(lambda x: "segment two saved" in x and any(l.startswith("│ two") for l in x.split("\n")),
               what="segment saved and listed")
    check(s is not None, ":segment add NAME saves the filter and lists it", s)

    # Export the rows in view.
    out = os.path.join(TMP, "two.csv")
    t.keys(":")
    t.text("export %s" % out)
    t.keys("Enter")
    s = t.wait("exported 1 rows", what="export")
    body = open(out).read() if os.path.exists(out) else ""
    check(s is not None and body.split() == ["a,b", "2,y"], ":export writes the filtered rows: %r" % body, s)

    # Search with / and n.
    t.keys(":")
    t.text("open items")
    t.keys("Enter")
    t.wait("items · 200 rows")
    t.keys("l", "/")
    t.text("item 15")
    t.keys("Enter")
    s = t.wait("found", what="search hit")
    check(s is not None and "item 15 " in s.split("\n")[3], "/ finds the first match below", s)
    t.keys("n")
    s = t.wait(lambda x: "item 150" in x.split("\n")[3], what="n next match")
    check(s is not None, "n finds the next match", s)

    t.keys(":")
    t.text("q")
    t.keys("Enter")
    st = t.exit_status()
    check(st == 0, ":q exits 0 (got %s)" % st)
    check(t.option("#{alternate_on}") == "0", "the terminal left the alternate screen")
    s = t.screen()
    check("items · 200 rows" not in s, "the workbench is gone from the screen after exit", s)
    rep = t.sanitizer_report()
    check(rep == "", "no sanitizer reports", rep)
finally:
    t.close()

# History survives a restart: ':' then Up recalls the last command.
t = Tui(db, 120, 40, name="shell2")
try:
    t.wait("items · 200 rows")
    t.keys(":")
    t.wait(lambda x: x.split("\n")[39].startswith(":"))
    t.keys("Up")
    s = t.wait(lambda x: x.split("\n")[39].startswith(":q"), what=":q recalled")
    check(s is not None, ": then Up recalls the previous session's last command", s)
    t.keys("Up")
    s = t.wait(lambda x: x.split("\n")[39].startswith(":open items"), what="older line")
    check(s is not None, "Up again goes further back", s)
    t.keys("Escape")
    s = t.wait(lambda x: "? help" in x.split("\n")[39], what="prompt cancelled")
    check(s is not None, "Esc cancels the line", s)

    # Esc cancels a long import and leaves the workspace as it was.
    big = os.path.join(TMP, "bigimport.csv")
    with open(big, "w") as f:
        f.write("id,name,city,note\n")
        for i in range(400000):
            f.write('%d,"name %d",上海,"a note, with a comma"\n' % (i, i))
    t.keys(":")
    t.text("import %s bigimport" % big)
    t.keys("Enter")
    s = t.wait(lambda x: "import " in x.split("\n")[39] and "%" in x.split("\n")[39], timeout=20,
               what="import progress")
    check(s is not None and "rows/s" in s, "a long import shows percent and rows/s", s)
    t.keys("j")   # keys are still answered while it runs
    t.keys("Escape")
    s = t.wait("cancelled", timeout=30, what="import cancelled")
    check(s is not None, "Esc cancels the import", s)
    t.keys(":")
    t.text("q")
    t.keys("Enter")
    check(t.exit_status() == 0, "quits cleanly after a cancelled job")
finally:
    t.close()
r = subprocess.run([COPYLAB, "--db", db, "tables"], capture_output=True, text=True)
check("bigimport" not in r.stdout and "items" in r.stdout,
      "the cancelled import left no table behind", r.stdout + r.stderr)

# First run: no workspace at the path -> created, sample data imported, said so.
fresh = os.path.join(TMP, "fresh", "new.db")
os.makedirs(os.path.dirname(fresh), exist_ok=True)
t = Tui(fresh, 120, 40, name="shell4")
try:
    s = t.wait("imported the sample data", timeout=60, what="first-run import")
    check(s is not None and "customers" in s and "Created " in s,
          "a new workspace gets the sample data, and says so", s)
    t.keys(":")
    t.text("q")
    t.keys("Enter")
    check(t.exit_status() == 0, "quits after the first run")
finally:
    t.close()

# LANG=C and TERM=vt100: ASCII boxes, '?' for what ASCII cannot show.
t = Tui(db, 80, 24, name="shell3", env={"LANG": "C", "LC_ALL": "C", "TERM": "vt100"})
try:
    s = t.wait("items | 200 rows", what="ASCII title")
    lines = (s or "").split("\n")
    check(s is not None and lines[1].startswith("+") and lines[2].startswith("|"),
          "ASCII box drawing under LANG=C", s)
    check(s is not None and all(ord(c) < 128 for c in s), "only ASCII on the screen", s)
    check(s is not None and "| ??" in s, "Chinese shown as ? placeholders", s)
    t.keys("q")
    check(t.exit_status() == 0, "q quits")
finally:
    t.close()
finish()
