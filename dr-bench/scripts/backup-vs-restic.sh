#!/usr/bin/env bash
# Backup and restore benchmark: dr against restic on the same mixed data set, in one invocation.
#
#   dr-bench/scripts/backup-vs-restic.sh [RUNS=3] [MiB=500]
#   BENCH_TMPFS=1 dr-bench/scripts/backup-vs-restic.sh 3 500    # also restore into tmpfs
#
# Needs dr-cli/target/dr.jar and dr-bench/target/benchmarks.jar (mvn -DskipTests package),
# restic (apt-get install restic) and GNU time (apt-get install time). The data set (at 500:
# about 520 MiB in 26,400 files, nine in ten under 16 KiB, many of them in a tree nine levels
# deep; see DatasetGenerator) is generated afresh for each run and tool. Each run, for each
# tool (alternating which goes first): init a repository, then time whole processes, JVM
# start included: full backup, unchanged re-backup, backup after about 1% of the files change,
# restore of the latest snapshot into a directory on disk (and, with BENCH_TMPFS=1, into
# tmpfs as well). Every restore is checked: contents with `diff -r`, and the type, mode, size
# and modification time of every entry. After both tools, `cp -a` of the same tree to the
# same file system is timed: the limit a restore can aim at. Prints medians and ratios.
#
# Nothing is deleted until the end: every data set and restore gets a directory of its own.
# On ext4 without a journal (as here) creating a file scans past the inodes deleted in the
# last minute, or the last six while their inode table block is dirty (`recently_deleted` in
# the kernel), so a delete shortly before a restore makes the restore pay for it, and which
# tool pays depends on timing. The script therefore deletes nothing during the runs, and
# after a delete (its own clean-up at the end, or an earlier run's tree at the start) it
# waits BENCH_SETTLE seconds (default 370) before timing anything; the time of its last
# delete is kept in BENCH_STAMP (default /tmp/dr-bench-deleted-at) for the next invocation.
# Restores go to BENCH_RESTORE_DIR, by default a directory under BENCH_WORK (/tmp, on disk).
# Neither tool syncs what it restores, so the files end in the page cache either way; the
# script runs `sync` before every timed phase, so that no phase shares the cores with the
# write-back of the one before.
#
# dr runs as `java -jar dr.jar` with the JVM's defaults; DR_JAVA_OPTS, when set, adds JVM
# options (for example the ones the ./dr launcher uses), to measure their effect. With
# BENCH_LAUNCHER=1 dr runs as shipped instead: the ./dr launcher of the checkout, with its JVM
# options and class-data-sharing archives (trained before the timed runs, by one backup and
# one restore of a small tree; they live in the user's cache, see the README).
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
LAUNCHER=${BENCH_LAUNCHER:-}

for f in "$DR_JAR" "$BENCH_JAR"; do
  [ -f "$f" ] || { echo "missing $f: run mvn -DskipTests package first" >&2; exit 2; }
