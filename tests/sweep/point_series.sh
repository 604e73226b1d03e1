#!/bin/sh
# A sweep's point series (output.point_series, docs/sweeps.md): point_series.csv and
# sweep_national.csv are the same bytes for -j 1 and -j 2, for two shards merged, and
# for a sweep killed at any step of any checkpoint and resumed; the statistics agree
# with ones computed independently (point_series_check.py, Debian's /usr/bin/python3)
# from the national.csv of `unrestsim run` at each point; asking for the series
# changes neither sweep.csv nor sweep_stats.csv; output.national_columns and
# output.compress apply; rows read back that are malformed are refused. Prints TAP.
# Usage: point_series.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
. "$src/tests/common/tap.sh"
. "$src/tests/sweep/fault_steps.sh"
here=$src/tests/sweep

# same_folder A B: the same files, byte for byte, point_series.csv among them, and
# manifests equal but for their command lines.
same_folder() {
	[ -s "$1/point_series.csv" ] || return 1
	(cd "$1" && ls) >"$tmp/l1"
	(cd "$2" && ls) >"$tmp/l2"
	cmp -s "$tmp/l1" "$tmp/l2" || return 1
	# The listing: one name a line, none with spaces.
	same_files "$1" "$2" $(grep -vx manifest.cfg "$tmp/l1") && same_manifest "$1" "$2"
}

minimal=$(cd "$src/scenarios" && pwd)/minimal.cfg
cat >"$tmp/s.cfg" <<EOT
scenario = "$minimal";
replications = 7;
seed = 4;
design = "grid";
parameters = ( { path = "agents.w_s"; values = [0.3, 0.5]; },
               { path = "arrests.probability"; values = [0.01, 0.05]; } );
EOT
on="--set output.point_series=true"

"$bin" sweep "$tmp/s.cfg" $on -o "$tmp/whole" -j 1 2>"$tmp/err"
if [ -f "$tmp/whole/point_series.csv" ] && [ -f "$tmp/whole/sweep_national.csv" ] &&
   grep -q '"sweep_national.csv", "sweep_stats.csv", "point_series.csv" ]' "$tmp/whole/manifest.cfg"; then
	ok "output.point_series: point_series.csv and sweep_national.csv, in the manifest"
else
	not_ok "output.point_series: point_series.csv and sweep_national.csv, in the manifest" "$(cat "$tmp/err")"
fi

"$bin" sweep "$tmp/s.cfg" $on -o "$tmp/j2" -j 2 2>/dev/null
if same_folder "$tmp/whole" "$tmp/j2"; then ok "-j 2: the same bytes as -j 1"
else not_ok "-j 2: the same bytes as -j 1"; fi

"$bin" sweep "$tmp/s.cfg" $on -o "$tmp/sh1" --shard 1/2 2>/dev/null
"$bin" sweep "$tmp/s.cfg" $on -o "$tmp/sh2" --shard 2/2 -j 2 2>/dev/null
"$bin" merge -o "$tmp/merged" "$tmp/sh2" "$tmp/sh1" 2>"$tmp/err"
if same_folder "$tmp/whole" "$tmp/merged"; then ok "two shards merged: the same bytes"
else not_ok "two shards merged: the same bytes" "$(cat "$tmp/err")"; fi
if [ -s "$tmp/sh1/point_series.csv" ] &&
   ! cmp -s "$tmp/sh1/point_series.csv" "$tmp/whole/point_series.csv" &&
   [ "$(wc -l <"$tmp/sh1/point_series.csv")" = "$(wc -l <"$tmp/whole/point_series.csv")" ]; then
	ok "a shard's point_series.csv is of its own units"
else
	not_ok "a shard's point_series.csv is of its own units"
fi

# Killed at every step of every checkpoint (a commit whenever a unit has finished),
# then --resume: every unit the manifest claimed is kept, and the bytes are those of
# the uninterrupted sweep. Four units keep the number of steps small.
cat >"$tmp/f.cfg" <<EOT
scenario = "$minimal";
replications = 2;
seed = 4;
design = "grid";
parameters = ( { path = "agents.w_s"; values = [0.3, 0.5]; } );
EOT
"$bin" sweep "$tmp/f.cfg" $on -o "$tmp/fwhole" 2>/dev/null
fault_steps exit 600 same_folder "$tmp/fwhole" "$tmp/f.cfg" $on
if [ -n "$bad" ]; then
	not_ok "killed at every step of every checkpoint, then --resume: the same bytes" "$bad"
