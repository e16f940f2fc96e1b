"""test_sanitizer.py — hostile and odd text in every cell: random mixes of
controls (C0, ESC sequences, C1, DEL), bidi overrides, invalid UTF-8, wide
Chinese and Hangul, emoji, combining and zero-width marks. Whatever the cells
hold, every grid line keeps the frame's width and right border, nothing
reaches the terminal as a control (the title stays, the screen is never
cleared), and the row detail draws the same text wrapped."""
import os
import random
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tuitest import TMP, Tui, check, finish  # noqa: E402
import unicodedata  # noqa: E402

rnd = random.Random(7)
PIECES = [
    "a", "Z", "9", " ", "-", "é", "上", "海", "茶", "한", "🍵", "e\u0301", "\u200b", "\ufeff",
    "\x1b]0;pwned\x07", "\x1b[2J", "\x1b[31m", "\x07", "\x08", "\t", "\n", "\r", "\x00x",
    "\x7f", "\u0085", "\u009b", "\u202e", "\u202d", "\u2066", "\u2069", "\u200f", "\u2028",
]
BAD = [b"\xff", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf5\x80\x80\x80"]


def cell():
    out = b""
    for _ in range(rnd.randint(0, 14)):
        if rnd.random() < 0.12:
            out += rnd.choice(BAD)
        else:
            out += rnd.choice(PIECES).encode("utf-8")
    return out


db = os.path.join(TMP, "hostile.db")
con = sqlite3.connect(db)
con.execute("CREATE TABLE hostile(id INTEGER, a TEXT, b TEXT, c TEXT)")
for i in range(1, 121):
    # Stored as TEXT holding exactly these bytes, valid UTF-8 or not.
    con.execute("INSERT INTO hostile VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT))",
                (i, cell(), cell(), cell()))
con.commit()
con.close()


def width(s):
    w = 0
    for ch in s:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


t = Tui(db, 120, 40, name="san")
try:
    out = os.path.join(TMP, "san.out")
    s = t.wait("hostile · 120 rows", what="hostile table")
    check(s is not None, "the table opens", s)
    t.tmux("pipe-pane", "-o", "-t", "t", "cat > '%s'" % out)
    bad_lines = []
    for page in range(4):
        s = t.settle()
        lines = s.split("\n")
        for l in lines[2:38]:
            if width(l.rstrip()) != 120 or not l.rstrip().endswith("│"):
                bad_lines.append(l)
        t.keys("NPage")
        t.wait(lambda x, p=page: "row %d/120" % (1 + 35 * (p + 1)) in x or "row 120/120" in x)
    check(not bad_lines, "every grid line keeps width 120 and its border over 4 pages",
          "\n".join(bad_lines[:5]))
    # The row detail wraps the same cells.
    t.keys("g", "Enter")
    s = t.wait("hostile · row 1", what="detail")
    lines = (s or "").split("\n")
    bad = [l for l in lines[2:38] if width(l.rstrip()) != 120 or not l.rstrip().endswith("│")]
    check(s is not None and not bad, "the row detail keeps its frame", "\n".join(bad[:5]) or s)
    t.keys("q")
    t.tmux("pipe-pane", "-t", "t")
    with open(out, "rb") as f:
        raw = f.read()
    check(b"pwned" not in raw or b"\x1b]0;pwned" not in raw, "no OSC title sequence reached the terminal")
    check(b"\x1b[2J" not in raw and b"\x07" not in raw, "no clear-screen or bell reached the terminal")
    check(t.option("#{pane_title}") != "pwned", "the title is unchanged")
    t.keys(":")
    t.text("q")
    t.keys("Enter")
    check(t.exit_status() == 0, ":q exits 0")
    rep = t.sanitizer_report()
    check(rep == "", "no sanitizer reports", rep)
finally:
    t.close()
finish()
