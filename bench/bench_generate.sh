#!/bin/sh
# bench_generate.sh — generation throughput against the mock OpenAI server
# (200 streamed requests, 200 ms latency each, concurrency 16: ideal 2.5 s),
# with the mock's highest concurrency seen and copylab's peak RSS; and CLI
# start-up time (`copylab --version`, `copylab runs` on a small workspace).
# Prints one JSON line per benchmark.
set -eu
: "${COPYLAB:?}" "${COPYLAB_TOP:?}"
BENCH_TMP=${BENCH_TMP:-$(mktemp -d)}
exec python3 - "$COPYLAB" "$COPYLAB_TOP" "$BENCH_TMP" <<'PY'
import json, os, subprocess, sys, time, urllib.request

copylab, top, tmp = sys.argv[1:4]
N, LAT_MS, CONC = 200, 200, 16
ideal = N * LAT_MS / 1000.0 / CONC

mock = subprocess.Popen([sys.executable, os.path.join(top, "tests", "mock_openai.py"), "--port", "0"],
                        stdout=subprocess.PIPE, text=True)
port = int(mock.stdout.readline())
cfg = os.path.join(tmp, "xdg")
os.makedirs(os.path.join(cfg, "copylab"), exist_ok=True)
with open(os.path.join(cfg, "copylab", "config.json"), "w") as f:
    json.dump({"default": "mock", "providers": {"mock": {
        "type": "openai", "base_url": f"http://127.0.0.1:{port}/v1", "model": "mock-model",
        "api_key_env": "BENCH_KEY", "concurrency": CONC}}}, f)
env = dict(os.environ, XDG_CONFIG_HOME=cfg, BENCH_KEY="sk-bench")
env.pop("COPYLAB_PROVIDER", None)
db = os.path.join(tmp, "bench-gen.db")
for sfx in ("", "-wal", "-shm"):
    if os.path.exists(db + sfx):
        os.unlink(db + sfx)

def stats():
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats", timeout=5) as r:
        return json.loads(r.read())

try:
    # Warm the workspace and the server's threads once, then reset its counters.
    subprocess.run([copylab, "--db", db, "generate", "--prompt-text", "warm [mock:latency=1]",
                    "-n", "4", "--no-cache", "--json"], env=env, check=True, capture_output=True)
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/_reset", data=b"{}"))
    # Peak RSS from GNU time when present (wait4's ru_maxrss would also count
    # the Python pages the child had between fork and exec).
    rssfile = os.path.join(tmp, "rss.txt")
    gtime = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    cmd = [copylab, "--db", db, "generate", "--prompt-text", f"bench [mock:latency={LAT_MS}]",
           "-n", str(N), "--concurrency", str(CONC), "--no-cache", "--json"]
    if gtime:
        cmd = [gtime, "-f", "%M", "-o", rssfile] + cmd
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = status
    p.stdout.close()
    if gtime:
        with open(rssfile) as f:
            rss_mib = int(f.read().split()[-1]) / 1024.0
    else:
        rss_mib = ru.ru_maxrss / 1024.0
    res = json.loads(out)
    ok = sum(1 for v in res["variants"] if v["error"] is None)
    mean_ms = sum(v["latency_ms"] for v in res["variants"]) / max(1, len(res["variants"]))
    st = stats()
finally:
    mock.terminate()
    mock.wait()

print(json.dumps({"bench": "generate_mock_200x200ms_c16", "requests": N, "ok": ok,
                  "wall_s": round(wall, 3), "mean_request_ms": round(mean_ms, 1), "ideal_s": ideal, "ratio_to_ideal": round(wall / ideal, 3),
                  "goal_ratio": 1.1, "mock_max_concurrency": st["max_concurrency"], "connections": st["connections"],
                  "peak_rss_mib": round(rss_mib, 1), "goal_rss_mib": 32,
                  "peer": "promptfoo 0.121: 2.34x, 226 MiB"}))

# CLI start-up.
def avg_ms(args, n=20):
    best = []
    for _ in range(n):
        t = time.monotonic()
        subprocess.run([copylab] + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best.append((time.monotonic() - t) * 1000)
    return sum(best) / len(best)

v_ms = avg_ms(["--version"])
r_ms = avg_ms(["--db", db, "runs"])
print(json.dumps({"bench": "cli_start", "version_ms": round(v_ms, 2), "runs_ms": round(r_ms, 2),
                  "goal_ms": 20, "ratio_to_goal": round(max(v_ms, r_ms) / 20, 3),
                  "peer": "promptfoo 0.121: 1800 ms"}))
PY
