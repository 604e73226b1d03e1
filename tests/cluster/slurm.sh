#!/bin/sh
# The Slurm recipe of docs/sweeps.md on a real single-node Slurm that this test starts
# (Debian's slurm-wlm and munge): munged with its own key, socket and pid file, and
# slurmctld and slurmd from a slurm.conf written here (this host the one node, no
# cgroups: proctrack/linuxproc, task/none), all state in a scratch folder, every
# daemon stopped by its pid at the end, failure or not.
#
#   1. analysis/cluster/submit-sweep.sh runs a small sweep as a 4-task array counted
#      from 0, then the merge as a dependent job: the merged folder is the bytes of
#      one unsharded `unrestsim sweep`, but for the manifest's command and
#      command_line (docs/sweeps.md).
#   2. The same sweep into the same folder as 3 shards counted from 1: the folders of
#      the 4-shard split are left alone. Shard 2's task is killed while its sweep
#      runs, after a unit of it is done (scancel: SIGTERM, then SIGKILL, as a time
#      limit ends a task); the merge job is then cancelled and the merged folder
#      keeps the earlier bytes. The same submit command again resumes every shard
#      (the done ones, and shard 2's done units, are kept) and the merge gives the
#      same bytes again.
# Before Slurm, sweep.sbatch alone: task ids counted from 0 or 1, a missing
# SLURM_CPUS_PER_TASK, ids that are no shard.
# TAP; skipped where slurmctld, slurmd, munged or sbatch is missing, or not root.
# Usage: slurm.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
. "$src/tests/common/tap.sh"
check() { name=$1; shift; if "$@" >"$tmp/check.out" 2>&1; then ok "$name"; else not_ok "$name" "$(head -c 800 "$tmp/check.out")"; fi; }
sbatch_script=$src/analysis/cluster/sweep.sbatch
submit=$src/analysis/cluster/submit-sweep.sh

