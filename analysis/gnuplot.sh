#!/bin/sh
# gnuplot.sh: draws a run's national timeline or region map with gnuplot, for users
# who have gnuplot but not Python. awk first reduces the run's CSV files to what a
# gnuplot script plots (gnuplot cannot take quantiles across replications itself):
#
#   timeline  national.csv -> per sample hour, the 5th, 50th and 95th percentiles
#             across replications of active, killed, detained, damage_usd (millions),
#             connectivity, security and csto_troops (linear interpolation between
#             order statistics, as numpy and R's default); drawn by timeline.gp.
#   map       timeseries.csv -> per region and sample hour, the mean of a column
#             (default active) across replications, regions ordered by the first hour
#             their mean reaches ONSET persons (default 100; never: last, in file
#             order); drawn by region_map.gp on a log colour scale.
#
# Usage: gnuplot.sh timeline RUN_DIR OUT.png [TABLE.csv]
#        gnuplot.sh map RUN_DIR OUT.png [TABLE.csv] [ONSET] [COLUMN]
# OUT may end in .png, .pdf or .svg. TABLE, when given, keeps the reduced data (CSV).
# Exit status: 64 usage, 65 a missing file or column, 66 no such folder, 69 gnuplot
# not installed, 73 cannot write the output.
# Needs: gnuplot (Debian package gnuplot-nox), a POSIX awk and sort -g (coreutils).
set -u

usage() {
	echo "usage: gnuplot.sh timeline RUN_DIR OUT.png [TABLE.csv]" >&2
	echo "       gnuplot.sh map RUN_DIR OUT.png [TABLE.csv] [ONSET] [COLUMN]" >&2
	exit 64
}
die() { status=$1; shift; echo "gnuplot.sh: $*" >&2; exit "$status"; }

[ $# -ge 3 ] || usage
kind=$1 run=$2 out=$3
table=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
case $kind in timeline|map) ;; *) usage ;; esac
case $out in
*.png) term="pngcairo size 1200,900 font 'sans,10'" ;;
*.pdf) term="pdfcairo size 12in,9in font 'sans,10'" ;;
*.svg) term="svg size 1200,900 font 'sans,10'" ;;
*) die 64 "$out: output must end in .png, .pdf or .svg" ;;
esac
[ -d "$run" ] || die 66 "$run: no such folder"
# Paths go into gnuplot strings in single quotes.
case $run$out in *"'"*) die 64 "paths with a single quote are not supported" ;; esac
command -v gnuplot >/dev/null 2>&1 || die 69 "gnuplot is not installed (Debian: gnuplot-nox)"

tmp=$(mktemp -d) || die 73 "cannot create a temporary folder"
trap 'rm -rf "$tmp"' EXIT

# header_check FILE COLUMN...: exits 65 unless FILE exists and has every COLUMN.
header_check() {
	file=$1; shift
	[ -f "$file" ] || die 65 "$file: no such file"
	for col in "$@"; do
		head -n 1 "$file" | tr -d '\r' | tr ',' '\n' | grep -qx "$col" ||
			die 65 "$file: missing column $col"
	done
	[ "$(head -n 2 "$file" | wc -l)" -ge 2 ] || die 65 "$file: no rows"
}

# The run's start, from the scenario's printout in the folder (the files need not have
# a time column): gnuplot writes it in the axis label (hours since ...).
start_of() {
	sed -n 's/^ *start = "\([^"]*\)";.*$/\1/p' "$run/scenario.cfg" | head -n 1
}

# quiet FILE: gnuplot's messages but its notice that a series that stays at 0 (no
# deaths) got the axis [0:1], and the region map's that no cell has activity (its
# cells are then all grey), both of which are what is wanted.
quiet() {
	grep -v -e 'empty y range \[0:0\], adjusting to \[0:1\]' -e 'No valid data points found in file' "$1" >&2
	return 0
}

out_dir=$(dirname "$out")
if ! mkdir -p "$out_dir" 2>/dev/null || ! [ -w "$out_dir" ]; then
	die 73 "$out: cannot write"
fi

if [ "$kind" = timeline ]; then
	data=$run/national.csv
	columns="active killed detained damage_usd connectivity security csto_troops"
	# shellcheck disable=SC2086
	header_check "$data" rep hour $columns
	# One line per (column, hour, value), sorted so that each (column, hour) group is
	# in increasing order; then the percentiles of each group.
	awk -F, -v want="$columns" '
		BEGIN { CONVFMT = OFMT = "%.10g" }
		NR == 1 {
			for (i = 1; i <= NF; i++) index_of[$i] = i
			n = split(want, names, " ")
			for (k = 1; k <= n; k++) col[k] = index_of[names[k]]
			next
		}
		{
			for (k = 1; k <= n; k++) {
				v = $col[k]
				if (v == "") continue
				if (names[k] == "damage_usd") v = v / 1e6
				print k, $index_of["hour"], v
			}
		}' "$data" | LC_ALL=C sort -k1,1n -k2,2g -k3,3g | awk -v want="$columns" '
		# q(p): the p-quantile of v[1..m], linear between order statistics.
		function q(p,    pos, lo, frac) {
			pos = p * (m - 1) + 1
			lo = int(pos)
			frac = pos - lo
			return lo < m ? v[lo] + frac * (v[lo + 1] - v[lo]) : v[lo]
		}
		function flush() {
			if (m == 0) return
			if (!(hour in seen)) { seen[hour] = 1; hours[++nh] = hour }
			res[hour, key] = q(0.05) "," q(0.5) "," q(0.95)
			m = 0
		}
		BEGIN { CONVFMT = OFMT = "%.10g"; n = split(want, names, " ") }
		{
			if ($1 != key || $2 != hour) { flush(); key = $1; hour = $2 }
			v[++m] = $3 + 0
		}
		END {
			flush()
			printf "hour"
			for (k = 1; k <= n; k++)
				printf ",%s_lo,%s_med,%s_hi", names[k], names[k], names[k]
			printf "\n"
			for (i = 1; i <= nh; i++) {
				printf "%s", hours[i]
				for (k = 1; k <= n; k++) printf ",%s", res[hours[i], k]
				printf "\n"
			}
		}' >"$tmp/table.csv" || die 65 "$data: cannot reduce"
	reps=$(awk -F, 'NR > 1 { r[$1] = 1 } END { n = 0; for (k in r) n++; print n }' "$data")
	gnuplot -e "datafile='$tmp/table.csv'; outfile='$out'; term_spec=\"$term\";
		start='$(start_of "$data")'; reps=$reps; name='$(basename "$run")'" \
		"$here/timeline.gp" 2>"$tmp/err" || { cat "$tmp/err" >&2; die 73 "$out: gnuplot failed"; }
	quiet "$tmp/err"
