#!/bin/sh
# The gnuplot tools (analysis/gnuplot.sh with timeline.gp and region_map.gp) on a real
# run of the minimal scenario: each writes a PNG (signature, some KB), the reduced
# tables hold the percentiles and means computed here independently with sort and
# awk, and errors give the documented exit status (66 no folder, 65 no files, 64
# usage). Exits 77 (skipped) when gnuplot is not installed (Debian: gnuplot-nox).
# Usage: gnuplot_test.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
tool=$src/analysis/gnuplot.sh
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "gnuplot is not installed (Debian: gnuplot-nox): skipped"
	exit 77
fi
. "$src/tests/common/tap.sh"
check() { name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

# is_png FILE: the PNG signature and at least 5 KB.
is_png() {
	[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
		[ "$(wc -c <"$1")" -ge 5000 ]
}

# is_png_any FILE: the PNG signature.
is_png_any() { [ -f "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' 
')" = 89504e470d0a1a0a ]; }

# Three replications: the median is the middle value, and the 5th and 95th
# percentiles interpolate linearly: v1 + 0.1 (v2 - v1) and v2 + 0.9 (v3 - v2).
if ! "$bin" run "$src/scenarios/minimal.cfg" -r 3 -s 9 -o "$tmp/run" </dev/null \
	>/dev/null 2>"$tmp/err"; then
	not_ok "unrestsim run" "$(cat "$tmp/err")"
	echo "1..$n"
	exit 1
fi
ok "unrestsim run"

sh "$tool" timeline "$tmp/run" "$tmp/timeline.png" "$tmp/timeline.csv" 2>"$tmp/err"
check "timeline: exit 0" [ $? -eq 0 ]
check "timeline: a PNG" is_png "$tmp/timeline.png"
# active is national.csv's 4th column; hour 10 is a sample of every replication.
want=$(awk -F, 'NR > 1 && $2 == 10 { print $4 }' "$tmp/run/national.csv" | sort -g |
	awk '{ v[NR] = $1 } END { printf "%.6g %.6g %.6g", v[1] + 0.1 * (v[2] - v[1]), v[2], v[2] + 0.9 * (v[3] - v[2]) }')
got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
	NR > 1 && $1 == 10 { printf "%.6g %.6g %.6g", $c["active_lo"], $c["active_med"], $c["active_hi"] }' \
	"$tmp/timeline.csv")
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	ok "timeline table: 5th, 50th, 95th percentiles of active at hour 10"
else
	not_ok "timeline table: 5th, 50th, 95th percentiles of active at hour 10" \
		"got '$got', want '$want'"
fi
samples=$(awk -F, 'NR > 1 && $1 == 0' "$tmp/run/national.csv" | wc -l)
check "timeline table: one row per sample" \
	[ "$(($(wc -l <"$tmp/timeline.csv") - 1))" -eq "$samples" ]

sh "$tool" map "$tmp/run" "$tmp/map.png" "$tmp/map.csv" 2>"$tmp/err"
check "map: exit 0" [ $? -eq 0 ]
check "map: a PNG" is_png "$tmp/map.png"
# timeseries.csv: rep, hour, region, active, ... with a row every 6 h by default.
want=$(awk -F, 'NR > 1 && $2 == 12 && $3 == "WEST" { s += $4; k++ } END { printf "%.6g", s / k }' \
	"$tmp/run/timeseries.csv")
got=$(awk -F, '$4 == "WEST" && $1 < 12 && $2 > 12 { printf "%.6g", $5 }' "$tmp/map.csv")
if [ "$got" = "$want" ]; then
	ok "map table: mean active persons of WEST at hour 12"
else
	not_ok "map table: mean active persons of WEST at hour 12" "got '$got', want '$want'"
fi
cells=$(awk -F, 'NR > 1 && $1 == 0' "$tmp/run/timeseries.csv" | wc -l)
check "map table: one row per region and sample" \
	[ "$(($(wc -l <"$tmp/map.csv") - 1))" -eq "$cells" ]

# The region map's colours, on a 3 x 3 table drawn by region_map.gp itself: cells with
# no activity are the grey the colour bar's label names (they were drawn white), and
# the others have the colour bar's colours at their values (map_colours.py reads the
# PNG with /usr/bin/python3 and matplotlib; skipped without them).
gp=$src/analysis/region_map.gp
printf 'hour_lo,hour_hi,row,region,mean\n-0.5,0.5,1,A,0\n0.5,1.5,1,A,10\n1.5,2.5,1,A,0\n-0.5,0.5,2,B,100\n0.5,1.5,2,B,0\n1.5,2.5,2,B,1000\n-0.5,0.5,3,C,0\n0.5,1.5,3,C,0\n1.5,2.5,3,C,0\n' >"$tmp/cells.csv"
printf 'set ytics ("A" 1, "B" 2, "C" 3)\nnrows = 3\nset xrange [-0.5:2.5]\n' >"$tmp/cells.gp"
area=$(gnuplot -e "datafile='$tmp/cells.csv'; ticsfile='$tmp/cells.gp'; outfile='$tmp/cells.png';
	term_spec=\"pngcairo size 600,400\"" "$gp" \
	-e 'print GPVAL_TERM_XMIN, GPVAL_TERM_XMAX, GPVAL_TERM_YMIN, GPVAL_TERM_YMAX' 2>&1)
none=$(sed -n "s/^if (!exists(\"none_rgb\")) none_rgb = '\(#[0-9a-f]*\)'.*/\1/p" "$gp")
check "region_map.gp names its grey for cells with no activity" [ -n "$none" ]
check "and its colour bar's label says grey is none" grep -q "grey: none" "$gp"
if /usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	if /usr/bin/python3 "$src/tests/analysis/map_colours.py" "$tmp/cells.png" $area "$none" >"$tmp/colours.out" 2>&1; then
		ok "map: empty cells grey as the colour bar says, others the colour bar's colours"
	else
		not_ok "map: empty cells grey as the colour bar says, others the colour bar's colours" \
			"$(cat "$tmp/colours.out")" "gnuplot: $area"
	fi
else
	ok "map colours # SKIP /usr/bin/python3 has no matplotlib"
fi
# Means within a decade or two (5 to 100), and none at all: gnuplot's own log colour
# scale failed on both ("cb coord of -10").
for means in "5 100" "0 0"; do
	set -- $means
	printf 'hour_lo,hour_hi,row,region,mean\n-0.5,0.5,1,A,0\n0.5,1.5,1,A,%s\n-0.5,0.5,2,B,%s\n0.5,1.5,2,B,0\n' "$1" "$2" >"$tmp/small.csv"
	gnuplot -e "datafile='$tmp/small.csv'; ticsfile='$tmp/cells.gp'; outfile='$tmp/small.png';
		term_spec=\"pngcairo size 400,300\"" "$gp" >"$tmp/small.err" 2>&1
	check "map of means $1 and $2 draws" is_png_any "$tmp/small.png"
	rm -f "$tmp/small.png"
done

# expect_status STATUS KIND DIR: gnuplot.sh KIND DIR exits STATUS with a message.
expect_status() {
	sh "$tool" "$2" "$3" "$tmp/x.png" >/dev/null 2>"$tmp/err"
	status=$?
	if [ "$status" -eq "$1" ] && [ -s "$tmp/err" ]; then
		ok "$2 on $(basename "$3"): exit $1"
	else
		not_ok "$2 on $(basename "$3"): exit $1" "exit $status: $(cat "$tmp/err")"
	fi
}
mkdir "$tmp/empty"
expect_status 66 timeline "$tmp/no-such-run"
expect_status 65 timeline "$tmp/empty"
expect_status 65 map "$tmp/empty"
sh "$tool" timeline >/dev/null 2>&1
check "no arguments: exit 64" [ $? -eq 64 ]

echo "1..$n"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
