#!/bin/sh
# test_plugins.sh — the example plugins through the CLI: `copylab plugins`
# lists them (loaded, refused, disabled with the reason), the C reading-level
# scorer and the Python jargon scorer appear beside the built-ins, the Python
# provider generates, the Markdown (C) and Mailchimp (Python) exporters write
# tables, and a broken plugin never takes copylab down.
set -u
C=${COPYLAB:?}
TOP=${COPYLAB_TOP:?}
T=${TEST_TMP:-$(mktemp -d)}
PLUG=${COPYLAB_BUILD:-$TOP/build}/plugins
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
has() { # TEXT NEEDLE WHAT
	case $1 in *"$2"*) ;; *) fail "$3: expected '$2' in: $1" ;; esac
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

[ -f "$PLUG/readinglevel.so" ] || { echo "FAIL: $PLUG/readinglevel.so not built (make plugins-build)"; exit 1; }

# Our own plugin folder: the built examples plus broken ones.
mkdir -p "$T/plugins" "$T/broken"
cp "$PLUG"/readinglevel.so "$PLUG"/mdtable.so "$PLUG"/jargon.py "$T/plugins/"
printf '#!/bin/sh\nread line\necho "not json at all"\n' > "$T/broken/garbage"
printf '#!/bin/sh\nread line\nexit 4\n' > "$T/broken/crash"
chmod +x "$T/broken/garbage" "$T/broken/crash"
cat > "$T/old.c" <<'C'
#include "copylab_plugin.h"
const struct copylab_plugin_info copylab_plugin_info = { 0, "old", "0.1", "built for ABI 0" };
int copylab_plugin_init(const struct copylab_host *h, int v) { (void)h; (void)v; return 0; }
C
cc -std=c11 -fPIC -shared -I"$TOP/plugins" -o "$T/broken/old.so" "$T/old.c" || fail "cc old.so"

export COPYLAB_PLUGIN_PATH="$T/plugins"
export COPYLAB_DB="$T/w.db"

# --- listing
out=$("$C" plugins --json) || fail "plugins --json exited $?"
n=$(echo "$out" | json 'len([p for p in d["plugins"] if p["state"]=="loaded"])')
[ "$n" = 3 ] || fail "3 loaded plugins expected, got $n: $out"
sp=$(echo "$out" | json 'd["search_path"][0]')
[ "$sp" = "$T/plugins" ] || fail "COPYLAB_PLUGIN_PATH first in the search path, got $sp"
sc=$(echo "$out" | json '",".join(sorted(s for p in d["plugins"] for s in p["scorers"]))')
[ "$sc" = "jargon,reading_level" ] || fail "scorers: $sc"
out=$("$C" plugins) || fail "plugins exited $?"
has "$out" "readinglevel" "plugins list"
has "$out" "providers: plainspeak" "plugins list"

# --- broken plugins: listed with the reason, copylab fine
out=$(COPYLAB_PLUGIN_PATH="$T/broken:$T/plugins" COPYLAB_PLUGIN_TIMEOUT_MS=2000 "$C" plugins --json) ||
	fail "plugins with broken ones exited $?"
st=$(echo "$out" | json '" ".join(p["name"]+"="+p["state"] for p in d["plugins"])')
has "$st" "crash=disabled" "crashing plugin"
has "$st" "garbage=disabled" "garbage plugin"
has "$st" "old=refused" "ABI 0 plugin"
has "$st" "jargon=loaded" "good plugins still load"
msg=$(echo "$out" | json '[p["message"] for p in d["plugins"] if p["name"]=="old"][0]')
has "$msg" "built for plugin ABI 0, this copylab speaks ABI 1" "ABI message"
msg=$(echo "$out" | json '[p["message"] for p in d["plugins"] if p["name"]=="crash"][0]')
has "$msg" "exited with status 4" "crash message"
out=$(COPYLAB_PLUGIN_PATH="$T/broken:$T/plugins" "$C" plugins score --json "Order today.") ||
	fail "score with broken plugins exited $?"
has "$out" '"scorer":"jargon"' "score beside broken plugins"

# --- a plugin that answers describe, then hangs on its first score: killed
#     after the timeout, said so on stderr, and the built-ins still score.
mkdir -p "$T/hang"
cat > "$T/hang/stall" <<'PY'
#!/usr/bin/env python3
import json, sys, time
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] == "describe":
        print(json.dumps({"id": r["id"], "ok": True, "name": "stall", "scorers": ["stall"]}), flush=True)
    else:
        time.sleep(60)
PY
chmod +x "$T/hang/stall"
out=$(COPYLAB_PLUGIN_PATH="$T/hang" COPYLAB_PLUGIN_TIMEOUT_MS=800 "$C" plugins score --json "Order today." 2>"$T/hang.err") ||
	fail "score with a hanging plugin exited $?"
