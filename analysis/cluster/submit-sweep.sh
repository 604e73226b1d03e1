#!/bin/sh
# submit-sweep.sh: runs an unrestsim sweep on a Slurm cluster: a job array of N
# shards (sweep.sbatch, beside this script), then the merge of their folders as a job
# that starts only when every task has ended well (--dependency=afterok) and is
# cancelled if one fails (--kill-on-invalid-dep). docs/sweeps.md, "On a Slurm
# cluster", explains the recipe; installed, this is `unrestsim-submit-sweep`.
set -u
usage() {
	cat <<USAGE
Usage: submit-sweep.sh [-o OUT] [-c CPUS] [-t TIME] [-b 0|1] SWEEP N [SBATCH_OPTION]...

Submits 'unrestsim sweep SWEEP --shard K/N --resume' for K = 1..N as one Slurm job
array, each shard into the folder OUT.K-of-N, and 'unrestsim merge -o OUT' of those
folders as a job that runs after every task has succeeded. Prints the two job ids,
array first, on one line. Submitting the same command again after a task was killed
(its time limit) resumes every shard: the done ones end at once, the others run
their remaining units, and the merge runs again.

  -o OUT    the merged folder (default: out/NAME, NAME the sweep file's name
            without .cfg); the shards' folders and logs (OUT.logs/) sit beside it
  -c CPUS   threads per task (sbatch --cpus-per-task; default 1)
  -t TIME   time limit per task (sbatch --time, e.g. 2:00:00)
  -b 0|1    number the array's tasks from 0 or from 1 (default 1)
  -h, --help  print this help and exit
SBATCH_OPTION...  given to both sbatch calls (--partition=..., --account=...)

The program is \$UNRESTSIM, else unrestsim on PATH, resolved here to an absolute path
that the jobs use. Exit status: 0 submitted, 64 usage, 65 a bad sweep file,
66 the sweep file is missing, 69 sbatch or unrestsim not found, 1 sbatch failed.
USAGE
}
die() { status=$1; shift; echo "submit-sweep.sh: $*" >&2; exit "$status"; }

out= cpus=1 time= base=1
case ${1:-} in --help) usage; exit 0 ;; esac
while getopts o:c:t:b:h opt; do
	case $opt in
	o) out=$OPTARG ;;
	c) cpus=$OPTARG ;;
	t) time=$OPTARG ;;
	b) base=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { usage >&2; exit 64; }
sweep=$1 n=$2
shift 2
case $n in '' | *[!0-9]*) die 64 "N must be a whole number from 1, got '$n'" ;; esac
[ "$n" -ge 1 ] || die 64 "N must be a whole number from 1, got '$n'"
case $cpus in '' | *[!0-9]*) die 64 "-c: CPUS must be a whole number from 1, got '$cpus'" ;; esac
[ "$cpus" -ge 1 ] || die 64 "-c: CPUS must be a whole number from 1, got '$cpus'"
case $base in 0 | 1) ;; *) die 64 "-b: the first task's number must be 0 or 1, got '$base'" ;; esac

here=$(cd "$(dirname "$0")" && pwd)
command -v sbatch >/dev/null 2>&1 || die 69 "sbatch not found: is this a Slurm login node?"
bin=${UNRESTSIM:-$(command -v unrestsim 2>/dev/null || true)}
[ -n "$bin" ] || die 69 "unrestsim not found: put it on PATH or set UNRESTSIM"
case $bin in /*) ;; */*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;; esac
[ -x "$bin" ] || die 69 "$bin: not an executable"

# A sweep file that exists is made an absolute path (the jobs may start elsewhere);
# any other argument is a name the program looks up on its search path.
if [ -f "$sweep" ]; then
	sweep=$(cd "$(dirname "$sweep")" && pwd)/$(basename "$sweep")
fi
# Checked here, before anything is queued: a bad sweep file (65), a missing one (66),
# an N above the program's limit (64).
"$bin" sweep "$sweep" --shard "1/$n" --list >/dev/null || exit $?
if [ -z "$out" ]; then
	name=$(basename "$sweep" .cfg)
	out=out/$name
fi
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
mkdir -p "$(dirname "$out")" "$out.logs" || die 73 "$out.logs: cannot create"

# sbatch --parsable prints JOBID or JOBID;CLUSTER.
jobid() { sed -n '1{s/;.*//;p;}'; }
array=$(sbatch --parsable --job-name="unrestsim-sweep" \
	--array="$base-$((base + n - 1))" --cpus-per-task="$cpus" ${time:+--time="$time"} \
	--output="$out.logs/sweep-%A_%a.out" \
	--export="ALL,UNRESTSIM=$bin,UNRESTSIM_ARRAY_BASE=$base" \
	"$@" "$here/sweep.sbatch" "$sweep" "$out" "$n" | jobid)
[ -n "$array" ] || die 1 "sbatch refused the job array"
merge=$(sbatch --parsable --job-name="unrestsim-merge" \
	--dependency="afterok:$array" --kill-on-invalid-dep=yes --cpus-per-task=1 \
	--output="$out.logs/merge-%j.out" --export="ALL,UNRESTSIM=$bin" \
	"$@" "$here/sweep.sbatch" --merge "$out" "$n" | jobid)
[ -n "$merge" ] || die 1 "sbatch refused the merge job (the array $array is queued)"
echo "submit-sweep.sh: array job $array ($n tasks) into $out.K-of-$n, then merge job $merge into $out" >&2
echo "$array $merge"
