#!/usr/bin/env bash
# End-to-end test of training on Slurm, on a real one-node Slurm started on this machine (tools/slurm/local-cluster.sh):
#   1. a local reference: `repro train` seeds 1 and 2 one after the other, then `repro measure` accuracy for each;
#   2. the same through `repro submit --scheduler slurm` (a train array, measure after it, report after that) into
#      another cache, with seed 2's task stopped by SIGUSR1 inside its dense iteration, requeued and resumed;
#   3. every iter-NN.ckpt must be byte-identical to the local one and each seed's accuracy values identical.
# Needs root (slurmd runs as root) and Slurm (installed with apt-get when missing); otherwise it says why it is
# skipped and exits 0. SLURM_TEST_DIR chooses the working folder (default a new one under /tmp); it is kept.
# REPRO replaces the command under test (default: the built harness, dotnet harness/Repro.Cli/bin/Debug/net10.0/repro.dll).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

skip() { echo "slurm test skipped: $*"; exit 0; }

slurm_installed() { command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null; }

[ "$(id -u)" = 0 ] || skip "not root (the local cluster runs slurmd and slurmctld as root)"
if ! slurm_installed; then
  command -v apt-get >/dev/null || skip "Slurm is not installed and apt-get is unavailable to install it"
  echo "installing slurm-wlm and munge"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; } \
    || skip "Slurm is not installed and apt-get could not install slurm-wlm and munge"
fi

work=${SLURM_TEST_DIR:-$(mktemp -d /tmp/repro-slurm-test.XXXXXX)}
mkdir -p "$work"
# munged refuses a socket below a folder others cannot search, and mktemp makes its folder 700.
chmod 755 "$work"
work=$(realpath "$work")
cluster=$work/cluster
export SLURM_CONF=$cluster/slurm.conf
# Bounds, in seconds: each is several times what the phase takes on 2 cores.
checkpoint_timeout_s=${SLURM_TEST_CHECKPOINT_TIMEOUT:-900}
requeue_timeout_s=${SLURM_TEST_REQUEUE_TIMEOUT:-180}
pipeline_timeout_s=${SLURM_TEST_PIPELINE_TIMEOUT:-1800}
poll_s=5
phases=()

# Word-split on purpose: REPRO is a command line.
repro() { $REPRO "$@"; }

say() { echo "slurm test: $*"; }

phase_done() {
  local name=$1 started=$2
  phases+=("$(printf '%-44s %5d s' "$name" $((SECONDS - started)))")
  say "$name: $((SECONDS - started)) s"
}

cleanup() {
  local rc=$?
  tools/slurm/local-cluster.sh stop "$cluster" || true
  [ $rc -eq 0 ] || echo "slurm test FAILED (exit $rc); logs and caches are kept in $work" >&2
}

# The last lines of every job's output, and of the controller's log.
job_log_tails() {
  local id out
  for id in "$@"; do
    [ -n "$id" ] || continue
    scontrol -o show job "$id" 2>/dev/null | sed -n 's/.*StdOut=\([^ ]*\).*/\1/p' | sort -u | while read -r out; do
      [ -f "$out" ] || continue
      echo "----- last lines of $out" >&2
      tail -n 40 "$out" >&2
    done
  done
  echo "----- last lines of $cluster/slurmctld.log" >&2
  tail -n 30 "$cluster/slurmctld.log" >&2 || true
}

fail() {
  echo "slurm test: error: $*" >&2
  [ -z "${train_job:-}" ] || job_log_tails "$train_job" "${measure_job:-}" "${report_job:-}"
  exit 1
}

# Runs a repro command with its output in a log file, shown when it fails.
run_logged() {
  local log=$1
  shift
  say "repro $* (log $log)"
  if ! repro "$@" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "repro $* failed (log $log)"
  fi
}

# field JOB_LINE KEY: a field of one `scontrol -o show job` line.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }

