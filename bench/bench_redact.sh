#!/bin/sh
# bench_redact.sh — redactor throughput: `copylab redact -` over ~17 MB of
# customer-like lines (names, e-mails, phones in several formats, card-like
# numbers, Chinese text), against a peer: GNU sed -E with an e-mail and a
# digit-run regex (which does less: no phone shapes, no Chinese formats).
set -u
C=${COPYLAB:?}
T=${BENCH_TMP:-$(mktemp -d)}
IN="$T/redact_in.txt"
python3 - "$IN" <<'PY'
import random, sys
rng = random.Random(7)
names = ["Anna Berg", "王小明", "Li Wei", "Sophie Martin", "陈佳琪", "Omar Khan"]
lines = []
for i in range(200000):
    n = rng.choice(names)
    kind = i % 5
    if kind == 0:
        lines.append("%s <%s%d@example.com> ordered 2 boxes of tea on 2026-05-%02d, total ¥%d.00" % (n, "user", i, i % 28 + 1, rng.randrange(50, 900)))
    elif kind == 1:
        lines.append("客户%s，手机 138-0000-%04d，地址：上海市徐汇区，订单已发货。" % (n, rng.randrange(10000)))
    elif kind == 2:
        lines.append("Call %s on +44-7700-900%03d or (415) 555-%04d about the spring sale, 20%% off." % (n, rng.randrange(1000), rng.randrange(10000)))
    elif kind == 3:
        lines.append("Card 4111 1111 1111 %04d, ID 11010119900307%03dX, member since 2019; loves oolong." % (rng.randrange(10000), rng.randrange(1000)))
    else:
        lines.append("Just a plain review: the Longjing was fresh and sweet, three infusions, would buy again.")
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
bytes=$(wc -c < "$IN")
now() { python3 -c 'import time; print(time.monotonic())'; }
t0=$(now)
"$C" redact - < "$IN" > "$T/redact_out.txt" || { echo '{"bench":"redact","error":"copylab redact failed"}'; exit 1; }
t1=$(now)
LC_ALL=C sed -E -e 's/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/[redacted email]/g' \
	-e 's/\+?[0-9][0-9 ()-]{7,}[0-9]/[redacted number]/g' < "$IN" > "$T/redact_sed.txt"
t2=$(now)
left=$(grep -c '@example.com' "$T/redact_out.txt")
python3 - "$bytes" "$t0" "$t1" "$t2" "$left" <<'PY'
import json, sys
b, t0, t1, t2, left = int(sys.argv[1]), *map(float, sys.argv[2:5]), int(sys.argv[5])
ours, sed = t1 - t0, t2 - t1
print(json.dumps({"bench": "redact_throughput", "bytes": b, "seconds": round(ours, 3),
                  "mb_per_s": round(b / ours / 1e6, 1), "peer": "GNU sed -E (email + digit-run regex)",
                  "peer_seconds": round(sed, 3), "ratio_to_peer": round(ours / sed, 2),
                  "emails_left": left}))
PY
