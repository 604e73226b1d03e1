#!/bin/sh
# Output choices change which rows and columns are written, never what is computed:
# runs the minimal scenario three times with the same seed, with the default output,
# with every column of every sample (the reference), and with a few regions, columns
# and a coarser regional interval, then checks with awk that summary.csv and
# events.csv are the same bytes in all three and that each chosen file is exactly the
# reference's rows and columns it selects.
# Usage: choices.sh UNRESTSIM SOURCE_ROOT   (TAP on stdout)
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ $# -lt 2 ] || echo "# $2"; }
check() { what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

cat >"$tmp/full.cfg" <<CFG
base = "$src/scenarios/minimal.cfg";
output = {
  timeseries_columns = [ "time", "active", "held", "detained", "killed", "injured",
                         "security", "csto_troops", "internet" ];
  timeseries_interval = 1.0;
};
CFG
cat >"$tmp/chosen.cfg" <<CFG
base = "$src/scenarios/minimal.cfg";
output = {
  regions = [ "WEST" ];
  national_columns = [ "killed", "active" ];
  timeseries_columns = [ "internet", "active" ];
  timeseries_interval = 3.0;
};
CFG
for run in default full chosen; do
	cfg=$tmp/$run.cfg
	[ "$run" = default ] && cfg=$src/scenarios/minimal.cfg
	if ! "$bin" run "$cfg" -o "$tmp/$run" -r 3 -s 5 -q </dev/null 2>"$tmp/err"; then
		not_ok "run $run" "$(cat "$tmp/err")"
		echo "1..$n"
		exit 1
	fi
	ok "run $run"
done

# select FILE COLUMNS REGION STEP: FILE's header and rows with the named columns (in
# the file's order), of region REGION (any: "") at hours that are multiples of STEP
# or the last hour (72).
select() {
	awk -F, -v cols="$2" -v region="$3" -v step="$4" '
		NR == 1 {
			n = split(cols, want, " ")
			for (i = 1; i <= NF; i++) index_of[$i] = i
			for (i = 1; i <= NF; i++) for (j = 1; j <= n; j++)
				if ($i == want[j]) keep[++k] = i
			h = index_of["hour"]; r = index_of["region"]
		}
		NR > 1 && region != "" && $r != region { next }
		NR > 1 && ($h + 0) % step != 0 && $h + 0 != 72 { next }
		{
			line = ""
			for (i = 1; i <= k; i++) line = line (i > 1 ? "," : "") $keep[i]
			print line
		}' "$1"
}

for f in summary.csv events.csv; do
	check "$f: the same bytes with the default output" cmp -s "$tmp/full/$f" "$tmp/default/$f"
	check "$f: the same bytes with chosen regions and columns" \
		cmp -s "$tmp/full/$f" "$tmp/chosen/$f"
done
check "national.csv: the default is every column" \
	cmp -s "$tmp/full/national.csv" "$tmp/default/national.csv"

all_series="rep hour region active held detained killed injured security csto_troops internet"
select "$tmp/full/timeseries.csv" "$all_series" "" 6 >"$tmp/want"
check "timeseries.csv: the default is every 6th sample, all columns but time" \
	cmp -s "$tmp/want" "$tmp/default/timeseries.csv"
check "timeseries.csv: the reference has a time column" \
	[ "$(head -n 1 "$tmp/full/timeseries.csv" | cut -d, -f3)" = time ]
select "$tmp/full/national.csv" "rep hour active killed" "" 1 >"$tmp/want"
check "national.csv: the chosen columns, keys first, in the table's order" \
	cmp -s "$tmp/want" "$tmp/chosen/national.csv"
select "$tmp/full/timeseries.csv" "rep hour region active internet" WEST 3 >"$tmp/want"
check "timeseries.csv: the chosen region, columns and interval" \
	cmp -s "$tmp/want" "$tmp/chosen/timeseries.csv"
check "timeseries.csv: rows of WEST only, and some" \
	[ "$(awk -F, 'NR > 1 && $3 != "WEST"' "$tmp/chosen/timeseries.csv" | wc -l)" -eq 0 ] &&
	[ "$(wc -l <"$tmp/chosen/timeseries.csv")" -gt 10 ]

# Absent, the regional interval is 6 h or the first multiple of the samples' above it:
# 8 h when samples are 4 h apart.
cat >"$tmp/four.cfg" <<CFG
base = "$src/scenarios/minimal.cfg";
scenario = { sample_interval = 4.0; };
CFG
if "$bin" run "$tmp/four.cfg" -o "$tmp/four" -r 1 -s 5 -q </dev/null 2>"$tmp/err"; then
	hours=$(awk -F, 'NR > 1 { print $2 }' "$tmp/four/timeseries.csv" | uniq | tr '\n' ' ')
	check "timeseries.csv: every 8 h when samples are 4 h apart" \
		[ "$hours" = "0.0 8.0 16.0 24.0 32.0 40.0 48.0 56.0 64.0 72.0 " ]
else
	not_ok "run with sample_interval 4" "$(cat "$tmp/err")"
fi

echo "1..$n"
exit $failed
