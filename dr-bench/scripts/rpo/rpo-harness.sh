#!/usr/bin/env bash
# Measures the RPO of continuous protection: a writer changes files at RATE changes per second
# and logs when each change returned; the protecting JVM (`dr watch`) is killed with SIGKILL at a
# random moment; `dr restore --at latest` is compared with the log, and the changes lost give
# the trial's RPO (kill time minus the return time of the oldest lost change; 0 when none).
# Also counts the journal segments written per flush interval and the objects written while idle.
#
# Usage: dr-bench/scripts/rpo/rpo-harness.sh [TRIALS] [RATE] [STORE]
#   STORE is `file` (default: a file: repository per trial) or `s3` (one S3Proxy on loopback,
#   started from dr-bench/target/benchmarks.jar, a prefix per trial). Needs dr-cli/target/dr.jar
#   (and for s3 dr-bench/target/benchmarks.jar): `mvn -DskipTests -pl dr-cli,dr-bench -am package`.
#   WATCH_ARGS adds options to `dr watch` (e.g. "--flush-interval PT1S").
#   REPLICA=1 measures the RPO of the secondary instead: each trial's `dr watch` ships its
#   segments to a second repository in the same kind of store (`--replicate-to`), and the
#   restore after the kill reads the secondary, as after the loss of the primary's region.
set -euo pipefail
TRIALS=${1:-20}
RATE=${2:-200}
STORE=${3:-file}
REPLICA=${REPLICA:-0}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
JAR=${DR_JAR:-$ROOT/dr-cli/target/dr.jar}
BENCH_JAR=${DR_BENCH_JAR:-$ROOT/dr-bench/target/benchmarks.jar}
WORK=$(mktemp -d /tmp/dr-rpo.XXXXXX)
export DR_PASSWORD=rpo-harness
[ -f "$JAR" ] || { echo "missing $JAR; build dr-cli first" >&2; exit 2; }
proxy=
if [ "$STORE" = s3 ]; then
  [ -f "$BENCH_JAR" ] || { echo "missing $BENCH_JAR; build dr-bench first" >&2; exit 2; }
  java -cp "$BENCH_JAR" dev.drkit.bench.S3ProxyMain > "$WORK/s3proxy.out" 2> "$WORK/s3proxy.err" &
  proxy=$!
  trap 'kill "$proxy" 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do grep -q '^bucket=' "$WORK/s3proxy.out" 2>/dev/null && break; sleep 0.1; done
  endpoint=$(sed -n 's/^endpoint=//p' "$WORK/s3proxy.out")
  bucket=$(sed -n 's/^bucket=//p' "$WORK/s3proxy.out")
  objects=$(sed -n 's/^directory=//p' "$WORK/s3proxy.out")/$bucket
  export AWS_ACCESS_KEY_ID=$(sed -n 's/^accessKey=//p' "$WORK/s3proxy.out")
  export AWS_SECRET_ACCESS_KEY=$(sed -n 's/^secretKey=//p' "$WORK/s3proxy.out")
  export AWS_REGION=us-east-1
  echo "S3Proxy at $endpoint, objects in $objects"
elif [ "$STORE" != file ]; then
  echo "STORE must be file or s3, but was $STORE" >&2; exit 2
