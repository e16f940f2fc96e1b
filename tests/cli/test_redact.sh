#!/bin/sh
# test_redact.sh — `copylab redact`: the sample customers lose their e-mails and
# phone numbers, ordinary text and Chinese stay byte for byte.
set -u
C=${COPYLAB:?}
TOP=${COPYLAB_TOP:?}
T=${TEST_TMP:-$(mktemp -d)}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

out=$("$C" redact "Mail anna@example.com, call +1-555-0123 or 138-0000-1234; card 4111 1111 1111 1111; 价格¥1299，八折")
[ "$out" = "Mail [redacted email], call [redacted phone] or [redacted phone]; card [redacted number]; 价格¥1299，八折" ] \
	|| fail "inline text: $out"
out=$(printf 'x@y.org 13800138000\n' | "$C" redact --only email)
[ "$out" = "[redacted email] 13800138000" ] || fail "--only email: $out"
out=$("$C" redact "亲爱的王小明，您好" --literal 王小明 --json)
[ "$out" = '{"text":"亲爱的[redacted personal]，您好","redacted":1}' ] || fail "--literal --json: $out"
plain="Only \$1,299.00, save 20% until 2024-05-01 10:30! 春季新品上市，限时八折 🎉"
[ "$("$C" redact "$plain")" = "$plain" ] || fail "ordinary text changed"

CSV="$TOP/sample-data/data/customers.csv"
if [ -f "$CSV" ]; then
	"$C" redact - < "$CSV" > "$T/red.csv" || fail "redact the sample customers"
	python3 - "$CSV" "$T/red.csv" <<'PY' || fail "sample customers"
import csv, re, sys
src = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
red = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
assert len(src) == len(red), (len(src), len(red))
bad = []
for a, b in zip(src, red):
    if a["email"] and b["email"] != "[redacted email]":
        bad.append(("email", a["email"], b["email"]))
    if a["phone"] and b["phone"] != "[redacted phone]":
        bad.append(("phone", a["phone"], b["phone"]))
    for k in ("name", "city", "region", "gender"):
        if a[k] != b[k]:
            bad.append((k, a[k], b[k]))
assert not bad, bad[:10]
PY
fi
[ "$fails" -eq 0 ] && echo "all redact CLI checks passed"
[ "$fails" -eq 0 ]
