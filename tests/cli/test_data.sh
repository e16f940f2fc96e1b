#!/bin/sh
# test_data.sh — import, tables, query, profile, export, clean and segment from
# the command line: output shapes, errors naming file:line:column, read-only
# refusals, and export -> import round trips.
set -u
: "${COPYLAB:?}" "${TEST_TMP:?}"
cd "$TEST_TMP" || exit 1
db="$TEST_TMP/data.db"
cl() { "$COPYLAB" --db "$db" "$@"; }
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect_json 'python expression over j' LABEL < json
expect_json() {
	python3 -c "import json,sys; j=json.load(sys.stdin); sys.exit(0 if ($1) else 1)" || { bad "$2"; return; }
	ok
}

printf 'id,name,email,city,spend,joined\n1,Ann Lee,ann@x.com,上海,12.5,2024-01-05\n2,"Bo, Jr",bo@x.com,"New\nYork",7,2024-02-11\n3,Cy,,杭州,,2024-03-01\n' > people.csv
printf 'id\tkind\tn\n1\topen\t3\n2\tclick\t\n' > events.tsv
printf '{"id":1,"tags":["a"],"ok":true}\n{"id":2,"note":"hi"}\n' > items.jsonl

# import on a missing workspace creates it
[ ! -e "$db" ] || rm -f "$db"
cl import people.csv --json > out.json 2> err.txt || bad "import people.csv: $(cat err.txt)"
expect_json 'j["table"]=="people" and j["rows"]==3 and [c["type"] for c in j["columns"]]==["integer","text","text","text","real","date"] and [c["personal"] for c in j["columns"]]==[False,True,True,False,False,False] and j["peak_rss_kib"]>0' "import --json shape" < out.json
[ -f "$db" ] && ok || bad "workspace not created"
cl import events.tsv > out.txt || bad "import tsv"
grep -q "imported events.tsv into table events: 2 rows, 3 columns" out.txt && ok || bad "import human output: $(cat out.txt)"
cl import items.jsonl --table things --json > out.json; expect_json '[c["name"] for c in j["columns"]]==["id","tags","ok","note"]' "jsonl columns" < out.json
printf 'a;b\n1,5;x\n' > semi.csv
cl import semi.csv --delimiter ';' --json > out.json; expect_json 'j["columns"][0]["type"]=="text" and j["rows"]==1' "delimiter" < out.json

# errors name file:line:column and leave things as they were
printf 'id,name\n1,a\n2,"open\n3,c\n' > broken.csv
cl import broken.csv 2> err.txt && bad "broken import succeeded"
grep -q "copylab: broken.csv:3:3: unterminated quoted field" err.txt && ok || bad "unterminated message: $(cat err.txt)"
printf 'id,name\n1,a\n2\n' > ragged.csv
cl import ragged.csv 2> err.txt && bad "ragged import succeeded"
grep -q 'ragged.csv:3:1: row 2 has 1 field, the header has 2; missing "name"' err.txt && ok || bad "ragged message: $(cat err.txt)"
printf 'id,name\n1,x\000y\n' > nul.csv
cl import nul.csv 2> err.txt && bad "a NUL byte was imported"
grep -q 'nul.csv:2:4: a NUL byte' err.txt && ok || bad "NUL message: $(cat err.txt)"
cl tables --json > out.json; expect_json 'sorted(t["name"] for t in j)==["events","people","semi","things"]' "failed imports added no table" < out.json
cl import ragged.csv --lenient --json > out.json; expect_json 'j["padded"]==1 and j["rows"]==2' "lenient counts" < out.json
cl import people.csv 2> err.txt && bad "second import without --replace"
grep -q "already exists; use --replace" err.txt && ok || bad "exists message: $(cat err.txt)"
cl import people.csv --append --json > out.json; expect_json 'j["table_rows"]==6' "append" < out.json
cl import people.csv --replace --append 2> err.txt; [ $? -eq 2 ] && grep -q "exclude each other" err.txt && ok || bad "--replace with --append: $(cat err.txt)"
cl tables --json > out.json; expect_json '[t["rows"] for t in j if t["name"]=="people"]==[6]' "--replace --append changed nothing" < out.json
cl import people.csv --table 2> err.txt; grep -q "import: --table needs a value" err.txt && ok || bad "missing option value: $(cat err.txt)"
cl import ragged.csv --table rag1 --lenient > out.txt && grep -q "lenient: 1 row padded" out.txt && ok || bad "lenient singular: $(cat out.txt)"
cl import people.csv --replace --json > out.json; expect_json 'j["table_rows"]==3' "replace" < out.json

# tables
cl tables --json > out.json; expect_json 'any(t["name"]=="people" and t["rows"]==3 and t["columns"][4]=={"name":"spend","type":"real","personal":False} for t in j)' "tables --json" < out.json
cl tables > out.txt && grep -q "^people  *3  id integer, name text\*, email text\*" out.txt && ok || bad "tables human: $(cat out.txt)"