done
command -v restic >/dev/null || { echo "restic is missing: apt-get install restic" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install time" >&2; exit 2; }

SETTLE=${BENCH_SETTLE:-370}
STAMP=${BENCH_STAMP:-/tmp/dr-bench-deleted-at}
deleted() { sync; date +%s > "$STAMP"; }
settle() { # waits until SETTLE seconds have passed since the last recorded delete
  local left
  [ -f "$STAMP" ] || return 0
  left=$(( $(cat "$STAMP") + SETTLE - $(date +%s) ))
  if [ "$left" -gt 0 ]; then
    echo "waiting ${left}s for the inodes deleted at $(date -d "@$(cat "$STAMP")" +%T) to age (see the header)"
    sleep "$left"
  fi
}

if [ -e "$WORK" ]; then rm -rf "$WORK" && deleted; fi
mkdir -p "$WORK"
RESTORES=${BENCH_RESTORE_DIR:-$WORK/restores}
TMPFS=""
if [ -n "${BENCH_TMPFS:-}" ]; then
  # Every tmpfs restore is kept: 2 tools x RUNS x MIB, plus a tenth for file system overhead.
  need_kb=$((2 * RUNS * MIB * 1024 * 11 / 10))
  [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(df --output=avail -k /dev/shm | tail -1)" -gt "$need_kb" ] \
    || { echo "BENCH_TMPFS needs $need_kb KiB free in /dev/shm" >&2; exit 2; }
  TMPFS=/dev/shm/dr-bench-restore
  rm -rf "$TMPFS" && mkdir -p "$TMPFS"
fi
if compgen -G "$RESTORES/restore-*" > /dev/null || compgen -G "$RESTORES/copy-*" > /dev/null; then
  rm -rf "$RESTORES"/restore-* "$RESTORES"/copy-* && deleted
fi
mkdir -p "$RESTORES"
trap 'rm -rf "$RESTORES"/restore-* "$RESTORES"/copy-* ${TMPFS:+"$TMPFS"}; deleted' EXIT
# Work on copies, so that a rebuild during the run cannot change what is measured.
cp "$DR_JAR" "$WORK/dr.jar" && cp "$BENCH_JAR" "$WORK/benchmarks.jar"
DR_JAR="$WORK/dr.jar" BENCH_JAR="$WORK/benchmarks.jar"
if [ -n "$LAUNCHER" ]; then
  DR=("$ROOT/dr") # runs $ROOT/dr-cli/target/dr.jar
  mkdir -p "$WORK/train/tree" && echo train > "$WORK/train/tree/file"
  "${DR[@]}" init --repo "$WORK/train/repo" > /dev/null
  "${DR[@]}" backup --repo "$WORK/train/repo" "$WORK/train/tree" > /dev/null
  "${DR[@]}" restore --repo "$WORK/train/repo" latest --target "$WORK/train/out" > /dev/null
  rm -rf "$WORK/train"
else
  DR=(java ${JAVA_OPTS[@]+"${JAVA_OPTS[@]}"} -jar "$DR_JAR")
fi
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
  printf '  %-6s run %s %-13s %8ss %8s KB RSS  repo %s bytes\n' "$tool" "$run" "$phase" "$secs" "$rss" "$(size_of "$repo")"
}

# Type, mode, size and modification time of every entry below a directory, sorted by path;
# directories' and links' times are left out (restic leaves a link's time as restored).
listing() {
  (cd "$1" && find . \( -type f -printf '%P %y %m %s %T@\n' \) -o \( ! -type f -printf '%P %y %m\n' \) | LC_ALL=C sort)
}

verify() { # tool data restored
  diff -r --no-dereference "$2" "$3" > /dev/null || { echo "$1 restored $3 differently from $2" >&2; exit 1; }
  diff <(listing "$2") <(listing "$3") > "$WORK/listing.diff" \
    || { echo "$1 restored metadata differently in $3:" >&2; head -5 "$WORK/listing.diff" >&2; exit 1; }
  echo "  $1 restore verified: contents byte for byte, and every entry's type, mode, size, file times"
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
    verify restic "$data" "$out$data"
    if [ -n "$TMPFS" ]; then
      timed restic "$run" restore-tmpfs "$repo" -- restic -r "$repo" restore latest --target "$TMPFS/restore-$1-$2"
      verify restic "$data" "$TMPFS/restore-$1-$2$data"
    fi
  else
    java -jar "$DR_JAR" init --repo "$repo" > /dev/null
    timed dr "$run" full "$repo" -- "${DR[@]}" backup --repo "$repo" "$data"
    timed dr "$run" unchanged "$repo" -- "${DR[@]}" backup --repo "$repo" "$data"
    java -cp "$BENCH_JAR" dev.drkit.bench.DatasetGenerator mutate "$data" 1 2
    timed dr "$run" changed "$repo" -- "${DR[@]}" backup --repo "$repo" "$data"
    timed dr "$run" restore "$repo" -- "${DR[@]}" restore --repo "$repo" latest --target "$out"
    verify dr "$data" "$out/$(basename "$data")"
    if [ -n "$TMPFS" ]; then
      timed dr "$run" restore-tmpfs "$repo" -- "${DR[@]}" restore --repo "$repo" latest --target "$TMPFS/restore-$1-$2"
      verify dr "$data" "$TMPFS/restore-$1-$2/$(basename "$data")"
    fi
  fi
}

settle
for run in $(seq 1 "$RUNS"); do
  echo "run $run"
  if [ $((run % 2)) = 1 ]; then one restic "$run"; one dr "$run"; else one dr "$run"; one restic "$run"; fi
  # The limit: a plain copy of the same tree (from the page cache) to the same file system.
  timed cp "$run" copy "$WORK/data-dr-$run" -- cp -a "$WORK/data-dr-$run" "$RESTORES/copy-$run"
done
rm -rf "$WORK"/repo-* "$RESTORES"/restore-* "$RESTORES"/copy-* "$WORK"/data-* "$WORK/data" && java -cp "$BENCH_JAR" dev.drkit.bench.DatasetGenerator generate "$WORK/data" "$MIB" 1
deleted
data_bytes=$(size_of "$WORK/data")
data_files=$(find "$WORK/data" -type f | wc -l)
data_small=$(find "$WORK/data" -type f -size -16k | wc -l)
rm -rf "$WORK/data"

if [ -n "$LAUNCHER" ]; then dr_form="./dr (the launcher's JVM options)"; else dr_form="java -jar, JVM options: ${DR_JAVA_OPTS:-none}"; fi
echo
echo "data set: $((data_bytes / 1048576)) MiB in $data_files files ($data_small under 16 KiB); medians of $RUNS runs; $(nproc) cores; $(restic version | cut -d' ' -f1-2); dr as $dr_form; restores into $RESTORES ($(df --output=fstype "$RESTORES" | tail -1))${TMPFS:+ and $TMPFS (tmpfs)}"
awk -F'\t' -v data="$data_bytes" '
  NR == 1 { next }
  { key = $1 SUBSEP $3; n[key]++; t[key, n[key]] = $4; r[key, n[key]] = $5; s[key, n[key]] = $6 }
  function median(arr, key, count,   i, j, v, tmp) {
    for (i = 1; i <= count; i++) v[i] = arr[key, i] + 0
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { tmp = v[i]; v[i] = v[j]; v[j] = tmp }
    return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
  }
  END {
    split("full unchanged changed restore restore-tmpfs", phases, " ")
    printf "| phase | restic s | dr s | dr/restic time | restic MiB/s | dr MiB/s | restic peak RSS MB | dr peak RSS MB | dr/restic RSS |\n"
    printf "|---|---|---|---|---|---|---|---|---|\n"
    for (p = 1; p <= 5; p++) {
      ph = phases[p]; kr = "restic" SUBSEP ph; kd = "dr" SUBSEP ph
      if (!n[kd]) continue
      tr = median(t, kr, n[kr]); td = median(t, kd, n[kd]); rr = median(r, kr, n[kr]) / 1024; rd = median(r, kd, n[kd]) / 1024
      printf "| %s | %.2f | %.2f | %.2fx | %.0f | %.0f | %.0f | %.0f | %.2fx |\n", ph, tr, td, td / tr, data / 1048576 / tr, data / 1048576 / td, rr, rd, rd / rr
    }
    sr = median(s, "restic" SUBSEP "unchanged", n["restic" SUBSEP "unchanged"]); sd = median(s, "dr" SUBSEP "unchanged", n["dr" SUBSEP "unchanged"])
    ar = median(s, "restic" SUBSEP "changed", n["restic" SUBSEP "changed"]) - sr; ad = median(s, "dr" SUBSEP "changed", n["dr" SUBSEP "changed"]) - sd
    kc = "cp" SUBSEP "copy"; tc = median(t, kc, n[kc])
    tr = median(t, "restic" SUBSEP "restore", n["restic" SUBSEP "restore"]); td = median(t, "dr" SUBSEP "restore", n["dr" SUBSEP "restore"])
    printf "\nrestore throughput: dr %.2fx restic'"'"'s; cp -a of the tree (the limit) %.2f s: dr restore %.2fx its time, restic %.2fx\n", tr / td, tc, td / tc, tr / tc
    printf "\nrepository after full backup: restic %.1f MiB, dr %.1f MiB (%.3fx)\n", sr / 1048576, sd / 1048576, sd / sr
    printf "bytes added by the 1%% change: restic %.2f MiB, dr %.2f MiB (%.2fx)\n", ar / 1048576, ad / 1048576, ad / ar
  }' "$RESULTS"
echo "raw figures: $RESULTS"
