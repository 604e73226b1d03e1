#!/bin/bash
# bench_output.sh: what writing a run's files costs. Runs the reference scenario with
# one thread three times (the default output; summary.csv alone; the default output
# compressed, output.compress = "gzip") and prints CSV:
#   output,reps,cpu_s,write_share,mb_per_1000_reps
# cpu_s is the process's user + system time, the least of three runs (the machine's
# other load only ever adds to it); write_share, the part of the default
# run's CPU that goes to writing, is 1 - cpu(summary only) / cpu(this output);
# mb_per_1000_reps is the bytes of the CSV files (and, for gzip, of the .csv.gz files)
# scaled to 1,000 replications, in 10^6 bytes. The goal (docs/output.md): at most 15%
# of the CPU and at most 150 MB per 1,000 replications at the default settings.
# Usage: bench_output.sh UNRESTSIM SCENARIO [REPS] [OUT_DIR]   (REPS default 200)
set -euo pipefail
bin=$1
scenario=$2
reps=${3:-200}
dir=${4:-$(mktemp -d)}
mkdir -p "$dir"

# The CPU seconds of `unrestsim run` into $dir/NAME with the extra arguments, the
# least of three runs; "nan" when the program refuses them (an older unrestsim).
cpu_of() {
	local name=$1
	shift
	local TIMEFORMAT='%U %S'
	local t best=
	for _ in 1 2 3; do
		rm -rf "${dir:?}/$name"
		if ! t=$( { time "$bin" run "$scenario" -r "$reps" -j 1 -q -o "$dir/$name" "$@" \
			</dev/null >/dev/null 2>"$dir/$name.err"; } 2>&1 ); then
			echo nan
			return
		fi
		best=$(awk -v t="$t" -v best="$best" 'BEGIN { split(t, a, " "); c = a[1] + a[2]
			printf "%.2f", (best == "" || c < best + 0) ? c : best }')
	done
	echo "$best"
}

bytes_of() {
	find "$1" -maxdepth 1 \( -name '*.csv' -o -name '*.csv.gz' \) -printf '%s\n' |
		awk '{ s += $1 } END { print s + 0 }'
}

only_summary=(--set output.national=false --set output.timeseries=false
	--set 'output.events="none"')
base=$(cpu_of summary "${only_summary[@]}")
full=$(cpu_of default)
gzip=$(cpu_of gzip --set 'output.compress="gzip"')

echo "output,reps,cpu_s,write_share,mb_per_1000_reps"
for run in default gzip summary; do
	case $run in
	default) cpu=$full ;;
	gzip) cpu=$gzip ;;
	summary) cpu=$base ;;
	esac
	[ "$cpu" = nan ] && continue
	awk -v run="$run" -v reps="$reps" -v cpu="$cpu" -v base="$base" \
		-v bytes="$(bytes_of "$dir/$run")" 'BEGIN {
		printf "%s,%d,%.2f,%.3f,%.1f\n", run, reps, cpu, 1 - base / cpu,
			bytes / reps * 1000 / 1e6 }'
done
# Each file of the default run, per 1,000 replications.
for f in "$dir"/default/*.csv; do
	awk -v f="$(basename "$f")" -v reps="$reps" -v b="$(stat -c %s "$f")" \
		'BEGIN { printf "# %s: %.1f MB per 1,000 replications\n", f, b / reps * 1000 / 1e6 }'
done
