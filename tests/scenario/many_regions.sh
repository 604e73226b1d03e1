#!/bin/sh
# The region cap (UR_MAX_REGIONS, 256: a region's index is 8 bits of an agent's tag):
# a scenario of 256 regions loads and runs, the protest of the last region (index 255)
# is counted in that region and no other, and timeseries.csv holds a row for each
# region; 257 regions are refused at the list's line with status 65. Prints TAP.
# Usage: many_regions.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
. "$src/tests/common/tap.sh"

# scenario N FILE: N regions 20 km apart on a grid; only the last has hardship, fuel
# dependence and a price rise, and thresholds are positive, so only it can protest.
scenario() {
	awk -v n="$1" 'BEGIN {
		print "scenario = { name = \"many\"; start = \"2022-01-01T00:00:00+06:00\";"
		print "  horizon = 12.0; agent_scale = 1.0; replications = 1; seed = 5; };"
		print "regions = ("
		for (i = 0; i < n; i++) {
			last = (i == n - 1)
			printf "  { id = \"R%d\"; name = \"R%d\"; population = 2000; lat = %.2f; lon = %.2f; police = 2.0; hardship = %s; lpg_share = %s; }%s\n",
				i, i, 40 + int(i / 16) * 0.18, 60 + (i % 16) * 0.24,
				last ? "1.0" : "0.0", last ? "1.0" : "0.0", last ? "" : ","
		}
		print ");"
		print "agents = { threshold = { dist = \"normal\"; mean = 0.1; sd = 0.05; min = 0.01; }; sigma_fuel = 1.2; };"
		printf "fuel = { steps = ( { at = 1.0; ratio = 2.0; regions = [ \"R%d\" ]; } ); };\n", n - 1
		print "output = { timeseries_interval = 12.0; };"
	}' >"$2"
}

scenario 256 "$tmp/256.cfg"
if "$bin" check "$tmp/256.cfg" >/dev/null 2>"$tmp/err"; then ok "256 regions: check"; else not_ok "256 regions: check" "$(head -c 300 "$tmp/err")"; fi
if "$bin" run "$tmp/256.cfg" -q -o "$tmp/out" 2>"$tmp/err"; then
	ok "256 regions: run"
	ids=$(awk -F, 'NR > 1 && $2 == 12 { print $3 }' "$tmp/out/timeseries.csv" | sort -u | wc -l)
	if [ "$ids" -eq 256 ]; then ok "timeseries.csv: a row for each of the 256 regions"; else not_ok "timeseries.csv: a row for each of the 256 regions" "$ids regions at hour 12"; fi
	# The last region's protest: active persons there at some sample, none elsewhere.
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "active") c = i; next }
		$c > 0 { print $3 }' "$tmp/out/timeseries.csv" | sort -u >"$tmp/active"
	if [ "$(cat "$tmp/active")" = "R255" ]; then
		ok "the protest of region 255 is counted there and nowhere else"
	else
		not_ok "the protest of region 255 is counted there and nowhere else" "active in: $(tr '\n' ' ' <"$tmp/active")"
	fi
else
	not_ok "256 regions: run" "$(head -c 300 "$tmp/err")"
fi

scenario 257 "$tmp/257.cfg"
"$bin" check "$tmp/257.cfg" >/dev/null 2>"$tmp/err"
got=$?
if [ "$got" -eq 65 ] && grep -qxF "$tmp/257.cfg:3: regions: must have at most 256 items, got 257" "$tmp/err"; then
	ok "257 regions: refused at the list's line"
else
	not_ok "257 regions: refused at the list's line" "exit status $got" "$(head -c 300 "$tmp/err")"
fi
tap_end