fi
# repo_url NAME DIR: the repository of a trial; repo_files NAME DIR: where its objects are files;
# journal_files NAME DIR: where its journal segments are (journal.d/ in a file: repository).
repo_url() { if [ "$STORE" = s3 ]; then echo "s3://$bucket/$1?endpoint=$endpoint&pathStyle=true&region=us-east-1"; else echo "$2/repo"; fi; }
repo_files() { if [ "$STORE" = s3 ]; then echo "$objects/$1"; else echo "$2/repo"; fi; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # user + system CPU of a process
journal_files() { if [ "$STORE" = s3 ]; then echo "$objects/$1/journal"; else echo "$2/repo/journal.d"; fi; }
javac -d "$WORK/writer" "$HERE/Writer.java"
results="$WORK/results.txt"
: > "$results"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for trial in $(seq 1 "$TRIALS"); do
  t="$WORK/trial$trial"; mkdir -p "$t/data"
  repo=$(repo_url "trial$trial" "$t")
  java -jar "$JAR" init --repo "$repo" > /dev/null
  from=$repo; replicate=()
  if [ "$REPLICA" = 1 ]; then
    from=$(repo_url "trial$trial-replica" "$t/replica")
    java -jar "$JAR" init --repo "$from" > /dev/null
    replicate=(--replicate-to "$from")
  fi
  # shellcheck disable=SC2086
  java -jar "$JAR" watch --repo "$repo" --name data ${WATCH_ARGS:-} "${replicate[@]}" "$t/data" \
    > "$t/watch.out" 2> "$t/watch.err" &
  watcher=$!
  for _ in $(seq 1 600); do grep -q watching "$t/watch.out" 2>/dev/null && break; sleep 0.1; done
  run_for=$(( 4 + RANDOM % 6 ))   # the writer runs longer than the kill comes
  java -cp "$WORK/writer" Writer "$t/data" "$RATE" $(( run_for + 10 )) "$t/writes.log" &
  writer=$!
  for _ in $(seq 1 600); do [ -s "$t/writes.log" ] && break; sleep 0.05; done
  sleep 3   # the watcher reaches a steady state; its CPU is sampled from here to the kill
  cpu_from=$(cpu_ticks "$watcher"); cpu_from_ms=$(date +%s%3N)
  sleep "$(( run_for - 3 )).$(( RANDOM % 10 ))"
  cpu_to=$(cpu_ticks "$watcher")
  kill_ms=$(date +%s%3N)
  kill -9 "$watcher"
  wait "$watcher" 2>/dev/null || true
  cpu=$(python3 -c "print(f'{100.0 * ($cpu_to - $cpu_from) * 1000 / $(getconf CLK_TCK) / ($kill_ms - $cpu_from_ms):.1f}')")
  kill "$writer" 2>/dev/null || true
  wait "$writer" 2>/dev/null || true
  segments=$( (find "$(journal_files "trial$trial" "$t")" -type f 2>/dev/null || true) | wc -l)
  java -jar "$JAR" restore --repo "$from" --at latest --target "$t/out" > "$t/restore.out" 2>&1 || true
  python3 - "$t" "$kill_ms" "$segments" "$cpu" >> "$results" <<'PY'
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
print(f"{rpo} {len(lost)} {segments} {span:.1f} {sys.argv[4]}")
PY
  echo "trial $trial: $(tail -1 "$results")  (rpo ms, changes lost, segments, seconds written, watcher CPU % of one core)"
done
python3 - "$results" <<'PY'
import sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
rpos = sorted(r[0] for r in rows)
def pct(p):
    return rpos[min(len(rpos) - 1, int(round(p / 100 * (len(rpos) - 1))))]
print(f"trials {len(rows)}: RPO p50 {pct(50):.0f} ms, p99 {pct(99):.0f} ms, max {rpos[-1]:.0f} ms")
print(f"segments per second written: max {max(r[2] / r[3] for r in rows):.2f}")
cpus = sorted(r[4] for r in rows)
print(f"watcher CPU while writing (% of one core): median {cpus[len(cpus) // 2]:.1f}, max {cpus[-1]:.1f}")
PY
echo "load average at end of trials: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$REPLICA" = 1 ] && { echo "(RPO of the secondary; work directory: $WORK)"; exit 0; }
# Idle: a watch with no writes must write nothing (on S3 this counts objects, not GETs or LISTs;
# JournalCostHarnessTest in dr-storage-s3 counts every request).
i="$WORK/idle"; mkdir -p "$i/data"; echo hello > "$i/data/a"
irepo=$(repo_url idle "$i")
java -jar "$JAR" init --repo "$irepo" > /dev/null
# shellcheck disable=SC2086
java -jar "$JAR" watch --repo "$irepo" --name data ${WATCH_ARGS:-} "$i/data" --duration PT120S > "$i/watch.out" &
idle=$!
for _ in $(seq 1 600); do grep -q watching "$i/watch.out" 2>/dev/null && break; sleep 0.1; done
sleep 3   # the first file's segment is written within a second
touch "$i/mark"
sleep 10
written=$( (find "$(repo_files idle "$i")" -type f -newer "$i/mark" 2>/dev/null || true) | wc -l)
kill -9 "$idle" 2>/dev/null || true
echo "idle: objects written in the 10 s from 3 s after the watch started: $written"
echo "work directory: $WORK"