job_summary() {
  local line=$1 task
  task=$(field "$line" ArrayTaskId)
  echo "job $(field "$line" JobId)${task:+ (task $(field "$line" ArrayJobId)_$task)} $(field "$line" JobName):" \
    "JobState=$(field "$line" JobState) Reason=$(field "$line" Reason) ExitCode=$(field "$line" ExitCode) StdOut=$(field "$line" StdOut)"
}

# JobState of every task of a job, one a line (an array job has one line per task). Finished jobs stay listed for
# MinJobAge (3600 s in the local cluster's config), so a finished job is read the same way as a running one.
job_states() { scontrol -o show job "$1" 2>/dev/null | sed -n 's/.* JobState=\([^ ]*\).*/\1/p'; }

# A job that ended any other way than COMPLETED with exit code 0:0 (FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY...,
# and a dependent job cancelled because its dependency failed), or nothing.
failed_task() {
  local line
  while read -r line; do
    [ -n "$line" ] || continue
    case $(field "$line" JobState) in
      PENDING | CONFIGURING | RUNNING | COMPLETING | REQUEUED | REQUEUE_HOLD | REQUEUE_FED | SUSPENDED | RESIZING) ;;
      COMPLETED) [ "$(field "$line" ExitCode)" = 0:0 ] || { job_summary "$line"; return; } ;;
      *) job_summary "$line"; return ;;
    esac
  done < <(scontrol -o show job "$1" 2>/dev/null)
}

all_completed() {
  local states
  states=$(job_states "$1")
  [ -n "$states" ] && [ -z "$(grep -v '^COMPLETED$' <<<"$states")" ]
}

