#!/bin/sh
# docs/own-case.md, "Write your own case", run as a user would: every command of its
# ```sh blocks, in order, from a folder that holds the source tree's scenarios/,
# analysis/ and tests/ (each command must exit 0, or the status its `# exit N` comment
# gives, and the message a refused command prints must be the one the page quotes);
# then what those commands made: the example's run has its 10 replications with a
# protest in each, its manifest names the example's own record, record.py compared
# the facts it can measure and listed the others, the counterfactual's edits turned
# the ally on, the calibration wrote a posterior over its four priors and the run
# with it drew from it. Needs Debian's /usr/bin/python3 with pandas and matplotlib
# (skipped without). Prints TAP.
# Usage: own_case.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
# meson gives the program relative to the build folder; the commands run elsewhere.
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
python=/usr/bin/python3
if ! [ -x "$python" ] || ! "$python" -c 'import pandas, matplotlib' >/dev/null 2>&1; then
	echo "1..0 # SKIP $python lacks pandas or matplotlib (python3-pandas, python3-matplotlib)"
	exit 77
fi
. "$src/tests/common/tap.sh"
page=$src/docs/own-case.md

# The commands: each ```sh block's lines, a line ending in \ joined to the next,
# comment and blank lines dropped, one command a line.
awk '
	/^```sh$/ { inside = 1; next }
	/^```/ { inside = 0; next }
	inside {
		line = $0
		if (line ~ /\\$/) { sub(/\\$/, "", line); held = held line; next }
		line = held line
		held = ""
		if (line ~ /^[ \t]*(#|$)/) next
		print line
	}' "$page" >"$tmp/commands"
count=$(wc -l <"$tmp/commands")
if [ "$count" -ge 10 ]; then ok "the page has $count commands"; else not_ok "the page has at least 10 commands" "found $count"; fi

# The user's folder: the tree's files, the program on the PATH as `unrestsim`.
mkdir -p "$tmp/tree" "$tmp/bin"
for d in scenarios analysis tests; do ln -s "$src/$d" "$tmp/tree/$d"; done
ln -s "$bin" "$tmp/bin/unrestsim"
i=0
while IFS= read -r cmd; do
	i=$((i + 1))
	want=$(printf '%s\n' "$cmd" | sed -n 's/.*# exit \([0-9][0-9]*\)$/\1/p')
	[ -n "$want" ] || want=0
	(cd "$tmp/tree" && PATH="$tmp/bin:$PATH" sh -c "$cmd") >"$tmp/out.$i" 2>"$tmp/err.$i" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		not_ok "command $i exits $want: $cmd" "exit status $got" "$(head -c 400 "$tmp/err.$i")"
	elif [ "$want" -ne 0 ] && ! grep -qxF -- "$(head -n 1 "$tmp/err.$i")" "$page"; then
		not_ok "command $i: the page quotes its message: $cmd" "$(head -c 400 "$tmp/err.$i")"
	else
		ok "command $i exits $want: $cmd"
	fi
done <"$tmp/commands"

out=$tmp/tree/out
# Column NAME of a CSV file, one value a line (no quoted commas in these files).
column() {
	awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		c { print $c }' "$1"
}
column "$out/tarvia-2024/summary.csv" peak_active >"$tmp/peaks"
reps=$(wc -l <"$tmp/peaks")
small=$(awk '$1 < 200' "$tmp/peaks" | wc -l)
if [ "$reps" -eq 10 ] && [ "$small" -eq 0 ]; then
	ok "the example's run: 10 replications, a protest (200 active or more) in each"
else
	not_ok "the example's run: 10 replications, a protest in each" "$reps rows, $small under 200"
fi
if grep -q '^record = ".*scenarios/examples/tarvia-2024-record.csv";' "$out/tarvia-2024/manifest.cfg"; then
	ok "the run's manifest names the example's own record"
else
	not_ok "the run's manifest names the example's own record" "$(grep record "$out/tarvia-2024/manifest.cfg")"
fi
missing=
for q in first_gathering participants_total deaths_total detained_by_7_mar \
	order_largely_restored national_internet_blackout first_protest_day; do
	grep -q "^$q," "$out/tarvia-2024-record/comparison.csv" || missing="$missing $q"
done
if [ -z "$missing" ]; then ok "record.py compared the measurable facts"; else not_ok "record.py compared the measurable facts" "missing:$missing"; fi
if grep -q '^- curfew_announced: ' "$out/tarvia-2024-record/comparison.md"; then
	ok "record.py lists the facts it cannot measure"
else
	not_ok "record.py lists the facts it cannot measure" "no curfew_announced under Not compared"
fi
base_asks=$(column "$out/tarvia-2024/summary.csv" csto_request_hour | grep -c .)
ally_asks=$(column "$out/tarvia-2024-ally/summary.csv" csto_request_hour | grep -c .)
if [ "$base_asks" -eq 0 ] && [ "$ally_asks" -gt 0 ]; then
	ok "the counterfactual's edits turn the ally on ($ally_asks of 10 replications ask)"
else
	not_ok "the counterfactual's edits turn the ally on" "base: $base_asks asks, ally: $ally_asks"
fi
if [ "$(head -n 1 "$out/tarvia-2024-calibration/posterior.csv")" = \
	"particle,agents.w_s,arrests.probability,casualties.base_rate,agents.fatigue,weight,distance" ]; then
	ok "the calibration's posterior has its four priors"
else
	not_ok "the calibration's posterior has its four priors" "$(head -n 1 "$out/tarvia-2024-calibration/posterior.csv")"
fi
rows=$(column "$out/tarvia-2024-posterior/summary.csv" posterior_row | grep -c '^[1-9][0-9]*$')
if [ "$rows" -eq 10 ]; then ok "the run with the posterior drew a row in each replication"; else not_ok "the run with the posterior drew a row in each replication" "$rows rows drawn"; fi
tap_end
