#!/bin/sh
# What is observed never changes what is computed: summary.csv of the reference
# scenario is the same, byte for byte, for any scenario.sample_interval and any choice
# of output.* (docs/output.md, "Observation"). Prints TAP for meson.
# Usage: observation.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
. "$src/tests/common/tap.sh"

kz=$src/scenarios/kazakhstan-2022.cfg
# Two replications of ten days: past the price rise, the shutdowns, the counter-coup
# and the CSTO's arrival, so that damage, shutdown hours and every count accrue.
"$bin" run "$kz" -o "$tmp/ref" -r 2 -s 11 --set scenario.horizon=240 2>"$tmp/err"
if [ -s "$tmp/ref/summary.csv" ] && [ "$(wc -l <"$tmp/ref/summary.csv")" -eq 3 ]; then
	ok "the reference run writes two summary rows"
else
	not_ok "the reference run writes two summary rows" "$(head -c 300 "$tmp/err")"
fi

i=0
for interval in 1 0.37 7; do
	for national in true false; do
		for timeseries in true false; do
			for events in none major all; do
				i=$((i + 1))
				name="sample_interval=$interval national=$national timeseries=$timeseries events=$events"
				"$bin" run "$kz" -o "$tmp/o$i" -r 2 -s 11 --set scenario.horizon=240 \
					--set scenario.sample_interval=$interval \
					--set output.national=$national \
					--set output.timeseries=$timeseries \
					--set "output.events=\"$events\"" 2>"$tmp/err"
				if cmp -s "$tmp/ref/summary.csv" "$tmp/o$i/summary.csv"; then
					ok "summary.csv is the same with $name"
				else
					not_ok "summary.csv is the same with $name" \
						"$(diff "$tmp/ref/summary.csv" "$tmp/o$i/summary.csv" | head -n 6)" \
						"$(head -c 300 "$tmp/err")"
				fi
				rm -rf "$tmp/o$i"
			done
		done
	done
done
tap_end
