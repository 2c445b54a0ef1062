#!/usr/bin/env bash
# A real one-node Slurm on this machine (munged, slurmctld, slurmd), every file of it under STATE_DIR, for the CI's
# Slurm test (tests/slurm/slurm-test.sh). Needs root and Debian's slurm-wlm and munge packages; no systemd.
#
#   tools/slurm/local-cluster.sh start STATE_DIR    # write the config, start the daemons, wait for the node, smoke-test srun
#   tools/slurm/local-cluster.sh status STATE_DIR
#   tools/slurm/local-cluster.sh stop STATE_DIR     # cancel every job, stop the daemons; STATE_DIR (logs) is kept
#
# Clients find this cluster through SLURM_CONF=STATE_DIR/slurm.conf (printed by start; the test script exports it).
# Running start again while the daemons run only checks them; after a crash it restarts what is missing.
# LOCAL_SLURM_PORT: slurmctld's port (default Slurm's 6817; slurmd takes the next one), for a second cluster beside one.
set -euo pipefail

usage() { echo "usage: $0 start|stop|status STATE_DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
state=$(realpath -m "$2")
node=$(hostname -s)
export SLURM_CONF=$state/slurm.conf
munge_dir=$state/munge
munge_socket=$munge_dir/munge.socket.2
ready_timeout_s=${LOCAL_SLURM_READY_TIMEOUT:-60}
slurmctld_port=${LOCAL_SLURM_PORT:-6817}
slurmd_port=$((slurmctld_port + 1))

step() { echo "local-cluster: $*"; }

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

show_logs() {
  local log
  for log in "$munge_dir/munged.log" "$state/slurmctld.log" "$state/slurmd.log"; do
    [ -f "$log" ] || continue
    echo "----- last lines of $log" >&2
    tail -n 40 "$log" >&2
  done
}

fail() {
  echo "local-cluster: error: $*" >&2
  show_logs
  exit 1
}

# munged refuses a socket folder that others cannot search and a key anyone but its owner can read.
start_munge() {
  mkdir -p "$munge_dir"
  chmod 755 "$state" "$munge_dir"
  local dir
  dir=$(dirname "$state")
  while [ "$dir" != / ]; do
    case $(stat -c %A "$dir" | cut -c10) in
      x | t) ;;
      *) fail "munged needs every folder above its socket searchable by all, and $dir is not: chmod a+x $dir, or choose another state folder" ;;
    esac
    dir=$(dirname "$dir")
  done
  if [ ! -s "$munge_dir/munge.key" ]; then
    step "generating the munge key $munge_dir/munge.key"
    dd if=/dev/urandom of="$munge_dir/munge.key" bs=1024 count=1 status=none
  fi
  chmod 400 "$munge_dir/munge.key"
  if pid_alive "$munge_dir/munged.pid"; then
    step "munged already runs (pid $(cat "$munge_dir/munged.pid"))"
    return
  fi
  step "starting munged on its own socket $munge_socket"
  munged --key-file="$munge_dir/munge.key" --socket="$munge_socket" --pid-file="$munge_dir/munged.pid" \
    --log-file="$munge_dir/munged.log" --seed-file="$munge_dir/munged.seed" \
    || fail "munged did not start"
  munge -S "$munge_socket" -n | unmunge -S "$munge_socket" >/dev/null || fail "munge cannot encode and decode a credential"
}