has "$out" '"scorer":"readability"' "built-ins score beside a hanging plugin"
case $out in *'"scorer":"stall"'*) fail "a hung scorer still gave a score: $out" ;; esac
has "$(cat "$T/hang.err")" "plugin 'stall' is disabled: did not answer a score request within 800 ms" "hang reported"
# the same through `score --plugins` and `eval --plugins`: said, not silently dropped
out=$(COPYLAB_PLUGIN_PATH="$T/hang" COPYLAB_PLUGIN_TIMEOUT_MS=800 "$C" score --plugins --json "Order today." 2>"$T/hang2.err") ||
	fail "score --plugins with a hanging plugin exited $?"
has "$out" '"scorer":"readability"' "score --plugins: built-ins beside a hanging plugin"
has "$(cat "$T/hang2.err")" "copylab: warning: plugin 'stall' is disabled: did not answer a score request" "score --plugins: hang reported"
"$C" --db "$T/hang.db" generate --prompt-text "Spring tea" -n 2 >/dev/null || fail "generate for eval --plugins"
out=$(COPYLAB_PLUGIN_PATH="$T/hang" COPYLAB_PLUGIN_TIMEOUT_MS=800 "$C" --db "$T/hang.db" eval 1 --plugins --json 2>"$T/hang3.err") ||
	fail "eval --plugins with a hanging plugin exited $?"
has "$out" '"ranking"' "eval --plugins: variants ranked beside a hanging plugin"
has "$(cat "$T/hang3.err")" "copylab: warning: plugin 'stall' is disabled: did not answer a score request" "eval --plugins: hang reported"

# --- scorers beside the built-ins
out=$("$C" plugins score --json "Leverage our synergy: cutting-edge tea for your holistic day. Order today.") ||
	fail "plugins score exited $?"
v=$(echo "$out" | json '[s["value"] for s in d["scores"] if s["scorer"]=="jargon"][0]')
[ "$v" = "0" ] || fail "jargon of a buzzword pile should be 0, got $v"
f=$(echo "$out" | json '",".join(sorted([s for s in d["scores"] if s["scorer"]=="jargon"][0]["detail"]["found"]))')
[ "$f" = "cutting-edge,holistic,leverage,synergy" ] || fail "jargon found: $f"
has "$out" '"scorer":"readability"' "built-ins still there"
g=$(echo "$out" | json '[s for s in d["scores"] if s["scorer"]=="reading_level"][0]["detail"]["target"]')
[ "$g" = "grade 5-8" ] || fail "reading_level detail: $g"
out=$("$C" plugins score --json --lang zh "春茶上新，今天下单立减二十元。") || fail "zh score"
has "$out" '"chars_per_sentence"' "reading_level in Chinese"

# --- `copylab score --plugins` (the score command's own opt-in) sees them too
out=$("$C" score --plugins --json "Leverage our synergy today. Order now.") || fail "score --plugins exited $?"
sc=$(echo "$out" | json '",".join(s["scorer"] for s in d["scores"] if s["scorer"] in ("jargon","reading_level"))')
[ "$sc" = "jargon,reading_level" ] || fail "score --plugins: plugin scorers missing: $sc"

# --- provider
out=$("$C" plugins generate plainspeak --prompt-text "Spring tea is here. Write an email." -n 2 --json) ||
	fail "plugins generate exited $?"
t=$(echo "$out" | json 'd[1]["text"]')
[ "$t" = "Here it is: Spring tea is here. Plain words, fair price, no fuss." ] || fail "generate: $t"

# --- exporters
printf 'id,name,email,city\n1,Ada Lovelace,ada@example.com,London\n2,Lin|Wei,lin@example.cn,Hangzhou\n' > "$T/people.csv"
"$C" import "$T/people.csv" --table people >/dev/null || fail "import"
out=$("$C" plugins export markdown people) || fail "export markdown exited $?"
exp='| id | name | email | city |
| --- | --- | --- | --- |
| 1 | Ada Lovelace | ada@example.com | London |
| 2 | Lin\|Wei | lin@example.cn | Hangzhou |'
[ "$out" = "$exp" ] || fail "markdown export: $out"
"$C" plugins export mailchimp --query "SELECT * FROM people ORDER BY id" --out "$T/mc.csv" 2>/dev/null ||
	fail "export mailchimp exited $?"
head -1 "$T/mc.csv" | grep -q '^Email Address,First Name,Last Name,ID,CITY' || fail "mailchimp header: $(head -1 "$T/mc.csv")"
grep -q '^ada@example.com,Ada,Lovelace,1,London' "$T/mc.csv" || fail "mailchimp row: $(cat "$T/mc.csv")"
out=$("$C" plugins export nosuch people 2>&1) && fail "unknown exporter accepted"
has "$out" "have: csv, tsv, jsonl" "unknown exporter lists formats"

# --- an option without its value is a usage error
out=$("$C" plugins export markdown --out 2>&1); rc=$?
[ "$rc" = 2 ] || fail "plugins export --out without a value exited $rc"
has "$out" "--out needs a value" "missing value"

# --- switched off
out=$(COPYLAB_NO_PLUGINS=1 "$C" plugins) || fail "plugins (off) exited $?"
has "$out" "switched off" "COPYLAB_NO_PLUGINS"

[ "$fails" -eq 0 ] && echo "plugins: all checks passed"
[ "$fails" -eq 0 ]
