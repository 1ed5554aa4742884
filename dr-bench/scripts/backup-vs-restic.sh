#!/usr/bin/env bash
# Backup benchmark: dr against restic on the same mixed data set, in one invocation.
#
#   dr-bench/scripts/backup-vs-restic.sh [RUNS=3] [MiB=500]
#
# Needs dr-cli/target/dr.jar and dr-bench/target/benchmarks.jar (mvn -DskipTests package),
# restic (apt-get install restic) and GNU time (apt-get install time). Each run, for each tool
# (alternating which goes first): generate the data set afresh, init a repository, then time
# whole processes, JVM start included: full backup, unchanged re-backup, backup after about 1%
# of the files change, restore of the latest snapshot. Prints medians and dr/restic ratios.
#
# Nothing is deleted until the end: every data set and restore gets a directory of its own.
# Restores go to tmpfs (/dev/shm) when it exists and has room, or to BENCH_RESTORE_DIR: on ext4
# without a journal (as on the machine these figures come from), creating a file scans past
# inodes deleted in the last minutes (up to six while the inode table is dirty), so a restore
# after any large delete on that file system, even one from an earlier benchmark run, spends
# seconds in the kernel, and which tool pays it depends on timing. Neither tool syncs what it
# restores, so on either file system the files end in the page cache.
#
# dr runs as `java -jar dr.jar` with the JVM's defaults; DR_JAVA_OPTS, when set, adds JVM
# options (for example the ones the ./dr launcher uses), to measure their effect.
set -euo pipefail
RUNS=${1:-3}
MIB=${2:-500}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DR_JAR="$ROOT/dr-cli/target/dr.jar"
BENCH_JAR="$ROOT/dr-bench/target/benchmarks.jar"
WORK=${BENCH_WORK:-/tmp/dr-bench-backup}
RESULTS="$WORK/results.tsv"
export RESTIC_PASSWORD=bench-password DR_PASSWORD=bench-password
read -r -a JAVA_OPTS <<< "${DR_JAVA_OPTS:-}"

for f in "$DR_JAR" "$BENCH_JAR"; do
  [ -f "$f" ] || { echo "missing $f: run mvn -DskipTests package first" >&2; exit 2; }
