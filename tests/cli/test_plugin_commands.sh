#!/bin/sh
# test_plugin_commands.sh — plugins through the ordinary commands: the example
# Python provider `plainspeak` works as `generate --provider plainspeak` (no
# config.json entry needed, or as a configured instance of that type) and is
# listed by `providers`; plugin exporters work as `export --format F`; an
# unknown format lists the known ones; COPYLAB_NO_PLUGINS=1 loads none; and
# commands that need no plugin never start one.
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

[ -f "$PLUG/jargon.py" ] || { echo "FAIL: $PLUG/jargon.py not built (make plugins-build)"; exit 1; }
mkdir -p "$T/plugins" "$T/spy" "$T/ws"
cp "$PLUG/jargon.py" "$PLUG/mdtable.so" "$T/plugins/"
# A plugin that only leaves a mark when it is started (then answers nothing
# useful, so it is disabled): proves which commands load plugins.
cat > "$T/spy/spy" <<SPY
#!/bin/sh
touch "$T/spy-started"
exit 0
SPY
chmod +x "$T/spy/spy"
export COPYLAB_PLUGIN_PATH="$T/plugins"
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
unset OPENAI_API_KEY ANTHROPIC_API_KEY COPYLAB_PROVIDER COPYLAB_MODEL COPYLAB_NO_PLUGINS
cd "$T/ws" || exit 1

# ---- generate with a plugin provider, no config.json ----
out=$("$C" generate --provider plainspeak --prompt-text "Write a subject line for our tea" -n 2 --json) \
	|| fail "generate --provider plainspeak exited $?"
[ "$(echo "$out" | json 'd["provider"]')" = plainspeak ] || fail "provider plainspeak expected: $out"
[ "$(echo "$out" | json 'len(d["variants"])')" = 2 ] || fail "2 variants expected: $out"
has "$out" "Plain words" "plainspeak's text"

# ---- COPYLAB_NO_PLUGINS=1: the plugin provider is unknown ----
err=$(COPYLAB_NO_PLUGINS=1 "$C" generate --provider plainspeak --prompt-text x 2>&1 >/dev/null) \
	&& fail "generate with plugins off should fail"
has "$err" "no provider named 'plainspeak'" "plugins off"

# ---- a configured instance of the plugin type (config.json) ----
mkdir -p "$T/config/copylab"
cat > "$T/config/copylab/config.json" <<'CFG'
{"providers": {"plain2": {"type": "plainspeak", "model": "plainspeak-2"}}}
CFG
out=$("$C" generate --provider plain2 --prompt-text "Tea" --json) || fail "generate --provider plain2 exited $?"
[ "$(echo "$out" | json 'd["provider"]')" = plain2 ] || fail "provider plain2 expected: $out"
out=$("$C" generate --provider plainspeak --prompt-text "Tea" --json) \
	|| fail "generate --provider plainspeak beside a configured plain2 exited $?"
[ "$(echo "$out" | json 'd["provider"]')" = plainspeak ] || fail "provider plainspeak expected: $out"

# ---- iterate / judge / eval --judge with config.json naming the plugin type ----
cat > "$T/config/copylab/config.json" <<'CFG'
{"default": "plain2", "providers": {"plain2": {"type": "plainspeak", "model": "plainspeak-2"}}}
CFG
run=$("$C" generate --prompt-text "Write a subject line for our tea" -n 2 --json | json 'd["run_id"]') \
	|| fail "generate with a plugin default exited $?"
out=$("$C" iterate "$run" --top 1 --per-winner 2 --json) || fail "iterate with a plugin default exited $?"
new=$(echo "$out" | json 'd["run_id"]')
[ "$(echo "$out" | json 'd["variants"]')" = 2 ] || fail "iterate: 2 variants expected: $out"
has "$("$C" variants "$new" --json)" "Plain words" "iterate's round written by plainspeak"
out=$("$C" iterate "$run" --top 1 --per-winner 1 --provider plainspeak --json) \
	|| fail "iterate --provider plainspeak exited $?"
err=$(COPYLAB_NO_PLUGINS=1 "$C" iterate "$run" --top 1 2>&1 >/dev/null) \
	&& fail "iterate with plugins off and a plugin type in config.json should fail"
