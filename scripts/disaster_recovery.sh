#!/usr/bin/env bash
# Recovers from a fault of one class by running its recovery plan, and leaves the evidence.
#
#   scripts/disaster_recovery.sh FAULT_CLASS [--drill] [options]
#
# FAULT_CLASS is hardware, software, network or data. The script
#   1. picks the plan for the class from the plans directory (FAULT_CLASS.yaml, .yml or .json),
#      checks it and renders its runbook;
#   2. opens an incident for the fault in the audit log, or adds to the one still open for it;
#   3. runs the plan (dr plan run), printing each step's progress and the ETA;
#   4. writes the run's report, the post-incident report (Markdown, and HTML with an SVG
#      timeline) and the runbook, and verifies the audit log's hash chain.
# Without --drill the plan runs live. A drill approves its own gates and changes nothing: the
# read-only steps run (the repository is verified, the snapshot restored into scratch space),
# the others say what they would do. With --drill and no DR_REPOSITORY, the drill runs on a
# practice set-up made under the output directory (sample data backed up into a new
# repository), so that it works on a fresh clone.
#
# Options:
#   --drill            rehearse; without it the plan runs live
#   --plans DIR        where the plans are (default: $DR_PLANS_DIR, else scripts/plans)
#   --out DIR          where the audit log and the runs' files go (default: $DR_OUT, else ./dr-recovery)
#   --audit FILE       the audit log (default: OUT/audit.jsonl)
#   --severity SEV     SEV1..SEV4 of the incident (default: SEV2; a drill's is SEV4)
#   --title TEXT       the incident's title (default: "<class> fault")
#   --incident ID      run for this incident instead of opening or adding to one
#   --approve STEP     approve this approval step when it opens (repeatable; * for every one)
#   --resolve          resolve the incident when a live run succeeds (a drill's always is)
#   -h, --help         this text
#
# Environment: DR_CLI is the dr command (default: the clone's ./dr); the plans read
# DR_REPOSITORY, DR_PASSWORD, DR_DATA_DIR, DR_HEALTH_CHECK and the commands named in them.
# Exit codes follow dr's: 0 recovered (or the drill passed), 1 the plan failed,
# 2 usage or a bad plan, 3 the audit log is not intact.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
fail() { echo "disaster_recovery: $1" >&2; exit "${2:-2}"; }
say() { printf '== %s\n' "$*"; }

[[ $# -ge 1 ]] || { usage >&2; exit 2; }
case "$1" in
  -h|--help) usage; exit 0 ;;
esac
class="$1"; shift
case "$class" in
  hardware|software|network|data) ;;
  *) fail "unknown fault class '$class'; known: hardware, software, network, data" ;;
esac

