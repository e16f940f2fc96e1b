#!/bin/sh
# test_template.sh — `copylab template`: import and versions, list/show/history,
# render with a bound row, segment and vars, redaction on and off, errors that
# name the variable and line, and every bundled sample template rendering.
set -u
C=${COPYLAB:?}
TOP=${COPYLAB_TOP:?}
T=${TEST_TMP:-$(mktemp -d)}
DB="$T/tpl.db"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_err() { # MESSAGE -- command...
	msg=$1; shift
	out=$("$@" 2>&1); st=$?
	[ "$st" -ne 0 ] || fail "expected failure: $* (got status 0)"
	echo "$out" | grep -qF -- "$msg" || fail "expected '$msg' from: $* — got: $out"
	return 0
}
sql() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' "$DB" "$1"; }

cat > "$T/promo.tmpl" <<'EOF'
---
name: promo
channel: sms
language: en
fields: text
tone: playful
system: You write for {{brand.name}}.
---
Announce {{product.name}} at {{product.price}} to {{segment.name|upper}} ({{segment.profile}}).
Owner: {{product.owner|default:"nobody"}}. Contact {{product.contact}}.
Deadline {{deadline|default:"Sunday"}}.
EOF

# 1. import, unchanged re-import, new version with a parent
out=$("$C" --db "$DB" template import "$T/promo.tmpl") || fail "import"
echo "$out" | grep -q "imported promo version 1" || fail "import message: $out"
out=$("$C" --db "$DB" template import "$T/promo.tmpl") || fail "re-import"
echo "$out" | grep -q "unchanged" || fail "re-import should be unchanged: $out"
sed 's/^Announce/Tell everyone about/' "$T/promo.tmpl" > "$T/promo2.tmpl"
"$C" --db "$DB" template import "$T/promo2.tmpl" --json > "$T/imp.json" || fail "import v2"
python3 - "$T/imp.json" <<'PY' || fail "import --json shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == "promo" and d["version"] == 2 and d["created"] is True, d
assert d["parent_id"] is not None and d["fields"] == ["text"] and d["channel"] == "sms", d
PY

# 2. list, history, show
"$C" --db "$DB" template list --json > "$T/list.json" || fail "list --json"
python3 - "$T/list.json" <<'PY' || fail "list --json shape"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["templates"]
assert len(t) == 1 and t[0]["name"] == "promo" and t[0]["version"] == 2 and t[0]["versions"] == 2, t
PY
"$C" --db "$DB" template list | grep -q "^promo " || fail "list table"
"$C" --db "$DB" template history promo | grep -c "^promo " | grep -q 2 || fail "history rows"
"$C" --db "$DB" template show promo@1 > "$T/show1.txt" || fail "show @1"
cmp -s "$T/show1.txt" "$T/promo.tmpl" || fail "show promo@1 differs from the imported file"
"$C" --db "$DB" template show promo --diff | grep -q "^+Tell everyone about" || fail "show --diff"
"$C" --db "$DB" template show promo --json > "$T/show.json" || fail "show --json"
python3 - "$T/show.json" <<'PY' || fail "show --json shape"
import json, sys
d = json.load(open(sys.argv[1]))
names = [v["name"] for v in d["variables"]]
assert names[0] == "brand.name" and "product.contact" in names and "deadline" in names, names
v = [v for v in d["variables"] if v["name"] == "product.name"][0]
assert v["line"] == 9, v
assert d["tone"] == "playful" and d["version"] == 2 and d["parent_id"], d
PY
expect_err "no template 'nope'" "$C" --db "$DB" template show nope
expect_err "promo@9" "$C" --db "$DB" template show promo@9

# 3. render with a row, a segment and vars; redaction on by default
sql "CREATE TABLE items(id INTEGER, name TEXT, price REAL, owner TEXT, contact TEXT);
INSERT INTO items VALUES (3, 'Jade Cup', 88, 'Li Wei', 'li.wei@example.com or +86 138 0013 8000');
CREATE TABLE people(name TEXT, city TEXT);
INSERT INTO people VALUES ('Ann', 'Oslo');
INSERT INTO cl_segments(name, dataset, predicate, row_count, profile) VALUES ('fans', 'people', 'city = ''Oslo''', 1, '1 people; city mostly Oslo (100%)');
INSERT INTO cl_meta VALUES ('brand', '{\"name\": \"Shanlan\"}');"
out=$("$C" --db "$DB" template render promo --row items:3 --segment fans --var deadline=Friday 2>"$T/err.txt") || fail "render: $(cat "$T/err.txt")"
echo "$out" | grep -q "^--- system ---" || fail "render shows the system message"
echo "$out" | grep -q "You write for Shanlan." || fail "brand from the workspace"
echo "$out" | grep -q "Reply with one JSON object" || fail "format instruction in the system message"
echo "$out" | grep -q "Tell everyone about Jade Cup at 88.00 to FANS (1 people; city mostly Oslo (100%))." || fail "substitution: $out"
echo "$out" | grep -q "Owner: Li Wei." || fail "owner before marking it personal: $out"
echo "$out" | grep -q "Contact \[redacted email\] or \[redacted phone\]." || fail "redaction: $out"
echo "$out" | grep -q "Deadline Friday." || fail "--var: $out"
grep -q "2 values redacted" "$T/err.txt" || fail "redaction count on stderr: $(cat "$T/err.txt")"
echo "$out" | grep -q "li.wei@example.com" && fail "email leaked with redaction on"

