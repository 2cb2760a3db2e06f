#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying `mtdtl study slurm` and for its integration test.
#
#   deploy/slurm/local-cluster.sh          install (if missing), configure, start, wait until the node is idle
#   deploy/slurm/local-cluster.sh --check  only report whether a usable cluster answers (exit 0) or not (exit 1)
#   deploy/slurm/local-cluster.sh --stop   stop the daemons this script started
#
# What it does: installs Debian's munge, slurmctld, slurmd and slurm-client with apt-get when `sbatch` is
# missing (needs root); writes /etc/slurm/slurm.conf for this host (CPUs and memory from `slurmd -C`, one
# partition "local", no cgroups and no accounting, so that it also runs inside a container) unless a
# slurm.conf that this script did not write is already there (then that cluster is used as it is); makes a
# munge key if none exists; starts munged, slurmctld and slurmd; waits until `sinfo` shows the node idle.
# Exit status 0 when the node is idle, 1 otherwise, with the reason on stderr.
# Environment: MTDTL_SLURM_WAIT (seconds to wait for idle, default 60), MTDTL_SLURM_NO_INSTALL=1 (never apt-get).
set -uo pipefail
MARK="# written by mtdtl deploy/slurm/local-cluster.sh"
CONF=/etc/slurm/slurm.conf
WAIT=${MTDTL_SLURM_WAIT:-60}
LOGDIR=/var/log/slurm
say() { echo "local-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

node_state() { sinfo -h -N -o '%t' 2>/dev/null | head -1; }

if [ "${1:-}" = "--check" ]; then
  command -v sinfo >/dev/null 2>&1 || die "no sinfo on PATH"
  s=$(node_state); [ -n "$s" ] || die "sinfo does not answer"
  say "node state: $s"; case "$s" in idle*|mix*|alloc*) exit 0;; *) exit 1;; esac
fi
if [ "${1:-}" = "--stop" ]; then
  for p in slurmd slurmctld; do [ -f /run/$p.pid ] && kill "$(cat /run/$p.pid)" 2>/dev/null; done
  [ -f /run/munge/munged.pid ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null
  exit 0
fi

# Already up? Then nothing to do.
if command -v sinfo >/dev/null 2>&1; then
  case "$(node_state)" in idle*|mix*|alloc*) say "cluster already up: $(sinfo -h -N -o '%N %t %c CPUs')"; exit 0;; esac
fi

[ "$(id -u)" = 0 ] || die "needs root to install and start the daemons (running as $(id -un))"

if ! command -v sbatch >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  [ "${MTDTL_SLURM_NO_INSTALL:-0}" = 1 ] && die "Slurm is not installed and MTDTL_SLURM_NO_INSTALL=1"
  command -v apt-get >/dev/null 2>&1 || die "Slurm is not installed and there is no apt-get"
  say "installing munge, slurmctld, slurmd, slurm-client (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends munge slurmctld slurmd slurm-client >/tmp/mtdtl-slurm-apt.log 2>&1; then
    apt-get update -q >>/tmp/mtdtl-slurm-apt.log 2>&1 || true
    apt-get install -y -q --no-install-recommends munge slurmctld slurmd slurm-client >>/tmp/mtdtl-slurm-apt.log 2>&1 \
      || die "apt-get install failed; see /tmp/mtdtl-slurm-apt.log"
  fi
fi

HOST=$(hostname -s)
mkdir -p /etc/slurm "$LOGDIR" /var/spool/slurmctld /var/spool/slurmd /run/munge /var/lib/munge /var/log/munge
if [ ! -f "$CONF" ] || grep -qF "$MARK" "$CONF"; then
  # The node's real CPUs, sockets, cores and memory, as slurmd sees them (a mismatch would drain the node).
  NODE=$(slurmd -C 2>/dev/null | head -1)
  [ -n "$NODE" ] || die "slurmd -C printed nothing"
  NODE=$(echo "$NODE" | sed -E 's/RealMemory=([0-9]+)/RealMemory=\1/')
  cat >"$CONF" <<CONF
$MARK
ClusterName=mtdtl-local
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
SlurmctldLogFile=$LOGDIR/slurmctld.log
SlurmdLogFile=$LOGDIR/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=60
InactiveLimit=0
MinJobAge=300
KillWait=10
$NODE State=UNKNOWN
PartitionName=local Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
  say "wrote $CONF ($NODE)"
fi

# munge: a key, the daemon running as the munge user.
MUSER=munge; id munge >/dev/null 2>&1 || MUSER=root
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none || die "cannot write the munge key"
fi
chown -R "$MUSER": /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null
chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  if [ "$MUSER" = root ]; then munged --force || die "munged did not start"
  else runuser -u munge -- munged || die "munged did not start"; fi
  sleep 1
  munge -n | unmunge >/dev/null 2>&1 || die "munge does not work (munge -n | unmunge failed)"
fi

pgrep -x slurmctld >/dev/null || slurmctld || die "slurmctld did not start; see $LOGDIR/slurmctld.log"
pgrep -x slurmd >/dev/null || slurmd || die "slurmd did not start; see $LOGDIR/slurmd.log"

for ((i = 0; i < WAIT; i++)); do
  s=$(node_state)
  case "$s" in
    idle*|mix*|alloc*) say "node $HOST is $s: $(sinfo -h -N -o '%N %c CPUs %m MB')"; exit 0;;
    down*|drain*) scontrol update nodename="$HOST" state=resume >/dev/null 2>&1;;
  esac
  sleep 1
done
die "node not idle after ${WAIT} s (state '${s:-none}'); see $LOGDIR/slurmctld.log and $LOGDIR/slurmd.log"