else
	onset=${5:-100}
	column=${6:-active}
	data=$run/timeseries.csv
	header_check "$data" rep hour region "$column"
	# Mean per (region, hour) across replications; region rows in the order of onset.
	awk -F, -v column="$column" -v onset="$onset" -v ticsfile="$tmp/tics.gp" '
		BEGIN { CONVFMT = OFMT = "%.10g" }
		NR == 1 {
			for (i = 1; i <= NF; i++) index_of[$i] = i
			h = index_of["hour"]; r = index_of["region"]; c = index_of[column]
			next
		}
		{
			# Hours are kept as written (keys) and as numbers (to sort and draw).
			if (!($r in rank)) { rank[$r] = ++nr; region[nr] = $r }
			if (!($h in hseen)) { hseen[$h] = 1; hkey[++nh] = $h; hnum[nh] = $h + 0 }
			sum[$r, $h] += $c; count[$r, $h]++
		}
		END {
			# Sample hours in increasing order (insertion sort: a few hundred).
			for (i = 2; i <= nh; i++) {
				x = hnum[i]; y = hkey[i]
				for (j = i - 1; j >= 1 && hnum[j] > x; j--) {
					hnum[j + 1] = hnum[j]; hkey[j + 1] = hkey[j]
				}
				hnum[j + 1] = x; hkey[j + 1] = y
			}
			for (k = 1; k <= nr; k++) {
				first[k] = -1
				for (i = 1; i <= nh; i++) {
					key = region[k] SUBSEP hkey[i]
					mean[k, i] = (key in count) ? sum[key] / count[key] : 0
					if (first[k] < 0 && mean[k, i] >= onset) first[k] = hnum[i]
				}
			}
			# Rows: regions that reach the onset, by its hour, then the others.
			for (k = 1; k <= nr; k++) order[k] = k
			for (i = 2; i <= nr; i++) {
				x = order[i]
				for (j = i - 1; j >= 1 && later(order[j], x); j--) order[j + 1] = order[j]
				order[j + 1] = x
			}
			# Each cell spans halfway to its neighbouring samples.
			half_first = nh > 1 ? (hnum[2] - hnum[1]) / 2 : 0.5
			half_last = nh > 1 ? (hnum[nh] - hnum[nh - 1]) / 2 : 0.5
			printf "hour_lo,hour_hi,row,region,mean\n"
			tics = "set ytics ("
			for (row = 1; row <= nr; row++) {
				k = order[row]
				tics = tics (row > 1 ? ", " : "") "\"" region[k] "\" " row
				for (i = 1; i <= nh; i++) {
					lo = i > 1 ? (hnum[i - 1] + hnum[i]) / 2 : hnum[i] - half_first
					hi = i < nh ? (hnum[i] + hnum[i + 1]) / 2 : hnum[i] + half_last
					printf "%.10g,%.10g,%d,%s,%.10g\n", lo, hi, row, region[k], mean[k, i]
				}
			}
			print tics ")" > ticsfile
			print "nrows = " nr >> ticsfile
			print "set xrange [" hnum[1] - half_first ":" hnum[nh] + half_last "]" >> ticsfile
		}
		function later(a, b) {
			if (first[a] < 0 && first[b] < 0) return a > b
			if (first[a] < 0) return 1
			if (first[b] < 0) return 0
			return first[a] > first[b] || (first[a] == first[b] && a > b)
		}' "$data" >"$tmp/table.csv" || die 65 "$data: cannot reduce"
	reps=$(awk -F, 'NR > 1 { r[$1] = 1 } END { n = 0; for (k in r) n++; print n }' "$data")
	gnuplot -e "datafile='$tmp/table.csv'; ticsfile='$tmp/tics.gp'; outfile='$out';
		term_spec=\"$term\"; start='$(start_of "$data")'; reps=$reps;
		name='$(basename "$run")'; column='$column'; onset=$onset" \
		"$here/region_map.gp" 2>"$tmp/err" || { cat "$tmp/err" >&2; die 73 "$out: gnuplot failed"; }
	quiet "$tmp/err"
fi
if [ -n "$table" ]; then
	cp "$tmp/table.csv" "$table" || die 73 "$table: cannot write"
fi
exit 0