sql "INSERT INTO cl_personal_columns VALUES ('items', 'owner');"
out=$("$C" --db "$DB" template render promo --row items:3 --segment fans 2>/dev/null) || fail "render personal"
echo "$out" | grep -q "Owner: \[redacted owner\]." || fail "personal column: $out"
echo "$out" | grep -q "Deadline Sunday." || fail "default filter: $out"

out=$("$C" --db "$DB" template render promo@1 --row items:3 --segment fans --no-redact 2>"$T/err.txt") || fail "render --no-redact"
echo "$out" | grep -q "Contact li.wei@example.com or +86 138 0013 8000." || fail "--no-redact keeps values: $out"
echo "$out" | grep -q "Owner: Li Wei." || fail "--no-redact keeps personal values"
echo "$out" | grep -q "^Announce" || fail "render NAME@1 uses version 1"
grep -q "redaction is off" "$T/err.txt" || fail "--no-redact says so"

"$C" --db "$DB" template render promo --row items:3 --segment fans --json > "$T/r.json" || fail "render --json"
python3 - "$T/r.json" <<'PY' || fail "render --json shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["template"] == "promo" and d["version"] == 2 and d["redaction"] is True, d
assert d["redacted"] == 3, d["redacted"]
assert [m["role"] for m in d["messages"]] == ["system", "user"], d["messages"]
assert d["messages"][1]["content"] == d["user"] and "[redacted owner]" in d["user"], d["user"]
PY

# 4. errors name the variable or tag and its line
printf -- '---\nname: broken\n---\nfine\nHello {{product.nme}}\n' > "$T/bad1.tmpl"
"$C" --db "$DB" template import "$T/bad1.tmpl" >/dev/null || fail "import bad1 (parses; the variable is checked at render)"
expect_err "broken@1:5: unknown variable 'product.nme'" "$C" --db "$DB" template render broken --row items:3
printf -- '---\nname: broken2\n---\n\nHi {{product.name|shout}}\n' > "$T/bad2.tmpl"
expect_err "bad2.tmpl:5: unknown filter 'shout'" "$C" --db "$DB" template import "$T/bad2.tmpl"
"$C" --db "$DB" template list | grep -q broken2 && fail "a bad template was stored"
printf -- '---\nname: broken3\n---\n{{product.name\n' > "$T/bad3.tmpl"
expect_err "bad3.tmpl:4: unclosed tag" "$C" --db "$DB" template render "$T/bad3.tmpl"
expect_err "no row is bound for 'product.name'" "$C" --db "$DB" template render promo
expect_err "no row with id 42 in 'items'" "$C" --db "$DB" template render promo --row items:42
expect_err "no segment 'ghosts'" "$C" --db "$DB" template render promo --row items:3 --segment ghosts
expect_err "KEY=VALUE" "$C" --db "$DB" template render promo --row items:3 --var oops
expect_err "unknown subcommand" "$C" --db "$DB" template frobnicate

# 5. a file renders without being stored
printf -- '---\nname: adhoc\nchannel: push\n---\nPing {{who|default:"you"}}\n' > "$T/adhoc.tmpl"
out=$("$C" --db "$DB" template render "$T/adhoc.tmpl" --bare) || fail "render FILE"
[ "$(echo "$out" | tail -1)" = "Ping you" ] || fail "render FILE output: $out"
"$C" --db "$DB" template list | grep -q adhoc && fail "render FILE stored the template"

# 6. every bundled sample template imports and renders against the sample data
SD="$TOP/sample-data"
if [ -f "$SD/data/products.csv" ] && [ -d "$SD/templates" ]; then
	DB2="$T/sample.db"
	"$C" --db "$DB2" import "$SD/data/products.csv" --table products >/dev/null 2>&1 || fail "import sample products"
	"$C" --db "$DB2" import "$SD/data/customers.csv" --table customers >/dev/null 2>&1 || fail "import sample customers"
	"$C" --db "$DB2" segment add loyal --table customers --where "segment = 'loyal'" >/dev/null 2>&1 || fail "segment add"
	for f in "$SD"/templates/*.tmpl; do
		"$C" --db "$DB2" template import "$f" >/dev/null || { fail "import $f"; continue; }
		name=$(sed -n 's/^name: *//p' "$f" | head -1)
		"$C" --db "$DB2" template render "$name" --row products:1 --segment loyal --json > "$T/s.json" 2>"$T/s.err" \
			|| fail "render sample $name: $(cat "$T/s.err")"
		python3 - "$T/s.json" <<'PY' || fail "sample $name render output"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["user"] and "{{" not in d["user"] and "{{" not in (d["system"] or ""), d
assert "@" not in d["user"] or "[redacted" in d["user"], d["user"]
PY
	done
fi

# a Chinese template name keeps the list's columns in line (display width, not bytes)
printf -- '---\nname: 春茶邮件\nchannel: email\n---\n你好 {{x|default:"朋友"}}\n' > "$T/zh-name.tmpl"
"$C" --db "$DB" template import "$T/zh-name.tmpl" >/dev/null || fail "import a Chinese-named template"
"$C" --db "$DB" template list > "$T/list.txt" || fail "template list"
python3 - "$T/list.txt" <<'PY' || fail "template list columns: $(cat "$T/list.txt")"
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
pos = {w(l[:l.index(" email ")]) for l in lines if " email " in l}
assert len(pos) == 1 and any("春茶邮件" in l for l in lines), pos
PY

[ "$fails" -eq 0 ] && echo "all template CLI checks passed"
[ "$fails" -eq 0 ]