# The trajectory folder of the pruned arm of SEED under a cache, from the progress.yaml training writes there.
pruned_trajectory_dir() {
  local cache=$1 seed=$2 progress
  for progress in "$cache"/checkpoints/ci/*/progress.yaml; do
    [ -f "$progress" ] || continue
    grep -qx "seed: $seed" "$progress" || continue
    grep -q "^series: .*-control$" "$progress" && continue
    dirname "$progress"
    return
  done
}

# The values: block of a results.yaml (its provenance and timings differ between runs by design).
values_block() { awk '/^values:/ { on = 1; print; next } on && /^[^ -]/ { exit } on { print }' "$1"; }

# A seed's reports folder as a submission lays them out: the profile's seed (1) in REPORTS/, another in REPORTS/seed-<s>/.
reports_root_for() {
  local reports=$1 seed=$2
  if [ "$seed" = 1 ]; then echo "$reports"; else echo "$reports/seed-$seed"; fi
}
accuracy_results() { echo "$(reports_root_for "$1" "$2")/ci/accuracy/results.yaml"; }

trap cleanup EXIT
say "working in $work"

if [ -z "${REPRO:-}" ]; then
  started=$SECONDS
  say "building the harness"
  dotnet build harness/Repro.Cli --nologo -v q >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; fail "dotnet build harness/Repro.Cli failed"; }
  REPRO="dotnet $repo/harness/Repro.Cli/bin/Debug/net10.0/repro.dll"
  phase_done "build" $started
fi

started=$SECONDS
tools/slurm/local-cluster.sh start "$cluster"
phase_done "cluster start" $started

# 1. The local reference, one seed after the other.
local_cache=$work/local/cache
local_reports=$work/local/reports
started=$SECONDS
for seed in 1 2; do
  run_logged "$work/local-train-$seed.log" train --profile ci --model resnet18-w0.25 --seed $seed --threads 1 --cache-dir "$local_cache"
done
phase_done "local training, seeds 1 then 2" $started
started=$SECONDS
for seed in 1 2; do
  run_logged "$work/local-measure-$seed.log" measure --profile ci --figures accuracy --seed $seed --threads 1 \
    --cache-dir "$local_cache" --reports-dir "$(reports_root_for "$local_reports" $seed)"
done
phase_done "local accuracy, seeds 1 and 2" $started

# 2. The same on Slurm.
slurm_cache=$work/slurm/cache
slurm_reports=$work/slurm/reports
started=$SECONDS
pipeline_started=$SECONDS
run_logged "$work/submit.log" submit --profile ci --scheduler slurm --seeds 1,2 --threads 1 --figures accuracy \
  --cache-dir "$slurm_cache" --reports-dir "$slurm_reports"
jobs_file=$slurm_reports/ci/slurm/jobs.yaml
[ -f "$jobs_file" ] || fail "$jobs_file: not written by repro submit"
train_job=$(awk '$1 == "train:" { print $2 }' "$jobs_file")
measure_job=$(awk '$1 == "measure:" { print $2 }' "$jobs_file")
report_job=$(awk '$1 == "report:" { print $2 }' "$jobs_file")
[ -n "$train_job" ] && [ -n "$measure_job" ] && [ -n "$report_job" ] \
  || fail "$jobs_file: expected the lines 'train: <id>', 'measure: <id>' and 'report: <id>', got: $(tr '\n' ' ' <"$jobs_file")"
say "submitted: train $train_job, measure $measure_job, report $report_job"
squeue

# Task 1 of the train array is seed 2 (one task per model and seed, in the order of --seeds). Wait until it has
# checkpointed inside its dense iteration (iteration 0, at least 2 of its 36 epochs done), then stop it as Slurm's
# --signal=B:USR1 would before a time limit.
say "waiting up to $checkpoint_timeout_s s for seed 2's checkpoint inside iteration 0"
deadline=$((SECONDS + checkpoint_timeout_s))
last_status=0
while :; do
  [ $SECONDS -lt $deadline ] || fail "no checkpoint of seed 2 inside iteration 0 after $checkpoint_timeout_s s"
  [ -z "$(failed_task "$train_job")" ] || fail "a train task ended early: $(failed_task "$train_job")"
  if [ $((SECONDS - last_status)) -ge 30 ]; then
    repro status --profile ci --cache-dir "$slurm_cache" || fail "repro status --profile ci --cache-dir $slurm_cache failed"
    last_status=$SECONDS
  fi
  trajectory=$(pruned_trajectory_dir "$slurm_cache" 2)
  if [ -n "$trajectory" ] && [ -f "$trajectory/iter-00.resume" ] && grep -qx "iteration: 0" "$trajectory/progress.yaml"; then
    epoch=$(sed -n 's/^epoch: //p' "$trajectory/progress.yaml")
    [ "${epoch:-0}" -ge 2 ] && break
  fi
  sleep $poll_s
done
say "seed 2 has checkpointed iteration 0 at epoch $epoch ($trajectory)"
phase_done "submit to seed 2's checkpoint at epoch $epoch" $started

started=$SECONDS
# --batch signals the batch shell only; its trap forwards the signal to repro train, which checkpoints at its next
# step and exits 5, and the script then requeues its own task. Tested on Slurm 22.05: the requeued task is not held
# (no scontrol release); it is eligible again after the config's AuthInfo cred_expire + 1 s (11 s here, 121 s by
# default) and starts at the next scheduling pass, with SLURM_RESTART_COUNT=1 in its environment and Restarts=1 in
# scontrol show job; a dependent afterok job waits for it.
say "scancel --signal=USR1 --batch ${train_job}_1"
scancel --signal=USR1 --batch "${train_job}_1"
deadline=$((SECONDS + requeue_timeout_s))
until [ "$(field "$(scontrol -o show job "${train_job}_1")" Restarts)" = 1 ]; do
  [ $SECONDS -lt $deadline ] || fail "task ${train_job}_1 not requeued $requeue_timeout_s s after SIGUSR1: $(scontrol -o show job "${train_job}_1")"
  sleep 1
done
say "task ${train_job}_1 requeued: $(scontrol -o show job "${train_job}_1" | grep -o 'JobState=[^ ]* Reason=[^ ]*')"
# An array task may carry the array's own job id, and `scontrol requeue <that id>` requeues every task of the array:
# the script must requeue <array id>_<task>, so seed 1's task must not have restarted.
seed1_restarts=$(field "$(scontrol -o show job "${train_job}_0")" Restarts)
[ "$seed1_restarts" = 0 ] || fail "task ${train_job}_0 (seed 1) restarted too (Restarts=$seed1_restarts): the requeue hit the whole array"
train_log=$(field "$(scontrol -o show job "${train_job}_1")" StdOut)
until grep -q "resuming iteration 0 at epoch" "$train_log" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "$train_log: no 'resuming iteration 0 at epoch' line $requeue_timeout_s s after SIGUSR1"
  [ -z "$(failed_task "${train_job}_1")" ] || fail "task ${train_job}_1 failed after its requeue"
  sleep 1
done
say "$(grep -m1 "resuming iteration 0 at epoch" "$train_log")"
phase_done "SIGUSR1 to the requeued task resuming" $started

started=$SECONDS
say "waiting for the report job $report_job (at most $pipeline_timeout_s s from submission)"
deadline=$((pipeline_started + pipeline_timeout_s))
last_status=0
until all_completed "$report_job"; do
  [ $SECONDS -lt $deadline ] || fail "the jobs did not finish within $pipeline_timeout_s s: $(squeue -h -o '%i %T %r' | tr '\n' ';')"
  for job in "$train_job" "$measure_job" "$report_job"; do
    bad=$(failed_task "$job")
    [ -z "$bad" ] || fail "job $job ended without success: $bad"
  done
  if [ $((SECONDS - last_status)) -ge 60 ]; then
    squeue -h -o '%i %T %M %r'
    last_status=$SECONDS
  fi
  sleep $poll_s
done
for job in "$train_job" "$measure_job" "$report_job"; do
  all_completed "$job" || fail "job $job: not every task COMPLETED: $(job_states "$job" | tr '\n' ' ')"
  bad=$(failed_task "$job")
  [ -z "$bad" ] || fail "job $job ended without success: $bad"
done
phase_done "requeue to the report job done" $started
repro status --profile ci --cache-dir "$slurm_cache" || fail "repro status --profile ci --cache-dir $slurm_cache failed"

# 3. Same checkpoints, same numbers.
started=$SECONDS
local_ckpts=$(cd "$local_cache/checkpoints/ci" && find . -name 'iter-*.ckpt' | sort)
slurm_ckpts=$(cd "$slurm_cache/checkpoints/ci" && find . -name 'iter-*.ckpt' | sort)
[ -n "$local_ckpts" ] || fail "$local_cache/checkpoints/ci: no iter-*.ckpt"
[ "$local_ckpts" = "$slurm_ckpts" ] \
  || fail "the Slurm run's checkpoints differ in name from the local ones: $(diff <(echo "$local_ckpts") <(echo "$slurm_ckpts") | tr '\n' ' ')"
mismatches=$(diff <(cd "$local_cache/checkpoints/ci" && sha256sum $local_ckpts) <(cd "$slurm_cache/checkpoints/ci" && sha256sum $slurm_ckpts) || true)
[ -z "$mismatches" ] || fail "checkpoints differ between $local_cache and $slurm_cache: $mismatches"
say "$(wc -l <<<"$local_ckpts") checkpoints byte-identical"
for seed in 1 2; do
  local_results=$(accuracy_results "$local_reports" $seed)
  slurm_results=$(accuracy_results "$slurm_reports" $seed)
  for f in "$local_results" "$slurm_results"; do
    [ -f "$f" ] || fail "$f: not written"
    [ -n "$(values_block "$f")" ] || fail "$f: no values: block"
  done
  diff <(values_block "$local_results") <(values_block "$slurm_results") >&2 \
    || fail "seed $seed: the values of $slurm_results differ from $local_results"
  say "seed $seed: accuracy values identical ($(values_block "$slurm_results" | grep -c '^- ') values)"
done
for seed in 1 2; do
  report=$(reports_root_for "$slurm_reports" $seed)/ci/index.html
  [ -f "$report" ] || fail "$report: not written by the report job"
done
phase_done "comparison" $started

echo
echo "phase                                         wall time"
printf '%s\n' "${phases[@]}"
echo "slurm test passed"