write_config() {
  local cpus memory_mb
  cpus=$(nproc)
  # RealMemory a little under the total, so that the node is never refused for having less than configured.
  memory_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  mkdir -p "$state/spool" "$state/statesave"
  step "writing $SLURM_CONF (node $node: $cpus CPUs, ${memory_mb} MB)"
  cat >"$SLURM_CONF" <<EOF
# Written by tools/slurm/local-cluster.sh: a one-node cluster for tests, every file under $state.
ClusterName=reproci
SlurmctldHost=$node
SlurmctldPort=$slurmctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also sets how long a requeued job waits before it may start again (default 120 s):
# a requeued task starts again after about this many seconds.
AuthInfo=socket=$munge_socket,cred_expire=10
MpiDefault=none
# No cgroups inside containers: processes are tracked through /proc, tasks are not bound.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# Two 1-CPU tasks share the node at once.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# The schedulers look at pending jobs every few seconds, so an eligible requeued task starts soon.
SchedulerParameters=bf_interval=5,sched_interval=5
# A job whose dependency can never be met (afterok on a failed job) is cancelled (JobState=CANCELLED,
# Reason=DependencyNeverSatisfied) instead of pending forever.
DependencyParameters=kill_invalid_depend
JobRequeue=1
ReturnToService=2
# The node's own hardware report is not compared with this file (containers report odd topologies).
SlurmdParameters=config_overrides
# No accounting database: finished jobs stay in 'scontrol show job' for MinJobAge seconds, and each end of a job
# (completion, failure, requeue) is a line of the job completion log.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$state/jobcomp.log
MinJobAge=3600
# Short timeouts: a dead daemon or a cancelled job is noticed within seconds.
SlurmctldTimeout=10
SlurmdTimeout=30
MessageTimeout=10
KillWait=5
InactiveLimit=0
Waittime=0
MailProg=/bin/true
StateSaveLocation=$state/statesave
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$node CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Another Slurm on these ports would answer our clients with its own munge key ("Unauthorized credential").
require_free_ports() {
  local port
  for port in "$slurmctld_port" "$slurmd_port"; do
    if port_in_use "$port"; then
      echo "local-cluster: error: port $port is in use (another slurmctld or slurmd?); stop that cluster" \
        "(tools/slurm/local-cluster.sh stop ITS_STATE_DIR) or choose other ports with LOCAL_SLURM_PORT" >&2
      exit 1
    fi
  done
}

node_state() { sinfo -h -N -n "$node" -o %T 2>/dev/null | head -n 1; }

wait_for_idle_node() {
  local deadline=$((SECONDS + ready_timeout_s)) state_now=""
  step "waiting up to ${ready_timeout_s} s for node $node to be idle"
  local waited_from=$SECONDS daemon
  while [ $SECONDS -lt $deadline ]; do
    # The daemons write their pid files a moment after they fork; one that exits early (a fatal error) is reported at once.
    for daemon in slurmctld slurmd; do
      if [ -s "$state/$daemon.pid" ]; then
        pid_alive "$state/$daemon.pid" || fail "$daemon has stopped"
      elif [ $((SECONDS - waited_from)) -gt 10 ]; then
        fail "$daemon wrote no pid file ($state/$daemon.pid) within 10 s"
      fi
    done
    state_now=$(node_state || true)
    case $state_now in
      idle | mixed | allocated) step "node $node is $state_now"; return ;;
    esac
    sleep 1
  done
  fail "node $node is '${state_now:-not reported}' after ${ready_timeout_s} s, not idle"
}

start() {
  mkdir -p "$state"
  if pid_alive "$state/slurmctld.pid" && pid_alive "$state/slurmd.pid"; then
    start_munge
    step "slurmctld and slurmd already run; checking them"
  else
    stop_slurm_daemons
    require_free_ports
    start_munge
    write_config
    step "starting slurmctld"
    slurmctld -f "$SLURM_CONF" -L "$state/slurmctld.log" || fail "slurmctld did not start"
    step "starting slurmd for node $node"
    slurmd -f "$SLURM_CONF" -L "$state/slurmd.log" -N "$node" || fail "slurmd did not start"
  fi
  wait_for_idle_node
  step "smoke check: srun -N1 hostname"
  timeout 60 srun -N1 hostname || fail "srun -N1 hostname failed"
  step "ready; point clients at it with: export SLURM_CONF=$SLURM_CONF"
}

stop_by_pid_file() {
  local name=$1 pid_file=$2 pid i
  if ! pid_alive "$pid_file"; then
    rm -f "$pid_file"
    return
  fi
  pid=$(cat "$pid_file")
  step "stopping $name (pid $pid)"
  kill "$pid"
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; return; }
    sleep 0.2
  done
  step "$name did not stop within 10 s; killing it"
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pid_file"
}

stop_slurm_daemons() {
  stop_by_pid_file slurmd "$state/slurmd.pid"
  stop_by_pid_file slurmctld "$state/slurmctld.pid"
}

stop() {
  if pid_alive "$state/slurmctld.pid"; then
    step "cancelling every job"
    scancel --full --quiet --user=root || true
    # Let slurmd end the jobs' processes before it stops itself.
    local i
    for i in $(seq 1 20); do
      [ -z "$(squeue -h -t RUNNING,COMPLETING -o %i 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
  stop_slurm_daemons
  stop_by_pid_file munged "$munge_dir/munged.pid"
  step "stopped; logs are kept in $state"
}

status() {
  local name pid_file ok=0
  for name in munged slurmctld slurmd; do
    case $name in
      munged) pid_file=$munge_dir/munged.pid ;;
      *) pid_file=$state/$name.pid ;;
    esac
    if pid_alive "$pid_file"; then
      echo "$name: running (pid $(cat "$pid_file"))"
    else
      echo "$name: not running"
      ok=1
    fi
  done
  if [ $ok -eq 0 ]; then
    sinfo
    squeue
  fi
  return $ok
}

case $action in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
