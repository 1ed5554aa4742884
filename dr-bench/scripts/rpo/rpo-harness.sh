#!/usr/bin/env bash
# Measures the RPO of continuous protection: a writer changes files at RATE changes per second
# and logs when each change returned; the protecting JVM (`dr watch`) is killed with SIGKILL at a
# random moment; `dr restore --at latest` is compared with the log, and the changes lost give
# the trial's RPO (kill time minus the return time of the oldest lost change; 0 when none).
# Also counts the journal segments written per flush interval and the objects written while idle.
#
# Usage: dr-bench/scripts/rpo/rpo-harness.sh [TRIALS] [RATE]   (needs dr-cli/target/dr.jar)
set -euo pipefail
TRIALS=${1:-20}
RATE=${2:-200}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
JAR=${DR_JAR:-$ROOT/dr-cli/target/dr.jar}
WORK=$(mktemp -d /tmp/dr-rpo.XXXXXX)
export DR_PASSWORD=rpo-harness
[ -f "$JAR" ] || { echo "missing $JAR; build dr-cli first" >&2; exit 2; }
results="$WORK/results.txt"
: > "$results"
for trial in $(seq 1 "$TRIALS"); do
  t="$WORK/trial$trial"; mkdir -p "$t/data"
  java -jar "$JAR" init --repo "$t/repo" > /dev/null
  java -jar "$JAR" watch --repo "$t/repo" --name data "$t/data" > "$t/watch.out" 2> "$t/watch.err" &
  watcher=$!
  for _ in $(seq 1 600); do grep -q watching "$t/watch.out" 2>/dev/null && break; sleep 0.1; done
  run_for=$(( 4 + RANDOM % 6 ))   # the writer runs longer than the kill comes
  java "$HERE/Writer.java" "$t/data" "$RATE" $(( run_for + 3 )) "$t/writes.log" &
  writer=$!
  sleep "$run_for.$(( RANDOM % 10 ))"
  kill_ms=$(date +%s%3N)
  kill -9 "$watcher"
  wait "$watcher" 2>/dev/null || true
  kill "$writer" 2>/dev/null || true
  wait "$writer" 2>/dev/null || true
  segments=$(find "$t/repo/journal" -type f 2>/dev/null | wc -l)
  java -jar "$JAR" restore --repo "$t/repo" --at latest --target "$t/out" > "$t/restore.out" 2>&1 || true
  python3 - "$t" "$kill_ms" "$segments" >> "$results" <<'PY'
import os, sys
t, kill_ms, segments = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
restored = {}
out = os.path.join(t, "out", "data")
if os.path.isdir(out):
    for name in os.listdir(out):
        with open(os.path.join(out, name), "rb") as f:
            restored[name] = int(f.readline().split()[1])
first_write = None
lost = []
for line in open(os.path.join(t, "writes.log")):
    seq, ms, name = line.split()
    seq, ms = int(seq), int(ms)
    first_write = ms if first_write is None else first_write
    if ms <= kill_ms and restored.get(name, -1) < seq:
        lost.append(ms)
rpo = kill_ms - min(lost) if lost else 0
span = max(1.0, (kill_ms - first_write) / 1000.0) if first_write else 1.0
print(f"{rpo} {len(lost)} {segments} {span:.1f}")
PY
  echo "trial $trial: $(tail -1 "$results")  (rpo ms, changes lost, segments, seconds written)"
done
python3 - "$results" <<'PY'
import sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
rpos = sorted(r[0] for r in rows)
def pct(p):
    return rpos[min(len(rpos) - 1, int(round(p / 100 * (len(rpos) - 1))))]
print(f"trials {len(rows)}: RPO p50 {pct(50):.0f} ms, p99 {pct(99):.0f} ms, max {rpos[-1]:.0f} ms")
print(f"segments per second written: max {max(r[2] / r[3] for r in rows):.2f}")
PY
# Idle: a watch with no writes must write nothing.
i="$WORK/idle"; mkdir -p "$i/data"; echo hello > "$i/data/a"
java -jar "$JAR" init --repo "$i/repo" > /dev/null
java -jar "$JAR" watch --repo "$i/repo" --name data "$i/data" --duration PT15S > "$i/watch.out" &
idle=$!
sleep 8
before=$(find "$i/repo" -type f -newer "$i/data/a" | wc -l)
sleep 5
after=$(find "$i/repo" -type f -newer "$i/data/a" | wc -l)
kill -9 "$idle" 2>/dev/null || true
echo "idle: objects written between 8 s and 13 s after start: $(( after - before ))"
echo "work directory: $WORK"