drill=false
plans="${DR_PLANS_DIR:-$root/scripts/plans}"
out="${DR_OUT:-$PWD/dr-recovery}"
audit=""
severity=""
title=""
incident=""
resolve=false
approvals=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --drill) drill=true ;;
    --plans) [[ $# -ge 2 ]] || fail "--plans needs a directory"; plans="$2"; shift ;;
    --out) [[ $# -ge 2 ]] || fail "--out needs a directory"; out="$2"; shift ;;
    --audit) [[ $# -ge 2 ]] || fail "--audit needs a file"; audit="$2"; shift ;;
    --severity) [[ $# -ge 2 ]] || fail "--severity needs SEV1..SEV4"; severity="$2"; shift ;;
    --title) [[ $# -ge 2 ]] || fail "--title needs a text"; title="$2"; shift ;;
    --incident) [[ $# -ge 2 ]] || fail "--incident needs an id"; incident="$2"; shift ;;
    --approve) [[ $# -ge 2 ]] || fail "--approve needs a step name"; approvals+=("$2"); shift ;;
    --resolve) resolve=true ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown option '$1' (see --help)" ;;
  esac
  shift
done

read -r -a dr_cmd <<< "${DR_CLI:-$root/dr}"
export DR_CLI="${DR_CLI:-$root/dr}"
dr() { "${dr_cmd[@]}" "$@"; }

plan=""
for ext in yaml yml json; do
  if [[ -f "$plans/$class.$ext" ]]; then plan="$plans/$class.$ext"; break; fi
done
if [[ -z "$plan" ]]; then
  known="$(cd "$plans" 2>/dev/null && ls -- *.yaml *.yml *.json 2>/dev/null | tr '\n' ' ' || true)"
  fail "no plan for '$class' in $plans (looked for $class.yaml, $class.yml, $class.json; found: ${known:-nothing})"
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
audit="${audit:-$out/audit.jsonl}"
mode=live
$drill && mode=drill
run_dir="$out/runs/$(date -u +%Y%m%dT%H%M%SZ)-$class-$mode"
mkdir -p "$run_dir"
actor="${USER:-operator}"

if $drill && [[ -z "${DR_REPOSITORY:-}" ]]; then
  practice="$out/practice"
  say "No DR_REPOSITORY: the drill runs on the practice set-up in $practice"
  mkdir -p "$practice/data/orders"
  if [[ ! -f "$practice/data/orders/orders.csv" ]]; then
    {
      echo "id,customer,amount_cents"
      for i in $(seq 1 200); do echo "$i,customer-$((i % 17)),$((i * 137 % 10000))"; done
    } > "$practice/data/orders/orders.csv"
    printf '{"schema": 3, "orders": 200}\n' > "$practice/data/state.json"
  fi
  export DR_PASSWORD="${DR_PASSWORD:-practice-password}"
  export DR_REPOSITORY="$practice/repository"
  export DR_DATA_DIR="$practice/data"
  export DR_HEALTH_CHECK="${DR_HEALTH_CHECK:-test -s '$practice/data/orders/orders.csv'}"
  if [[ ! -f "$DR_REPOSITORY/config" ]]; then
    dr init --repo "$DR_REPOSITORY" >/dev/null
  fi
  dr backup --repo "$DR_REPOSITORY" "$DR_DATA_DIR" --tag practice >/dev/null
fi

say "Plan for a $class fault: $plan ($mode)"
dr plan render --file "$plan" --out "$run_dir/runbook.md"
echo "runbook: $run_dir/runbook.md"

if [[ -z "$incident" ]]; then
  if $drill; then
    severity="${severity:-SEV4}"
    title="${title:-Drill: $class fault}"
    key="drill:$class"
  else
    severity="${severity:-SEV2}"
    title="${title:-$class fault}"
    key="fault:$class"
  fi
  line="$(dr incident open --audit "$audit" --title "$title" --fault "$class" --severity "$severity" \
      --dedup-key "$key" --actor "$actor")"
  echo "$line"
  incident="$(sed -E 's/^(opened incident|added to open incident) ([^ ]+) .*/\2/' <<< "$line")"
fi

say "Running the plan for incident $incident"
run_args=(plan run --file "$plan" "--$mode" --audit "$audit" --incident "$incident" --actor "$actor"
  --report "$run_dir/plan-run.md")
if $drill && [[ ${#approvals[@]} -eq 0 ]]; then
  approvals=("*")
fi
for step in ${approvals[@]+"${approvals[@]}"}; do
  run_args+=(--approve "$step")
done
set +e
dr "${run_args[@]}"
status=$?
set -e

if [[ $status -eq 0 ]]; then
  dr incident note --audit "$audit" --incident "$incident" --kind plan --actor "$actor" \
      --text "$mode run of $(basename "$plan") succeeded" >/dev/null
  if $drill || $resolve; then
    dr incident resolve --audit "$audit" --incident "$incident" --actor "$actor" \
        --resolution "$mode run of $(basename "$plan") succeeded" >/dev/null
  fi
else
  dr incident note --audit "$audit" --incident "$incident" --kind plan --actor "$actor" \
      --text "$mode run of $(basename "$plan") did not succeed (exit $status); see $run_dir/plan-run.md" >/dev/null
fi

dr report incident --audit "$audit" --incident "$incident" --out "$run_dir/report.md"
dr report incident --audit "$audit" --incident "$incident" --format html --out "$run_dir/report.html"
set +e
dr audit verify --file "$audit" > "$run_dir/audit-verify.txt"
audit_status=$?
set -e

say "Done: the plan ended with exit $status"
echo "report:       $run_dir/report.md (and report.html)"
echo "plan run:     $run_dir/plan-run.md"
echo "runbook:      $run_dir/runbook.md"
echo "audit log:    $audit ($(cat "$run_dir/audit-verify.txt"))"
if [[ $audit_status -ne 0 ]]; then
  exit 3
fi
exit "$status"
