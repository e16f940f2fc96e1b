"""test_data_pane.py — the Data pane in tmux at 120x40 then 80x24: rows after
G, sorted order after ], a filter, a frequency table and filtering from it,
Chinese text aligned, a hostile cell drawn as placeholders, resize."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tuitest import TMP, Tui, check, col_of, finish, make_workspace, width  # noqa: E402

CITIES = ["上海", "杭州", "Beijing", "广州市", "Shenzhen"]
EVIL = "\x1b]0;pwned\x07\x1b[2J"
N = 300

rows = []
for i in range(1, N + 1):
    rows.append([i, "name%03d" % i, CITIES[i % 5], (i * 37) % 101])
rows.append([N + 1, "evil", EVIL, 50])
db = os.path.join(TMP, "ws.db")
weird = [[1, "a\u202eRTL override"], [2, "c1\u0085next"], [3, "del\x7fx"], [4, "tab\there"],
         [5, "iso\u2066late\u2069"], [6, "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长"]]
make_workspace(db, {"people": (["id", "name", "city", "score"], rows),
                    "weird": (["id", "v"], weird)})

t = Tui(db, 120, 40, name="data")
try:
    s = t.wait("people · 301 rows", what="the people table")
    check(s is not None, "the Data pane opens the table with its row count", s)

    # Rows after G: the last rows, the footer at row 301/301.
    t.keys("G")
    s = t.wait("row 301/301", what="row 301/301")
    check(s is not None and "evil" in s and "name300" in s, "G shows the last rows", s)

    # The hostile cell: placeholders, no title change, layout intact.
    check(s is not None and "␛]0;pwned␇␛[2J" in s, "control characters drawn as placeholders", s)
    check(t.option("#{pane_title}") != "pwned", "the cell did not set the terminal title")
    lines = s.split("\n") if s else []
    box = [l for l in lines[2:39] if l.startswith("│")]
    widths = set(width(l.rstrip()) for l in box)
    check(widths == {120}, "every grid line keeps the full width (%s)" % sorted(widths), s)

    # Chinese stays aligned: the column separators sit at the same display
    # columns on the header line and on every data line.
    def seps(line):
        return [col_of(line, m.start()) for m in re.finditer("│", line)]
    header = next((l for l in lines if " id " in l and "city" in l), "")
    hs = seps(header)
    bad = [l for l in lines[3:38] if ("上海" in l or "广州市" in l) and seps(l) != hs]
    check(header != "" and not bad, "Chinese cells keep the columns aligned", "\n".join(bad[:3]) or s)

    # Redraw only what changed: bytes written to the terminal for j and PgDn.
    def bytes_for(key, until):
        out = os.path.join(TMP, "pipe-%s.out" % key)
        t.settle()
        t.tmux("pipe-pane", "-o", "-t", "t", "cat > '%s'" % out)
        t.keys(key)
        t.wait(until, what=str(until))
        t.settle()
        t.tmux("pipe-pane", "-t", "t")
        with open(out, "rb") as f:
            return f.read()
    t.keys("g")
    t.wait("row 1/301")
    b = bytes_for("j", "row 2/301")
    check(0 < len(b) < 1500, "j sends only the rows that changed (%d bytes)" % len(b))
    b = bytes_for("NPage", lambda x: "row 2/301" not in x and "row " in x)
    m = re.search(r"row (\d+)/301", t.screen())
    check(m is not None and int(m.group(1)) == 2 + 35, "PgDn moves a page (35 rows at 120x40)",
          t.screen())
    check(0 < len(b) < 120 * 40 * 2 and b"\x1b[2J" not in b and b"\x1b[J" not in b,
          "PgDn sends about a screen of bytes, no clear (%d bytes)" % len(b))

    # Sorted order after ] on score (the 4th column): descending.
    t.keys("g", "0", "l", "l", "l", "]")
    s = t.wait("by score ▼", what="sorted by score")
    scores = []
    for l in (s or "").split("\n")[3:20]:
        m = re.search(r"││\s*(\d+) │[^│]*│[^│]*│\s*(\d+) │", l)
        if m:
            scores.append(int(m.group(2)))
    check(len(scores) >= 10 and scores == sorted(scores, reverse=True) and scores[0] == 100,
          "] sorts descending: %s" % scores[:6], s)

    # Filter through | and count.
    t.keys("|")
    t.wait("filter:", what="filter prompt")
    t.text("score >= 95")
    t.keys("Enter")
    want = sum(1 for r in rows if r[3] >= 95)
    s = t.wait("where score >= 95 (%d)" % want, what="filtered count")
    check(s is not None, "| filters and counts the rows (%d)" % want, s)
    t.keys("c")
    s = t.wait(lambda x: "where" not in x.split("\n")[1], what="filters cleared")
    check(s is not None, "c clears the filter", s)

    # Frequency table of city, then Enter filters to the top value.
    t.keys("0", "l", "l", "F")
    s = t.wait(lambda x: "frequency of city ·" in x.split("\n")[1] and "in flight" not in x.split("\n")[0],
               what="frequency table")
    counts = {}
    for r in rows:
        counts[r[2]] = counts.get(r[2], 0) + 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    check(s is not None and re.search(r"%s\s+%d\s+%.1f%%" % (re.escape(top[0]), top[1],
                                                           100.0 * top[1] / len(rows)), s),
          "F shows value, count and percent (%s %d)" % top, s)
    t.keys("Enter")
    s = t.wait("(%d)" % top[1], what="filter from the frequency table")
    check(s is not None and "\"city\" = '%s'" % top[0] in s, "Enter on a value filters to it", s)

    # Equal-to-this-cell filter on top of it: the name column.
    t.keys("h", ",")
    s = t.wait(lambda x: "\"name\" = " in x and "(1)" in x, what="equal filter")
    check(s is not None and "(1)" in s, ", keeps rows equal to the cell", s)

    # Column profile panel beside the grid.
    t.keys("i")
    s = t.wait(lambda x: "profile · name" in x and "distinct" in x, what="profile panel")
    check(s is not None and "people ·" in s and re.search(r"distinct\s+1\b", s) is not None,
          "i shows the column's profile beside the grid", s)
    t.keys("i")

    # Row detail with Enter, q back.
    t.keys("Enter")
    s = t.wait("q back", what="detail")   # the detail's footer ("row " is in the grid's too)
    check(s is not None and "city" in s and "score" in s and "line 1/" in s, "Enter opens the row detail", s)
    t.keys("q")
    t.keys("c")

    # More hostile text: bidi overrides and isolates, C1, DEL, tab; a long
    # Chinese cell is cut with an ellipsis at a character boundary.
    t.keys(":")
    t.text("open weird")
    t.keys("Enter")
    s = t.wait("weird · 6 rows", what="weird table")
    lines = (s or "").split("\n")
    check(s is not None and "a�RTL override" in s and "c1�next" in s and "del␡x" in s
          and "tab␉here" in s and "iso�late�" in s, "bidi, C1, DEL and tab become placeholders", s)
    long_line = next((l for l in lines if "长长" in l), "")
    check(long_line.rstrip().endswith("│") and "…" in long_line and width(long_line.rstrip()) == 120,
          "a long Chinese cell ends in an ellipsis and keeps the line width", s)
    t.keys(":")
    t.text("open people")
    t.keys("Enter")
    t.wait("people · 301 rows")

    # Resize 120x40 -> 80x24 redraws cleanly.
    t.resize(80, 24)
    s = t.wait(lambda x: len(x.rstrip("\n").split("\n")) <= 24 and "5 History" in x
               and x.split("\n")[22].startswith("└"), what="80x24 frame")
    lines = (s or "").split("\n")
    ok = s is not None and all(width(l.rstrip()) <= 80 for l in lines)
    ok = ok and lines[1].startswith("┌") and lines[22].startswith("└") and lines[22].rstrip().endswith("┘")
    mid = [l for l in lines[2:22]]
    ok = ok and all(l.startswith("│") and l.rstrip().endswith("│") for l in mid)
    check(ok, "resize to 80x24 redraws the frame with no leftovers", s)

    # Smaller than 80x24: a clear notice.
    t.resize(70, 20)
    s = t.wait("at least 80x24", what="too-small notice")
    check(s is not None, "a terminal smaller than 80x24 gets a notice", s)
    t.resize(120, 40)
    s = t.wait("people · 301 rows", what="back to 120x40")
    check(s is not None, "growing back redraws the pane", s)

    t.keys(":")
    t.wait(lambda x: x.split("\n")[39].startswith(":"), what=": prompt")
    t.text("q")
    t.keys("Enter")
    st = t.exit_status()
    check(st == 0, ":q exits with status 0 (got %s)" % st)
    rep = t.sanitizer_report()
    check(rep == "", "no sanitizer reports in the log", rep)
finally:
    t.close()
finish()