elif [ "$steps" -lt 40 ]; then
	not_ok "killed at every step of every checkpoint, then --resume: the same bytes" "only $steps steps"
else
	ok "killed at every one of the $steps steps of the checkpoints, then --resume: the same bytes"
fi

# A unit the manifest claims but whose series rows are gone runs again on --resume.
cp -r "$tmp/whole" "$tmp/lost"
awk -F, 'NR == 1 || !($1 == 3 && $2 == 6)' "$tmp/whole/sweep_national.csv" >"$tmp/lost/sweep_national.csv"
"$bin" sweep "$tmp/s.cfg" $on -o "$tmp/lost" --resume 2>"$tmp/err"
if grep -q "(1 run now, 27 kept from before)" "$tmp/err" && same_folder "$tmp/whole" "$tmp/lost"; then
	ok "--resume runs again a unit without its series rows, to the same bytes"
else
	not_ok "--resume runs again a unit without its series rows, to the same bytes" "$(cat "$tmp/err")"
fi

# The statistics against an independent computation from each point's national.csv
# (`unrestsim run` with the point's values reruns its replications row for row).
if [ -x /usr/bin/python3 ]; then
	for p in 0 1 2 3; do
		ws=$(echo "0.3 0.3 0.5 0.5" | cut -d' ' -f$((p + 1)))
		ar=$(echo "0.01 0.05 0.01 0.05" | cut -d' ' -f$((p + 1)))
		"$bin" run "$minimal" -r 7 -s 4 --set agents.w_s=$ws --set arrests.probability=$ar \
			-o "$tmp/run$p" 2>/dev/null
	done
	if /usr/bin/python3 "$here/point_series_check.py" "$tmp/whole" "$tmp/run0" \
		"$tmp/run1" "$tmp/run2" "$tmp/run3" >"$tmp/out" 2>&1; then
		ok "point_series.csv and sweep_national.csv agree with the runs' national.csv ($(tail -n 1 "$tmp/out"))"
	else
		not_ok "point_series.csv and sweep_national.csv agree with the runs' national.csv" "$(head -n 5 "$tmp/out")"
	fi
else
	ok "# SKIP /usr/bin/python3 is not installed"
fi

# Observation changes nothing: without the series, sweep.csv and sweep_stats.csv are
# the same bytes, and there is no series file.
"$bin" sweep "$tmp/s.cfg" -o "$tmp/off" -j 2 2>/dev/null
if cmp -s "$tmp/off/sweep.csv" "$tmp/whole/sweep.csv" &&
   cmp -s "$tmp/off/sweep_stats.csv" "$tmp/whole/sweep_stats.csv" &&
   [ ! -e "$tmp/off/point_series.csv" ] && [ ! -e "$tmp/off/sweep_national.csv" ] &&
   ! grep -q sweep_national "$tmp/off/manifest.cfg"; then
	ok "point_series off: sweep.csv and sweep_stats.csv the same bytes, no series files"
else
	not_ok "point_series off: sweep.csv and sweep_stats.csv the same bytes, no series files"
fi

# output.national_columns chooses the metrics, output.compress gzips point_series.csv
# (only it: sweep_national.csv is read back and stays plain).
cat >"$tmp/cols.cfg" <<EOT
base = "$minimal";
output = { point_series = true; compress = "gzip";
           national_columns = [ "killed", "time", "active" ]; };
EOT
sed "s|$minimal|$tmp/cols.cfg|" "$tmp/s.cfg" >"$tmp/gz.cfg"
"$bin" sweep "$tmp/gz.cfg" -o "$tmp/gz" 2>"$tmp/err"
want="point,agents.w_s,arrests.probability,hour,count,active_mean,active_p5,active_p50,active_p95,killed_mean,killed_p5,killed_p50,killed_p95"
if [ -f "$tmp/gz/point_series.csv.gz" ] && [ ! -e "$tmp/gz/point_series.csv" ] &&
   [ "$(zcat "$tmp/gz/point_series.csv.gz" | head -n 1)" = "$want" ] &&
   [ "$(head -n 1 "$tmp/gz/sweep_national.csv")" = "point,rep,hour,active,killed" ] &&
   grep -q '"point_series.csv.gz" ]' "$tmp/gz/manifest.cfg"; then
	ok "national_columns and compress: point_series.csv.gz of the chosen metrics"