has "$err" "plainspeak" "iterate with plugins off names the unknown type"
# judge / eval --judge reach the plugin provider (plainspeak writes copy, not a
# grade, so the judge says the reply has no score: proof it was asked)
err=$("$C" judge "Spring tea is here" 2>&1 >/dev/null)
has "$err" "judge (plain2): the reply has no" "judge through the plugin provider"
err=$("$C" eval "$run" --judge 2>&1 >/dev/null)
has "$err" "judge (plain2): the reply has no" "eval --judge through the plugin provider"
# demo prepare and report load such a config too: the demo is made, and the
# key variable config.json names beside the plugin type is still a secret
# (a report that would show its value is refused, naming it)
cat > "$T/config/copylab/config.json" <<'CFG'
{"default": "plain2", "providers": {"plain2": {"type": "plainspeak"},
 "local": {"type": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key_env": "LLM_CRED"}}}
CFG
"$C" --db "$T/demo.db" demo prepare >/dev/null || fail "demo prepare with a plugin type in config.json exited $?"
err=$(LLM_CRED="Iteration history" "$C" --db "$T/demo.db" report --out "$T/r.html" 2>&1 >/dev/null) \
	&& fail "a report showing LLM_CRED's value must be refused"
has "$err" "LLM_CRED" "report names config.json's key variable beside a plugin type"
rm "$T/config/copylab/config.json"

# ---- providers lists the plugin type's instance ----
out=$("$C" providers --json) || fail "providers --json exited $?"
[ "$(echo "$out" | json '[p["type"] for p in d["providers"] if p["name"]=="plainspeak"]')" = "['plainspeak']" ] \
	|| fail "providers should list plainspeak: $out"
[ "$(COPYLAB_NO_PLUGINS=1 "$C" providers --json | json 'len([p for p in d["providers"] if p["name"]=="plainspeak"])')" = 0 ] \
	|| fail "providers with plugins off should not list plainspeak"

# ---- export / import through the format registry ----
printf 'id,name,email\n1,Ann,ann@example.com\n2,Bo,bo@example.com\n' > people.csv
"$C" import people.csv --table people >/dev/null || fail "import people.csv"
out=$("$C" export people --format markdown) || fail "export --format markdown exited $?"
has "$out" "| id | name | email |" "markdown header"
has "$out" "| 2 | Bo | bo@example.com |" "markdown row"
"$C" export people --format mailchimp --out audience.csv 2>/dev/null || fail "export --format mailchimp exited $?"
has "$(cat audience.csv 2>/dev/null)" "ann@example.com" "mailchimp file"
err=$("$C" export people --format nope 2>&1 >/dev/null); rc=$?
[ "$rc" = 2 ] || fail "unknown export format: exit 2 expected, got $rc"
has "$err" "unknown format 'nope'" "unknown export format"
has "$err" "csv, tsv, jsonl" "known exporters listed"
has "$err" "markdown" "plugin exporter listed"
err=$(COPYLAB_NO_PLUGINS=1 "$C" export people --format markdown 2>&1 >/dev/null) \
	&& fail "export --format markdown with plugins off should fail"
has "$err" "COPYLAB_NO_PLUGINS" "plugins-off hint"
err=$("$C" import people.csv --format nope 2>&1 >/dev/null); rc=$?
[ "$rc" = 2 ] || fail "unknown import format: exit 2 expected, got $rc"
has "$err" "known importers: csv, tsv, jsonl" "known importers listed"
"$C" export people --format tsv | head -1 | grep -q "$(printf 'id\tname')" || fail "built-in tsv export"

# ---- commands that need no plugin start none ----
export COPYLAB_PLUGIN_PATH="$T/spy:$T/plugins"
"$C" generate --prompt-text "Tea" >/dev/null 2>&1 || fail "generate (offline) exited $?"
"$C" generate --provider offline --prompt-text "Tea" >/dev/null 2>&1 || fail "generate --provider offline"
"$C" export people --format csv >/dev/null || fail "export csv"
"$C" import people.csv --table p2 >/dev/null || fail "import csv"
[ -e "$T/spy-started" ] && fail "a command that needs no plugin started one"
"$C" providers >/dev/null 2>&1
[ -e "$T/spy-started" ] || fail "providers should load plugins (the spy never started)"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "plugin commands: ok"