# query
cl query "SELECT id, name, spend FROM people ORDER BY id" --json > out.json; expect_json 'j==[{"id":1,"name":"Ann Lee","spend":12.5},{"id":2,"name":"Bo, Jr","spend":7.0},{"id":3,"name":"Cy","spend":None}]' "query --json" < out.json
cl query "SELECT name, city FROM people WHERE id=2" --csv > out.csv
printf 'name,city\n"Bo, Jr","New\nYork"\n' | cmp -s - out.csv && ok || bad "query --csv: $(cat out.csv)"
cl query "SELECT count(*) AS n FROM people" > out.txt && grep -q "(1 row)" out.txt && ok || bad "query human"
for sql in "DELETE FROM people" "DROP TABLE people" "ATTACH 'x.db' AS x" "PRAGMA writable_schema=1" "INSERT INTO people(id) VALUES(9)"; do
	cl query "$sql" 2> err.txt && bad "write allowed: $sql"
	grep -q "refused: queries are read-only" err.txt && ok || bad "no refusal for $sql: $(cat err.txt)"
done
cl query "SELECT count(*) AS n FROM people" --json > out.json; expect_json 'j==[{"n":3}]' "refusals changed nothing" < out.json

# profile
cl profile people --json > out.json; expect_json 'j["rows"]==3 and j["columns"][4]["mean"]==9.75 and j["columns"][4]["nulls"]==1 and j["columns"][1]["top"][0]["count"]==1' "profile --json" < out.json
cl profile people > out.txt && grep -q "spend" out.txt && grep -q "9.75 ± 3.89" out.txt && ok || bad "profile human: $(cat out.txt)"

# export -> import round trips (csv and jsonl)
for fmt in csv jsonl; do
	cl export people --format $fmt --out "rt.$fmt" 2>/dev/null || bad "export $fmt"
	cl import "rt.$fmt" --table "rt_$fmt" > /dev/null || bad "reimport $fmt"
	cl query "SELECT count(*) AS n FROM (SELECT * FROM people EXCEPT SELECT * FROM rt_$fmt)" --json > out.json; expect_json 'j==[{"n":0}]' "round trip $fmt" < out.json
done
cl export --query "SELECT id, name FROM people WHERE id < 3" --format csv > q.csv || bad "export --query"
printf 'id,name\n1,Ann Lee\n2,"Bo, Jr"\n' | cmp -s - q.csv && ok || bad "export --query output: $(cat q.csv)"

# clean
printf 'id,name\n1, Ann \n1,Ann\n2,\n,\n' > dirty.csv
cl import dirty.csv > /dev/null
cl clean dirty --into tidy --trim --dedupe --drop-empty --fill name=unknown --json > out.json; expect_json 'j["rows_in"]==4 and j["rows_out"]==2 and j["cells_trimmed"]==1 and j["duplicates"]==1 and j["cells_filled"]==1 and j["empty_rows"]==1' "clean report" < out.json
cl clean dirty --into tidy2 --dedupe --key id > out.txt && grep -q "duplicates   1 dropped" out.txt && ok || bad "clean human: $(cat out.txt)"

cl clean people --into people_bad --fill spend=lots 2> err.txt && bad "--fill text into a real column"
grep -q 'fill spend=lots: column "spend" is real' err.txt && ok || bad "fill type message: $(cat err.txt)"
cl tables --json > out.json; expect_json '"people_bad" not in [t["name"] for t in j]' "refused clean made no table" < out.json

# a real column reads alike: 12.50 and 7.00, not 12.5 and 7
cl query "SELECT spend FROM people WHERE spend IS NOT NULL ORDER BY id LIMIT 2" > out.txt
grep -q "12.50" out.txt && grep -q " 7.00" out.txt && ok || bad "real column decimals: $(cat out.txt)"

# the personal-column footnote only when a column is marked personal
nodb="$TEST_TMP/nopers.db"
"$COPYLAB" --db "$nodb" import events.tsv > /dev/null
"$COPYLAB" --db "$nodb" tables > out.txt && ! grep -q "personal" out.txt && ok || bad "footnote without personal columns: $(cat out.txt)"
cl tables > out.txt && grep -q "(\* personal" out.txt && ok || bad "footnote with personal columns: $(cat out.txt)"

# segments
cl segment add shanghai --table people --where "city = '上海' OR spend > 10" > out.txt && grep -q "1 of 3 rows (33.3%)" out.txt && ok || bad "segment add: $(cat out.txt)"
cl segment add evil --table people --where "1); DELETE FROM people; SELECT (1" 2> err.txt && bad "evil segment accepted"
cl segment list --json > out.json; expect_json '[s["name"] for s in j]==["shanghai"] and j[0]["rows"]==1 and abs(j[0]["share"]-1/3)<1e-9' "segment list" < out.json
cl segment show shanghai --json > out.json; expect_json 'j["profile"]["rows"]==1 and j["table_profile"]["rows"]==3 and j["where"].startswith("city")' "segment show --json" < out.json
cl segment show shanghai > out.txt && grep -q "table mean" out.txt && ok || bad "segment show human"
cl segment show nosuch 2> err.txt && bad "missing segment shown"
grep -q "no segment named 'nosuch'" err.txt && ok || bad "missing segment message"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