else
	not_ok "national_columns and compress: point_series.csv.gz of the chosen metrics" "$(cat "$tmp/err")"
fi
# Its rows are the full file's columns of those metrics.
cut -d, -f1-5,6-9,18-21 "$tmp/whole/point_series.csv" >"$tmp/cut"
if [ -s "$tmp/gz/point_series.csv.gz" ] && zcat "$tmp/gz/point_series.csv.gz" | cmp -s - "$tmp/cut"; then
	ok "the chosen metrics' columns are those of the full file"
else
	not_ok "the chosen metrics' columns are those of the full file"
fi

# Rows read back are checked (merge and --resume refuse a malformed sweep_national.csv,
# or sweep.csv, with FILE:LINE and status 65, writing nothing).
bad_case() { # NAME SED_SCRIPT WANT_MESSAGE [FILE [SED_OPTION]]
	rm -rf "$tmp/bad" "$tmp/badm"
	cp -r "$tmp/sh1" "$tmp/bad"
	sed -i ${5:-} "$2" "$tmp/bad/${4:-sweep_national.csv}"
	"$bin" merge -o "$tmp/badm" "$tmp/bad" "$tmp/sh2" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq 65 ] && grep -q "$3" "$tmp/err" && [ ! -e "$tmp/badm" ]; then
		ok "merge refuses $1 (65, nothing written)"
	else
		not_ok "merge refuses $1 (65, nothing written)" "status $got: $(cat "$tmp/err")"
	fi
	cp "$tmp/bad/manifest.cfg" "$tmp/before"
	"$bin" sweep "$tmp/s.cfg" $on --shard 1/2 -o "$tmp/bad" --resume 2>"$tmp/err"
	got=$?
	if [ "$got" -eq 65 ] && grep -q "$3" "$tmp/err" && cmp -s "$tmp/before" "$tmp/bad/manifest.cfg"; then
		ok "--resume refuses $1 (65, the folder as it was)"
	else
		not_ok "--resume refuses $1 (65, the folder as it was)" "status $got: $(cat "$tmp/err")"
	fi
}
bad_case "a metric that is no number" '5s/^\([^,]*,[^,]*,[^,]*\),[^,]*,/\1,banana,/' \
	'sweep_national.csv:5: active: expected a number, found .banana.'
bad_case "a header of other columns" '1s/killed/kiled/' "sweep_national.csv:1: expected the header"
bad_case "hours that do not rise" '4s/^\([^,]*,[^,]*\),[^,]*,/\1,0.5,/' \
	"sweep_national.csv:4: hour: expected an hour after the row before's"
bad_case "a unit with other hours than its point's" '$d' \
	"sweep_national.csv:[0-9]*: expected replication [0-9] of point [0-9] to have the sample hours"
bad_case "a row cut short" '$s/,[^,]*$//' "sweep_national.csv:[0-9]*: expected 14 fields"
bad_case "a unit outside the sweep" '3s/^[0-9]*,/9,/' "sweep_national.csv:3: point: expected a point from 0 to 3"
bad_case "a last row without its line end" '$s/\n$//' \
	"sweep_national.csv:[0-9]*: expected a row ending with a line end" sweep_national.csv -z
bad_case "a sweep.csv header of other columns" '1s/killed/kiled/' "sweep.csv:1: expected the header" \
	sweep.csv
bad_case "a sweep.csv without its last line end" '$s/\n$//' \
	"sweep.csv:[0-9]*: expected a row ending with a line end" sweep.csv -z

rm -rf "$tmp/badm"
cp -r "$tmp/sh1" "$tmp/gone"
rm "$tmp/gone/sweep_national.csv"
"$bin" merge -o "$tmp/badm" "$tmp/gone" "$tmp/sh2" 2>"$tmp/err"
got=$?
if [ "$got" -eq 66 ] && grep -q "sweep_national.csv: cannot be read" "$tmp/err" && [ ! -e "$tmp/badm" ]; then
	ok "merge refuses a shard without sweep_national.csv (66)"
else
	not_ok "merge refuses a shard without sweep_national.csv (66)" "status $got: $(cat "$tmp/err")"
fi

tap_end
