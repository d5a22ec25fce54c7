#!/usr/bin/env bash
# Sets up a one-node Slurm cluster on this Debian 12 machine, so that the batch scripts in jobscripts/ can be run
# with sbatch exactly as on a supercomputer (tests/slurm/test_jobscripts.sh, label `slurm`). For test machines and
# laptops, not for a real cluster. Safe to rerun: every step checks first and does only what is missing.
#   bash scripts/slurm-one-node.sh          install, configure, start; wait until the node is idle
#   bash scripts/slurm-one-node.sh --stop   stop slurmd, slurmctld and munged (started by this script)
# What it does, as root (with sudo when not root):
#   1. apt-installs slurm-wlm (slurmctld, slurmd, client, plugins incl. mpi/pmix) and munge when missing;
#   2. creates the munge key /etc/munge/munge.key when missing and starts munged (no systemd: by hand);
#   3. writes /etc/slurm/slurm.conf for this host: one node with the CPUs and (95% of) the memory slurmd detects,
#      one default partition, proctrack/linuxproc + task/none (no cgroups needed), select/cons_tres,
#      MpiDefault=pmix (Debian's Open MPI 4.1 is built with PMIx, so srun starts its ranks directly),
#      KillWait=60 (SIGTERM -> SIGKILL) and a job completion log /var/log/slurm/jobcomp.log (no slurmdbd, so no
#      sacct: the log and `scontrol show job` give a job's state and exit code). A slurm.conf that this script did
#      not write is left alone (the script stops); one that it wrote is replaced when it differs;
#   4. starts slurmctld and slurmd (daemon mode, logs in /var/log/slurm/), restarting them if slurm.conf changed;
#   5. waits until `sinfo` shows the node idle and prints the versions and `srun --mpi=list`.
# Environment: SLURM_ONE_NODE_MEM_PERCENT (default 95) the share of the detected memory declared.
set -euo pipefail

say() { echo "slurm-one-node: $*"; }
die() { echo "slurm-one-node: error: $*" >&2; exit 1; }

if [[ $(id -u) -ne 0 ]]; then
  command -v sudo > /dev/null || die "needs root (or sudo)"
  exec sudo --preserve-env=SLURM_ONE_NODE_MEM_PERCENT bash "$0" "$@"
fi

conf=/etc/slurm/slurm.conf
marker="# Written by legocryst scripts/slurm-one-node.sh"
pid_ctld=/run/slurmctld.pid
pid_d=/run/slurmd.pid
pid_munge=/run/munge/munged.pid

running() { # PIDFILE NAME: is the process in PIDFILE alive (not a zombie) and called NAME?
  [[ -s $1 ]] || return 1
  local pid
  pid=$(< "$1")
  [[ -r /proc/$pid/comm ]] && [[ $(< "/proc/$pid/comm") == "$2"* ]] && [[ $(ps -o stat= -p "$pid") != Z* ]]
}
stop() { # PIDFILE NAME
  if running "$1" "$2"; then
    local pid
    pid=$(< "$1")
    say "stopping $2 (pid $pid)"
    kill "$pid"
    for _ in $(seq 50); do running "$1" "$2" || return 0; sleep 0.2; done
    die "$2 (pid $pid) did not stop"
  fi
}

if [[ ${1:-} == --stop ]]; then
  stop "$pid_d" slurmd
  stop "$pid_ctld" slurmctld
  stop "$pid_munge" munged
  exit 0
fi
[[ $# -eq 0 ]] || die "usage: slurm-one-node.sh [--stop]"

# 1. packages
packages=(slurm-wlm munge)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]} (apt)"
  apt-get update -qq
  # without systemd the packages' service starts are refused (policy-rc.d); the daemons are started below
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  say "packages ${packages[*]} already installed"
fi

# 2. munge
if [[ ! -s /etc/munge/munge.key ]]; then
  say "creating the munge key /etc/munge/munge.key"
  mungekey --create --keyfile=/etc/munge/munge.key
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge
if munge -n 2> /dev/null | unmunge > /dev/null 2>&1; then
  say "munged already running"
else
  say "starting munged"
  runuser -u munge -- /usr/sbin/munged --pid-file="$pid_munge"
  for _ in $(seq 50); do munge -n 2> /dev/null | unmunge > /dev/null 2>&1 && break; sleep 0.2; done
  munge -n | unmunge > /dev/null || die "munged does not answer (see /var/log/munge/munged.log)"
