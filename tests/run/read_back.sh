#!/bin/sh
# Reads a run's CSV files back with pandas or R, as their users do: runs the minimal
# scenario, then read_back.py or read_back.R on its folder. Exits 77 (skipped) when
# the reader is not installed.
# Usage: read_back.sh UNRESTSIM SOURCE_ROOT pandas|r
set -u
bin=$1
src=$2
reader=$3
here=$(dirname "$0")

case $reader in
pandas)
	# The first python3 that has pandas: the one on PATH, else the system's.
	python=
	for p in python3 /usr/bin/python3; do
		if "$p" -c 'import pandas' >/dev/null 2>&1; then
			python=$p
			break
		fi
	done
	if [ -z "$python" ]; then
		echo "pandas is not installed: skipped"
		exit 77
	fi
	set -- "$python" "$here/read_back.py"
	;;
r)
	if ! command -v Rscript >/dev/null 2>&1; then
		echo "Rscript is not installed: skipped"
		exit 77
	fi
	set -- Rscript --vanilla "$here/read_back.R"
	;;
*)
	echo "usage: read_back.sh UNRESTSIM SOURCE_ROOT pandas|r" >&2
	exit 2
	;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The same run written plain, and twice compressed (output.compress = "gzip").
for dir in out gz gz2; do
	compress=none
	[ "$dir" = out ] || compress=gzip
	if ! "$bin" run "$src/scenarios/minimal.cfg" -o "$tmp/$dir" -r 3 -s 11 -q \
		--set output.events=\"all\" --set output.compress=\"$compress\" </dev/null; then
		echo "unrestsim run ($compress) failed"
		exit 1
	fi
done
status=0
for f in summary.csv national.csv timeseries.csv events.csv; do
	# The compressed files hold the plain run's bytes exactly, under their .gz names
	# in the manifest, and the same inputs give the same compressed bytes (no time or
	# name in the gzip header).
	if [ -e "$tmp/gz/$f" ] || ! gzip -dc "$tmp/gz/$f.gz" | cmp -s - "$tmp/out/$f"; then
		echo "$f.gz: not the plain run's $f"
		status=1
	fi
	if ! cmp -s "$tmp/gz/$f.gz" "$tmp/gz2/$f.gz"; then
		echo "$f.gz: two runs wrote different bytes"
		status=1
	fi
	if ! grep -q "\"$f.gz\"" "$tmp/gz/manifest.cfg"; then
		echo "manifest.cfg: does not list $f.gz"
		status=1
	fi
done
# gnuplot reads a compressed file through a pipe, with no option of its own.
if [ "$reader" = pandas ] && command -v gnuplot >/dev/null 2>&1; then
	want=$(awk -F, 'NR > 1 { n++ } END { print n }' "$tmp/out/national.csv")
	got=$(gnuplot -e "set datafile separator ','; stats '< zcat $tmp/gz/national.csv.gz' using 4 nooutput; print STATS_records" 2>&1)
	if [ "$got" != "$want" ]; then
		echo "gnuplot < zcat national.csv.gz: read $got rows, want $want"
		status=1
	fi
fi
# And a run that asks for the time columns (timeseries.csv has none by default).
cat >"$tmp/timed.cfg" <<CFG
base = "$src/scenarios/minimal.cfg";
output = {
  events = "all";
  national_columns = [ "time", "active", "held", "detained", "killed", "injured",
                       "security", "csto_troops", "connectivity", "legitimacy",
                       "facilities_held", "damage_usd" ];
  timeseries_columns = [ "time", "active", "held", "detained", "killed", "injured",
                         "security", "csto_troops", "internet" ];
};
CFG
if ! "$bin" run "$tmp/timed.cfg" -o "$tmp/timed" -r 3 -s 11 -q </dev/null; then
	echo "unrestsim run (time columns) failed"
	exit 1
fi
# A plain run into a compressed run's folder replaces its .gz files (the manifest
# listed them).
if ! "$bin" run "$src/scenarios/minimal.cfg" -o "$tmp/gz2" -r 3 -s 11 -q \
	--set output.events=\"all\" </dev/null || [ -n "$(find "$tmp/gz2" -name '*.gz')" ] ||
	! cmp -s "$tmp/gz2/summary.csv" "$tmp/out/summary.csv"; then
	echo "a plain run into the compressed run's folder did not replace its files"
	status=1
fi
"$@" "$tmp/out" || status=1
"$@" "$tmp/gz" .gz || status=1
"$@" "$tmp/timed" "" time || status=1
exit $status
