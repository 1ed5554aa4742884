#!/usr/bin/env bash
# Measures the steady CPU of continuous protection: `dr watch` on a file: repository while the
# RPO harness's writer changes files of 4 KiB at RATE per second for SECONDS; the watcher's CPU
# (user + system, from /proc) is sampled over the second half, after the JIT has warmed up.
#
# Usage: dr-bench/scripts/rpo/cpu-steady.sh [SECONDS] [RATE]   (needs dr-cli/target/dr.jar)
set -euo pipefail
SECONDS_RUN=${1:-60}
RATE=${2:-200}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
JAR=${DR_JAR:-$ROOT/dr-cli/target/dr.jar}
WORK=$(mktemp -d /tmp/dr-rpo-cpu.XXXXXX)
export DR_PASSWORD=rpo-harness
[ -f "$JAR" ] || { echo "missing $JAR; build dr-cli first" >&2; exit 2; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
javac -d "$WORK/writer" "$HERE/Writer.java"
mkdir -p "$WORK/data"
java -jar "$JAR" init --repo "$WORK/repo" > /dev/null
# shellcheck disable=SC2086
java -jar "$JAR" watch --repo "$WORK/repo" --name data ${WATCH_ARGS:-} "$WORK/data" > "$WORK/watch.out" 2> "$WORK/watch.err" &
watcher=$!
trap 'kill "$watcher" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q watching "$WORK/watch.out" 2>/dev/null && break; sleep 0.1; done
java -cp "$WORK/writer" Writer "$WORK/data" "$RATE" "$SECONDS_RUN" "$WORK/writes.log" &
writer=$!
for _ in $(seq 1 600); do [ -s "$WORK/writes.log" ] && break; sleep 0.05; done
sleep $(( SECONDS_RUN / 2 ))
from=$(cpu_ticks "$watcher"); from_ms=$(date +%s%3N)
sleep $(( SECONDS_RUN / 2 - 2 ))
to=$(cpu_ticks "$watcher"); to_ms=$(date +%s%3N)
wait "$writer"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "writes: $(wc -l < "$WORK/writes.log") in $SECONDS_RUN s"
python3 -c "print(f'watcher CPU over the last {($to_ms - $from_ms) / 1000:.0f} s of writing: {100.0 * ($to - $from) * 1000 / $(getconf CLK_TCK) / ($to_ms - $from_ms):.1f}% of one core')"