fi

# 3. slurm.conf
host=$(hostname -s)
getent hosts "$host" > /dev/null || die "the host name $host does not resolve (add it to /etc/hosts)"
detected=$(slurmd -C | head -1) # NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ...
field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<< "$detected"; }
cpus=$(field CPUs)
sockets=$(field SocketsPerBoard)
cores=$(field CoresPerSocket)
threads=$(field ThreadsPerCore)
memory=$(($(field RealMemory) * ${SLURM_ONE_NODE_MEM_PERCENT:-95} / 100))
[[ -n $cpus && -n $sockets && -n $cores && -n $threads && $memory -gt 0 ]] || die "cannot read slurmd -C: $detected"
mkdir -p /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
chown slurm:slurm /var/lib/slurm/slurmctld /var/log/slurm
new=$(mktemp)
trap 'rm -f "$new"' EXIT
cat > "$new" << EOF
$marker: a one-node cluster on $host for testing
# the batch scripts (jobscripts/). Rerunning the script rewrites this file; edit the script, not the file.
ClusterName=legocryst
SlurmctldHost=$host
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=$pid_ctld
SlurmdPidFile=$pid_d
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# no cgroups: processes tracked by parent pid, tasks not bound
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# srun starts Open MPI ranks through PMIx (Debian's Open MPI 4.1 and Slurm's mpi/pmix_v4 both use libpmix2)
MpiDefault=pmix
# seconds between the SIGTERM at the time limit and the SIGKILL
KillWait=60
ReturnToService=2
SchedulerType=sched/backfill
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# no slurmdbd, so no sacct: finished jobs (state, exit code) go to this log, and stay in scontrol for an hour
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
MinJobAge=3600
NodeName=$host CPUs=$cpus Sockets=$sockets CoresPerSocket=$cores ThreadsPerCore=$threads RealMemory=$memory State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
changed=0
if [[ -e $conf ]] && ! grep -qF "$marker" "$conf"; then
  die "$conf exists and was not written by this script: left alone (move it away to let the script write one)"
fi
if [[ -e $conf ]] && cmp -s "$new" "$conf"; then
  say "$conf up to date ($cpus CPUs, $memory MB)"
else
  say "writing $conf ($host: $cpus CPUs, $memory MB, MpiDefault=pmix)"
  install -m 0644 "$new" "$conf"
  changed=1
fi

# 4. daemons
if ((changed)); then
  stop "$pid_d" slurmd
  stop "$pid_ctld" slurmctld
fi
if running "$pid_ctld" slurmctld; then
  say "slurmctld already running (pid $(< "$pid_ctld"))"
else
  say "starting slurmctld (log /var/log/slurm/slurmctld.log)"
  slurmctld
fi
for _ in $(seq 100); do scontrol ping 2> /dev/null | grep -q UP && break; sleep 0.2; done
scontrol ping | grep -q UP || die "slurmctld does not answer (see /var/log/slurm/slurmctld.log)"
if running "$pid_d" slurmd; then
  say "slurmd already running (pid $(< "$pid_d"))"
else
  say "starting slurmd (log /var/log/slurm/slurmd.log)"
  slurmd
fi

# 5. wait for the node
state=""
for _ in $(seq 60); do
  state=$(sinfo -h -n "$host" -o %T 2> /dev/null | head -1)
  case $state in
    idle | mixed | allocated | completing) break ;;
    down* | drain*) scontrol update NodeName="$host" State=RESUME 2> /dev/null || true ;;
  esac
  sleep 1
done
case $state in
  idle | mixed | allocated | completing) ;;
  *) die "node $host is '$state' (see /var/log/slurm/slurmd.log, sinfo -R)" ;;
esac
say "node $host is $state"
sinfo
echo "versions: $(sinfo --version) ($(dpkg-query -W -f='${Version}' slurmd)), munge $(dpkg-query -W -f='${Version}' munge)," \
  "libpmix2 $(dpkg-query -W -f='${Version}' libpmix2 2> /dev/null || echo none)"
echo "srun --mpi=list:"
srun --mpi=list 2>&1 | sed 's/^/  /'