# same_sweep A B: the folders hold the same files, byte for byte, but for the
# manifest's command and command_line lines (docs/sweeps.md).
same_sweep() {
	[ -f "$1/manifest.cfg" ] && [ -f "$2/manifest.cfg" ] || { echo "no manifest in $1 or $2"; return 1; }
	[ "$(cd "$1" && ls)" = "$(cd "$2" && ls)" ] || { echo "other files: $(ls "$1") / $(ls "$2")"; return 1; }
	for f in "$1"/*; do
		b=$(basename "$f")
		if [ "$b" = manifest.cfg ]; then
			grep -Ev '^(command|command_line) = ' "$f" >"$tmp/m1"
			grep -Ev '^(command|command_line) = ' "$2/$b" >"$tmp/m2"
			diff "$tmp/m1" "$tmp/m2" || return 1
		else
			cmp "$f" "$2/$b" || return 1
		fi
	done
}

# A sweep of 8 units of about 0.4 s each (the reference at 4 persons per agent with a
# 5% pool, one day): shards take long enough that a task is caught running.
mkdir "$tmp/jobs"
sweep=$tmp/jobs/small.cfg
cat >"$sweep" <<CFG
scenario = "$src/scenarios/kazakhstan-2022.cfg";
replications = 4;
seed = 7;
design = "grid";
parameters = (
  { path = "scenario.horizon"; values = [ 24.0 ]; },
  { path = "scenario.agent_scale"; values = [ 4.0 ]; },
  { path = "government.actions.[blackout].probability"; values = [ 1.0, 0.0 ]; }
);
CFG

# ---- sweep.sbatch without Slurm ------------------------------------------------------
# On a sweep of the minimal scenario (8 units of a few milliseconds).
quick=$tmp/jobs/quick.cfg
cat >"$quick" <<CFG
scenario = "$src/scenarios/minimal.cfg";
replications = 4;
seed = 7;
design = "grid";
parameters = ( { path = "agents.w_s"; values = [ 0.3, 0.5 ]; } );
CFG
# task ID [ENV...]: runs sweep.sbatch as array task ID of a 2-shard split into
# $tmp/plain/out, with SLURM_CPUS_PER_TASK unset unless given.
task() {
	id=$1
	shift
	env -u SLURM_CPUS_PER_TASK -u SLURM_ARRAY_TASK_MIN -u UNRESTSIM_ARRAY_BASE \
		UNRESTSIM="$bin" SLURM_ARRAY_TASK_ID="$id" "$@" \
		sh "$sbatch_script" "$quick" "$tmp/plain/out" 2 >"$tmp/task.out" 2>&1
}
mkdir "$tmp/plain"
task 0 SLURM_ARRAY_TASK_MIN=0
check "task 0 of an array from 0 runs shard 1 of 2, into out.1-of-2" \
	grep -q 'task 0: shard 1 of 2, 1 threads' "$tmp/task.out"
check "with SLURM_CPUS_PER_TASK unset: one thread" test -f "$tmp/plain/out.1-of-2/manifest.cfg"
task 2 SLURM_ARRAY_TASK_MIN=1 SLURM_CPUS_PER_TASK=2
check "task 2 of an array from 1 runs shard 2 of 2 with SLURM_CPUS_PER_TASK threads" \
	grep -q 'task 2: shard 2 of 2, 2 threads' "$tmp/task.out"
task 1 SLURM_ARRAY_TASK_MIN=1 SLURM_CPUS_PER_TASK=
check "an empty SLURM_CPUS_PER_TASK is one thread, never -j ''" \
	grep -q 'task 1: shard 1 of 2, 1 threads' "$tmp/task.out"
check "and resumes: the shard's units are kept" grep -q '(0 run now, 4 kept from before)' "$tmp/task.out"
task 1 SLURM_ARRAY_TASK_MIN=1 UNRESTSIM_ARRAY_BASE=0
check "UNRESTSIM_ARRAY_BASE=0 makes task 1 shard 2" grep -q 'task 1: shard 2 of 2' "$tmp/task.out"
task 3 SLURM_ARRAY_TASK_MIN=1
status=$?
check "task 3 of 2 shards is refused (64)" test "$status" -eq 64
check "with a message" grep -q 'no shard of 1..2' "$tmp/task.out"
env -u SLURM_ARRAY_TASK_ID UNRESTSIM="$bin" sh "$sbatch_script" "$quick" "$tmp/plain/out" 2 >"$tmp/task.out" 2>&1
check "outside an array it is refused (64)" test $? -eq 64
UNRESTSIM="$bin" sh "$sbatch_script" --merge "$tmp/plain/out" 2 >"$tmp/task.out" 2>&1
check "--merge joins OUT.1-of-2 and OUT.2-of-2" test -f "$tmp/plain/out/sweep.csv"
"$bin" sweep "$quick" -o "$tmp/quick-ref" 2>/dev/null
check "the merge is the unsharded sweep" same_sweep "$tmp/quick-ref" "$tmp/plain/out"
UNRESTSIM="$bin" sh "$submit" "$quick" 0 >"$tmp/task.out" 2>&1
check "submit-sweep.sh refuses 0 shards (64)" test $? -eq 64

# ---- a real Slurm ------------------------------------------------------------------
missing=
for p in slurmctld slurmd munged mungekey sbatch squeue scontrol scancel sinfo; do
	command -v "$p" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$p" >/dev/null 2>&1 || missing="$missing $p"
done
PATH=$PATH:/usr/sbin
if [ -n "$missing" ]; then
	ok "Slurm # SKIP not installed:$missing (Debian: slurm-wlm munge)"
	tap_end
fi
if [ "$(id -u)" -ne 0 ]; then
	ok "Slurm # SKIP slurmd runs jobs as root only here: not root"
	tap_end
fi

# Daemons are stopped by the pids they wrote, in reverse order, on any exit.
state=$tmp/slurm
mkdir -m 0755 "$state" "$state/ctld" "$state/spool"
stop_daemons() {
	# Jobs still running (a test that failed half-way) are cancelled through this
	# test's own slurmctld first, so that slurmd's job steps end with them.
	if [ -s "$state/slurmctld.pid" ] && [ -n "${SLURM_CONF:-}" ]; then
		scancel --partition=test >/dev/null 2>&1
		i=0
		while [ -n "$(squeue -h 2>/dev/null)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	fi
	for d in slurmd slurmctld munged; do
		if [ -s "$state/$d.pid" ]; then
			pid=$(cat "$state/$d.pid")
			kill "$pid" 2>/dev/null
			i=0
			while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
			kill -9 "$pid" 2>/dev/null
		fi
	done
}
trap 'stop_daemons; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# Two free TCP ports: none listening in /proc/net/tcp{,6}.
port_free() {
	hex=$(printf ':%04X ' "$1")
	! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q "$hex"
}
port=$((20000 + $$ % 20000))
while ! port_free "$port" || ! port_free $((port + 1)); do port=$((port + 2)); done

host=$(hostname -s)
mungekey --create --keyfile="$state/munge.key" >/dev/null 2>&1 ||
	{ dd if=/dev/urandom of="$state/munge.key" bs=1024 count=1 2>/dev/null; chmod 600 "$state/munge.key"; }
munged --force --socket="$state/munge.socket" --key-file="$state/munge.key" \
	--pid-file="$state/munged.pid" --log-file="$state/munged.log" \
	--seed-file="$state/munged.seed" >"$state/munged.out" 2>&1
cat >"$state/slurm.conf" <<CONF
ClusterName=unresttest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$state/munge.socket
CredType=cred/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
KillWait=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$state/slurm.conf"
slurmctld -f "$SLURM_CONF" >"$state/slurmctld.out" 2>&1
slurmd -f "$SLURM_CONF" >"$state/slurmd.out" 2>&1
i=0
while [ "$(sinfo -h -o %t 2>/dev/null)" != idle ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(sinfo -h -o %t 2>/dev/null)" != idle ]; then
	not_ok "a single-node Slurm starts" "munged: $(tail -n 3 "$state/munged.log" 2>/dev/null)" \
		"slurmctld: $(tail -n 5 "$state/slurmctld.log" 2>/dev/null)" "slurmd: $(tail -n 5 "$state/slurmd.log" 2>/dev/null)"
	tap_end
fi
ok "a single-node Slurm starts ($host, ports $port and $((port + 1)))"
"$bin" sweep "$sweep" -j 2 -o "$tmp/ref" 2>/dev/null
started=$(date +%s)

# wait_jobs ID...: until none of the jobs is pending or running (90 s at most).
wait_jobs() {
	list=$(echo "$@" | tr ' ' ',')
	i=0
	while [ -n "$(squeue -h -j "$list" 2>/dev/null)" ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
	[ -z "$(squeue -h -j "$list" 2>/dev/null)" ]
}
# job_state ID: COMPLETED, CANCELLED, FAILED, TIMEOUT, ...
job_state() { scontrol -o show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }
logs() { for f in "$out".logs/*; do echo "== $f"; tail -n 5 "$f"; done 2>/dev/null | head -c 1500; }

# 1. Four tasks counted from 0, and the merge after them.
out=$tmp/jobs/out/small
(cd "$tmp/jobs" && UNRESTSIM="$bin" sh "$submit" -b 0 -o "$out" "$sweep" 4 >"$tmp/ids" 2>"$tmp/submit.err")
check "submit-sweep.sh submits the array and the merge" test -s "$tmp/ids"
read -r array merge <"$tmp/ids"
check "the merge job depends on the array (afterok)" \
	sh -c "scontrol -o show job '$merge' | grep -q 'Dependency=afterok:${array}'"
if wait_jobs "$array" "$merge"; then ok "the jobs end"; else not_ok "the jobs end" "$(squeue)" "$(logs)"; fi
for k in 0 1 2 3; do
	check "task $k: COMPLETED, shard $((k + 1)) of 4" sh -c \
		"test '$(job_state "${array}_$k")' = COMPLETED && grep -q 'task $k: shard $((k + 1)) of 4' '$out.logs/sweep-${array}_$k.out'"
done
check "the merge job: COMPLETED" test "$(job_state "$merge")" = COMPLETED
check "the shards' folders are OUT.K-of-4" test -d "$out.1-of-4" -a -d "$out.4-of-4"
check "the merged folder is the unsharded sweep, byte for byte" same_sweep "$tmp/ref" "$out"
cp -R "$out" "$tmp/merged-4"
mkdir "$tmp/shards-4"
cp -R "$out".*-of-4 "$tmp/shards-4/"

# 2. Three tasks counted from 1, into the same folder; shard 2's task is killed while
# its sweep runs, once it has finished a unit. The program is a wrapper for this
# submission only: for shard 2 it commits the folder whenever a unit finishes
# (--checkpoint 0), so that the test sees when one has, and after the sweep (should
# the kill come late) it waits to be killed, so the kill always finds the task running.
cat >"$tmp/slow-unrestsim" <<WRAP
#!/bin/sh
case " \$* " in
*" --shard 2/3 "*) "$bin" "\$@" --checkpoint 0; sleep 300 ;;
*) exec "$bin" "\$@" ;;
esac
WRAP
chmod +x "$tmp/slow-unrestsim"
(cd "$tmp/jobs" && UNRESTSIM="$tmp/slow-unrestsim" sh "$submit" -o "$out" "$sweep" 3 >"$tmp/ids" 2>"$tmp/submit.err")
read -r array merge <"$tmp/ids"
i=0
while ! grep -qs 'status = "done"' "$out.2-of-3/manifest.cfg" && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "task 2 is running, a unit of its shard done" test "$(job_state "${array}_2")" = RUNNING
scancel "${array}_2"
if wait_jobs "$array" "$merge"; then ok "the jobs end"; else not_ok "the jobs end" "$(squeue)" "$(logs)"; fi
check "task 2: CANCELLED" test "$(job_state "${array}_2")" = CANCELLED
check "tasks 1 and 3: COMPLETED" test "$(job_state "${array}_1") $(job_state "${array}_3")" = "COMPLETED COMPLETED"
check "the merge job never ran: CANCELLED" test "$(job_state "$merge")" = CANCELLED
check "the merged folder kept its bytes" same_sweep "$tmp/merged-4" "$out"
for k in 1 2 3 4; do
	check "OUT.$k-of-4 is untouched by the split into 3" \
		same_sweep "$tmp/shards-4/small.$k-of-4" "$out.$k-of-4"
done
if grep -q 'units written' "$out.logs/sweep-${array}_2.out"; then
	echo "# the kill came after shard 2's sweep had ended (a fast machine): resumed from a whole folder"
else
	echo "# the kill came while shard 2's sweep ran"
fi
(cd "$tmp/jobs" && UNRESTSIM="$bin" sh "$submit" -o "$out" "$sweep" 3 >"$tmp/ids" 2>"$tmp/submit.err")
read -r array merge <"$tmp/ids"
if wait_jobs "$array" "$merge"; then ok "the resubmitted jobs end"; else not_ok "the resubmitted jobs end" "$(squeue)" "$(logs)"; fi
check "resubmitted: the done shards keep their units" sh -c \
	"grep -q '(0 run now, 3 kept from before)' '$out.logs/sweep-${array}_1.out' &&
	 grep -q '(0 run now, 2 kept from before)' '$out.logs/sweep-${array}_3.out'"
kept=$(sed -n 's/.*([0-9]* run now, \([0-9]*\) kept from before).*/\1/p' "$out.logs/sweep-${array}_2.out")
check "resubmitted: shard 2 keeps the units done before the kill ($kept of 3)" \
	test "${kept:-0}" -ge 1
check "resubmitted: the merge job COMPLETED" test "$(job_state "$merge")" = COMPLETED
check "the merged folder is the unsharded sweep, byte for byte, after the kill" same_sweep "$tmp/ref" "$out"
echo "# Slurm part: $(($(date +%s) - started)) s wall"
tap_end