done
command -v restic >/dev/null || { echo "restic is missing: apt-get install restic" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install time" >&2; exit 2; }

rm -rf "$WORK" && mkdir -p "$WORK"
# Every restore is kept: 2 tools x RUNS x MIB, plus a tenth for file system overhead.
need_kb=$((2 * RUNS * MIB * 1024 * 11 / 10))
if [ -z "${BENCH_RESTORE_DIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] \
    && [ "$(df --output=avail -k /dev/shm | tail -1)" -gt "$need_kb" ]; then
  BENCH_RESTORE_DIR=/dev/shm/dr-bench-restore
fi
RESTORES=${BENCH_RESTORE_DIR:-$WORK}
rm -rf "$RESTORES"/restore-* && mkdir -p "$RESTORES"
trap 'rm -rf "$RESTORES"/restore-*' EXIT
# Work on copies, so that a rebuild during the run cannot change what is measured.
cp "$DR_JAR" "$WORK/dr.jar" && cp "$BENCH_JAR" "$WORK/benchmarks.jar"
DR_JAR="$WORK/dr.jar" BENCH_JAR="$WORK/benchmarks.jar"
printf 'tool\trun\tphase\tseconds\tmax_rss_kb\trepo_bytes\n' > "$RESULTS"

size_of() { du -sb "$1" | cut -f1; }

timed() { # tool run phase repo -- command...
  local tool=$1 run=$2 phase=$3 repo=$4; shift 5
  # Write back what the previous phase left dirty, so that neither tool shares its two cores
  # with the kernel's flusher threads.
  sync
  /usr/bin/time -f '%e %M' -o "$WORK/time.out" "$@" > "$WORK/$tool-$run-$phase.log" 2>&1 \
    || { echo "$tool $phase failed:" >&2; tail -20 "$WORK/$tool-$run-$phase.log" >&2; exit 1; }
  read -r secs rss < <(tail -1 "$WORK/time.out")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$run" "$phase" "$secs" "$rss" "$(size_of "$repo")" >> "$RESULTS"
  printf '  %-6s run %s %-10s %8ss %8s KB RSS  repo %s bytes\n' "$tool" "$run" "$phase" "$secs" "$rss" "$(size_of "$repo")"
}

verify() { # tool data restored
  diff -r "$2" "$3" > /dev/null || { echo "$1 restored $3 differently from $2" >&2; exit 1; }
  echo "  $1 restore verified byte for byte"
}

one() { # tool run
  local tool=$1 run=$2 data="$WORK/data-$1-$2" repo="$WORK/repo-$1-$2" out="$RESTORES/restore-$1-$2"
  java -cp "$BENCH_JAR" dev.drkit.bench.DatasetGenerator generate "$data" "$MIB" 1
  sync
  if [ "$tool" = restic ]; then
    restic init -r "$repo" > /dev/null
    timed restic "$run" full "$repo" -- restic -r "$repo" backup "$data"
    timed restic "$run" unchanged "$repo" -- restic -r "$repo" backup "$data"
    java -cp "$BENCH_JAR" dev.drkit.bench.DatasetGenerator mutate "$data" 1 2
    timed restic "$run" changed "$repo" -- restic -r "$repo" backup "$data"
    timed restic "$run" restore "$repo" -- restic -r "$repo" restore latest --target "$out"
    if [ "$run" = 1 ]; then verify restic "$data" "$out$data"; fi
  else
    java -jar "$DR_JAR" init --repo "$repo" > /dev/null
    timed dr "$run" full "$repo" -- java ${JAVA_OPTS[@]+"${JAVA_OPTS[@]}"} -jar "$DR_JAR" backup --repo "$repo" "$data"
    timed dr "$run" unchanged "$repo" -- java ${JAVA_OPTS[@]+"${JAVA_OPTS[@]}"} -jar "$DR_JAR" backup --repo "$repo" "$data"
    java -cp "$BENCH_JAR" dev.drkit.bench.DatasetGenerator mutate "$data" 1 2
    timed dr "$run" changed "$repo" -- java ${JAVA_OPTS[@]+"${JAVA_OPTS[@]}"} -jar "$DR_JAR" backup --repo "$repo" "$data"
    timed dr "$run" restore "$repo" -- java ${JAVA_OPTS[@]+"${JAVA_OPTS[@]}"} -jar "$DR_JAR" restore --repo "$repo" latest --target "$out"
    if [ "$run" = 1 ]; then verify dr "$data" "$out/$(basename "$data")"; fi
  fi
}

data_mib=""
for run in $(seq 1 "$RUNS"); do
  echo "run $run"
  if [ $((run % 2)) = 1 ]; then one restic "$run"; one dr "$run"; else one dr "$run"; one restic "$run"; fi
done
rm -rf "$WORK"/repo-* "$RESTORES"/restore-* "$WORK"/data-* "$WORK/data" && java -cp "$BENCH_JAR" dev.drkit.bench.DatasetGenerator generate "$WORK/data" "$MIB" 1
data_bytes=$(size_of "$WORK/data")
rm -rf "$WORK/data"

echo
echo "data set: $((data_bytes / 1048576)) MiB; medians of $RUNS runs; $(nproc) cores; $(restic version | cut -d' ' -f1-2); dr JVM options: ${DR_JAVA_OPTS:-none}; restores into $RESTORES ($(df --output=fstype "$RESTORES" | tail -1))"
awk -F'\t' -v data="$data_bytes" '
  NR == 1 { next }
  { key = $1 SUBSEP $3; n[key]++; t[key, n[key]] = $4; r[key, n[key]] = $5; s[key, n[key]] = $6 }
  function median(arr, key, count,   i, j, v, tmp) {
    for (i = 1; i <= count; i++) v[i] = arr[key, i] + 0
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { tmp = v[i]; v[i] = v[j]; v[j] = tmp }
    return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
  }
  END {
    split("full unchanged changed restore", phases, " ")
    printf "| phase | restic s | dr s | dr/restic time | restic MiB/s | dr MiB/s | restic peak RSS MB | dr peak RSS MB | dr/restic RSS |\n"
    printf "|---|---|---|---|---|---|---|---|---|\n"
    for (p = 1; p <= 4; p++) {
      ph = phases[p]; kr = "restic" SUBSEP ph; kd = "dr" SUBSEP ph
      tr = median(t, kr, n[kr]); td = median(t, kd, n[kd]); rr = median(r, kr, n[kr]) / 1024; rd = median(r, kd, n[kd]) / 1024
      printf "| %s | %.2f | %.2f | %.2fx | %.0f | %.0f | %.0f | %.0f | %.2fx |\n", ph, tr, td, td / tr, data / 1048576 / tr, data / 1048576 / td, rr, rd, rd / rr
    }
    sr = median(s, "restic" SUBSEP "unchanged", n["restic" SUBSEP "unchanged"]); sd = median(s, "dr" SUBSEP "unchanged", n["dr" SUBSEP "unchanged"])
    ar = median(s, "restic" SUBSEP "changed", n["restic" SUBSEP "changed"]) - sr; ad = median(s, "dr" SUBSEP "changed", n["dr" SUBSEP "changed"]) - sd
    printf "\nrepository after full backup: restic %.1f MiB, dr %.1f MiB (%.3fx)\n", sr / 1048576, sd / 1048576, sd / sr
    printf "bytes added by the 1%% change: restic %.2f MiB, dr %.2f MiB (%.2fx)\n", ar / 1048576, ad / 1048576, ad / ar
  }' "$RESULTS"
echo "raw figures: $RESULTS"
