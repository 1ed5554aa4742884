#!/usr/bin/env bash
# Compares builds of dr with each other on one data set, in one invocation: for each round and
# each dr.jar given (the order reversed every other round), init a repository, then time a full
# backup, an unchanged re-backup and a restore of the latest snapshot into tmpfs, whole JVM
# starts included, `sync` before each phase. Prints one line per round and build, then medians.
#
#   dr-bench/scripts/backup-across-builds.sh ROUNDS MiB JAR...     (for example 3 500 a.jar b.jar)
#
# Build a past commit's jar with `git worktree add /tmp/wt COMMIT && (cd /tmp/wt &&
# mvn -B -ntp -q -DskipTests -pl dr-cli -am package)`. GEN_CP, when set, is the class path of
# the DatasetGenerator to use (for example one compiled from an older commit's source, to
# reproduce that commit's data set); by default dr-bench/target/benchmarks.jar's.
set -euo pipefail
ROUNDS=${1:?usage: $0 ROUNDS MiB JAR...}
MIB=${2:?usage: $0 ROUNDS MiB JAR...}
shift 2 || { echo "usage: $0 ROUNDS MiB JAR..." >&2; exit 2; }
[ $# -gt 0 ] || { echo "usage: $0 ROUNDS MiB JAR..." >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GEN_CP=${GEN_CP:-$ROOT/dr-bench/target/benchmarks.jar}
WORK=${BENCH_WORK:-/tmp/dr-bench-builds}
RESTORES=/dev/shm/dr-bench-builds
export DR_PASSWORD=bench-password
rm -rf "$WORK" "$RESTORES" && mkdir -p "$WORK" "$RESTORES"
java -cp "$GEN_CP" dev.drkit.bench.DatasetGenerator generate "$WORK/data" "$MIB" 1 > /dev/null
timed() { sync; local s; s=$(date +%s%N); "$@" > /dev/null 2>&1; echo $(( ($(date +%s%N) - s) / 1000000 )); }
results="$WORK/results.txt"; : > "$results"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 0 ]; then order=$(printf '%s\n' "$@" | tac); else order=$(printf '%s\n' "$@"); fi
  for jar in $order; do
    n=$(basename "$jar" .jar); repo="$WORK/repo-$n"
    rm -rf "$repo" "${RESTORES:?}"/*
    java -jar "$jar" init --repo "$repo" > /dev/null 2>&1
    full=$(timed java -jar "$jar" backup --repo "$repo" "$WORK/data")
    unchanged=$(timed java -jar "$jar" backup --repo "$repo" "$WORK/data")
    restore=$(timed java -jar "$jar" restore --repo "$repo" latest --target "$RESTORES/out")
    echo "$round $n $full $unchanged $restore" | tee -a "$results"
  done
done
rm -rf "$RESTORES"
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    _, n, *ms = line.split()
    rows.setdefault(n, []).append(list(map(int, ms)))
print("| build | full s | unchanged s | restore s |")
print("|---|---|---|---|")
for n, r in rows.items():
    print(f"| {n} | " + " | ".join(f"{statistics.median(c) / 1000:.2f}" for c in zip(*r)) + " |")
PY
