#!/usr/bin/env bash
# Fuzzes every Jazzer target of DR Kit for the same duration, one target after the other, and
# prints the executions and the outcome of each. A finding does not stop the other targets; the
# script exits 1 when any target found something (its input is then under the target's
# src/test/resources/.../<Class>Inputs/<method>/crash-*, where the next build runs it).
#
# Usage: scripts/fuzz-all.sh DURATION [PATTERN]
#   DURATION  per target: seconds (90), or with a unit: 20s, 5m, 1h
#   PATTERN   optional: fuzz only the targets whose "module Class#method" matches this grep pattern
# Environment: MVN, the Maven command (default mvn); logs go to target/fuzz/<Class>#<method>.log.
set -euo pipefail

if [[ $# -lt 1 || ! "$1" =~ ^[1-9][0-9]*[smh]?$ ]]; then
  echo "usage: $0 DURATION [PATTERN]   (DURATION per target: 90, 20s, 5m or 1h)" >&2
  exit 2
fi
duration=$1
pattern=${2:-.}
mvn_cmd=${MVN:-mvn}
root=$(cd "$(dirname "$0")/.." && pwd)
logs=$root/target/fuzz
mkdir -p "$logs"

targets=(
  "dr-core RepositoryFormatFuzzTest#treeDecodes"
  "dr-core RepositoryFormatFuzzTest#indexFileDecodes"
  "dr-core RepositoryFormatFuzzTest#packHeaderReads"
  "dr-core RepositoryFormatFuzzTest#keyFileOpensOrIsRefused"
  "dr-core RepositoryFormatFuzzTest#configOpensOrIsRefused"
  "dr-core RepositoryFormatFuzzTest#manifestReadsOrIsRefused"
  "dr-core RepositoryFormatFuzzTest#lockFileReadsOrIsRefused"
  "dr-core AuditVerifierFuzzTest#verifyReportsOnAnyText"
  "dr-core AuditVerifierFuzzTest#storeLogVerifiesOrIsRefused"
  "dr-core AuditVerifierFuzzTest#readFiltersAnyFile"
  "dr-core AlertmanagerPayloadFuzzTest#parseEndsInAPayloadOrADrException"
  "dr-core RollbackConfigJsonFuzzTest#parseEndsInAConfigOrADrException"
  "dr-core RunbookFuzzTest#parseEndsInARunbookOrADrException"
  "dr-core SnapshotStoresFuzzTest#openEndsInAStoreOrADrException"
  "dr-core SnapshotStoresFuzzTest#optionsReadOrAreRefused"
  "dr-core ExecutionJournalFuzzTest#resumeEndsInAResultOrADrException"
  "dr-storage-s3 S3StoreConfigFuzzTest#fromUriEndsInAConfigOrADrException"
  "dr-storage-azure AzureBlobStoreConfigFuzzTest#fromUriEndsInAConfigOrADrException"
)

cd "$root"
found=0
printf '%-70s %14s %8s  %s\n' "target" "executions" "seconds" "outcome"
for entry in "${targets[@]}"; do
  if ! grep -q -- "$pattern" <<<"$entry"; then
    continue
  fi
  module=${entry%% *}
  target=${entry#* }
  log=$logs/$target.log
  status=0
  JAZZER_FUZZ=1 $mvn_cmd -B -ntp -pl "$module" -am -Djacoco.skip=true verify \
      -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false -Ddr.fuzz.duration="$duration" \
      >"$log" 2>&1 || status=$?
  class=${target%%#*}
  cat "$module"/target/surefire-reports/*."$class"-output.txt >>"$log" 2>/dev/null || true
  # libFuzzer's last word: "Done 123456 runs in 20 second(s)"; a finding stops the run before it.
  done_line=$(grep -ao 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 || true)
  runs=$(awk '{print $2}' <<<"$done_line")
  secs=$(awk '{print $5}' <<<"$done_line")
  if [[ $status -eq 0 ]]; then
    outcome=ok
  else
    found=1
    crash=$(grep -ao 'crash-[0-9a-f]\{40\}' "$log" | head -1 || true)
    outcome="FAILED (${crash:-see the log}): $log"
  fi
  printf '%-70s %14s %8s  %s\n' "$module $target" "${runs:--}" "${secs:--}" "$outcome"
done
exit $found
