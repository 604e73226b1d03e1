#!/bin/sh
# What `meson install` delivers, as its users meet it: installs the build into a
# staging folder (meson install --destdir), then, from there alone,
#   - builds the library's example (docs/library.md) with pkg-config against the
#     staged headers, library and unrest.pc, runs it, and checks that it reproduces
#     `unrestsim run` (same outcomes and fingerprints);
#   - runs the staged program by scenario name from another folder, UNRESTSIM_PATH
#     unset: it finds the staged scenarios relative to itself (docs/install.md);
#   - lists the scenarios with their descriptions, runs a sweep by name;
#   - checks that the manual page names only documents that are installed;
#   - runs the analysis tools through the staged unrestsim-plot (when pandas is there).
# Prints TAP; the installed size is reported as a comment.
# Usage: install.sh BUILD_ROOT SOURCE_ROOT MESON...
set -u
build=$1
src=$2
shift 2
. "$src/tests/common/tap.sh"
check() { name=$1; shift; if "$@" >"$tmp/check.out" 2>&1; then ok "$name"; else not_ok "$name" "$(head -c 600 "$tmp/check.out")"; fi; }

stage=$tmp/stage
if ! "$@" install -C "$build" --destdir "$stage" --no-rebuild >"$tmp/install.log" 2>&1; then
	not_ok "meson install --destdir" "$(tail -n 20 "$tmp/install.log")"
	tap_end
fi
ok "meson install --destdir"
echo "# installed size: $(du -sk "$stage" | cut -f1) KiB in $(find "$stage" -type f | wc -l) files"

# The prefix as configured: the folder that holds bin/unrestsim in the stage.
bin=$(find "$stage" -path '*/bin/unrestsim' -type f | head -n 1)
root=${bin%/bin/unrestsim}
check "the program is installed" test -x "$bin"
check "unrestsim-plot and unrestsim-submit-sweep are installed" \
	test -x "$root/bin/unrestsim-plot" -a -x "$root/bin/unrestsim-submit-sweep"
for h in "$src"/include/unrest/*.h; do
	check "header unrest/$(basename "$h") is installed" cmp "$h" "$root/include/unrest/$(basename "$h")"
done
pc=$(find "$stage" -name unrest.pc | head -n 1)
check "unrest.pc is installed" test -f "$pc"
for lib in libunrest.a libunrest_model.a; do
	check "$lib is installed" test -n "$(find "$stage" -name "$lib")"
done
data=$root/share/unrestsim
for f in $(cd "$src" && find scenarios -type f | sort); do
	check "$f is installed" cmp "$src/$f" "$data/$f"
done
for f in timeline.py region_map.py outcomes.py record.py figures.py validation.py gnuplot.sh cluster/submit-sweep.sh cluster/sweep.sbatch; do
	check "analysis/$f is installed, executable" test -x "$data/analysis/$f"
done
for f in unrestcsv.py timeline.gp region_map.gp $(cd "$src/analysis" && find data -type f | sort); do
	check "analysis/$f is installed" cmp "$src/analysis/$f" "$data/analysis/$f"
done

# ---- the library, through pkg-config ------------------------------------------------
if command -v pkg-config >/dev/null 2>&1 && command -v cc >/dev/null 2>&1; then
	export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$stage"
	flags=$(pkg-config --cflags --libs unrest 2>"$tmp/pc.err")
	check "pkg-config --cflags --libs unrest" test -n "$flags"
	check "pkg-config points into the stage" sh -c "printf '%s' '$flags' | grep -q -- '-I$root/include'"
	example=$root/share/doc/unrestsim/examples/run_scenario.c
	check "the example is installed with the docs" test -f "$example"
	# A library built with sanitizers (meson -Db_sanitize=...) needs them in the program.
	case ${UNREST_SANITIZE:-none} in none | '') sanitize= ;; *) sanitize=-fsanitize=$UNREST_SANITIZE ;; esac
	# shellcheck disable=SC2086
	check "the example builds against the installed library" \
		cc -std=c11 -Wall -Wextra -Werror $sanitize -o "$tmp/run_scenario" "$example" $flags
	unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
	(cd "$tmp" && "$tmp/run_scenario" "$data/scenarios/minimal.cfg" 4 7) >"$tmp/example.out" 2>"$tmp/example.err"
	check "the example runs a scenario and prints a summary" grep -q '^4 replications, seed 7: order_restored' "$tmp/example.out"
	env -u UNRESTSIM_PATH "$bin" run "$data/scenarios/minimal.cfg" -r 4 -s 7 -o "$tmp/minimal" 2>/dev/null
	# outcome and fingerprint of each replication: the example's against summary.csv's.
	awk -F, '/^[0-9]+,/ { print $1, $2, $6 }' "$tmp/example.out" >"$tmp/ex.rows"
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ print $c["rep"], $c["outcome"], $c["fingerprint"] }' "$tmp/minimal/summary.csv" >"$tmp/run.rows"
	check "the example reproduces unrestsim run (outcomes, fingerprints)" \
		sh -c "test -s '$tmp/ex.rows' && cmp '$tmp/ex.rows' '$tmp/run.rows'"
else
	ok "the library through pkg-config # SKIP pkg-config or cc missing"
fi

# ---- the program, by scenario name ------------------------------------------------
mkdir "$tmp/elsewhere"
(cd "$tmp/elsewhere" && env -u UNRESTSIM_PATH "$bin" run kazakhstan-2022 -r 2 \
	--set scenario.horizon=24 >"$tmp/byname.out" 2>"$tmp/byname.err")
check "unrestsim run kazakhstan-2022 works from any folder" \
	test -f "$tmp/elsewhere/out/kazakhstan-2022/summary.csv"
check "its manifest names the installed file" \
	grep -q "^scenario = \"$data/scenarios/kazakhstan-2022.cfg\";" "$tmp/elsewhere/out/kazakhstan-2022/manifest.cfg"
# The record is installed beside the scenarios and named by its absolute path.
records=$(cd "$data/scenarios/records" && pwd -P)
check "its manifest names the installed record" \
	grep -q "^record = \"$records/kazakhstan-2022-record.csv\";" "$tmp/elsewhere/out/kazakhstan-2022/manifest.cfg"
check "and the installed regions file" \
	grep -q "^regions_file = \"$records/kazakhstan-2022-regions.csv\";" "$tmp/elsewhere/out/kazakhstan-2022/manifest.cfg"
for f in kazakhstan-2022-record.csv kazakhstan-2022-regions.csv iran-2019-record.csv \
	iran-2019-regions.csv README.md; do
	check "scenarios/records/$f is installed" test -f "$records/$f"
done
(cd "$tmp/elsewhere" && env -u UNRESTSIM_PATH "$bin" run kazakhstan-2022.cfg -r 1 \
	--set scenario.horizon=12 -o by-file-name >/dev/null 2>&1)
check "NAME.cfg is found too" test -f "$tmp/elsewhere/by-file-name/summary.csv"
env -u UNRESTSIM_PATH "$bin" scenarios --path >"$tmp/path.out" 2>&1
check "the search path is the staged scenarios" test "$(cat "$tmp/path.out")" = "$data/scenarios"
env -u UNRESTSIM_PATH "$bin" scenarios >"$tmp/list.out" 2>&1
desc=$(sed -n 's/^ *description = "\(.*\)";.*/\1/p' "$src/scenarios/kazakhstan-2022.cfg" | head -n 1)
check "scenarios lists kazakhstan-2022 with its description" \
	grep -qF "  kazakhstan-2022  " "$tmp/list.out"
check "the description is the scenario's" grep -qF "$desc" "$tmp/list.out"
check "scenarios lists every installed scenario" \
	test "$(grep -c '^  ' "$tmp/list.out")" -eq "$(ls "$src"/scenarios/*.cfg "$src"/scenarios/sweeps/*.cfg | wc -l)"
check "scenarios lists iran-2019" grep -qF "  iran-2019  " "$tmp/list.out"
check "scenarios lists the sweep" grep -q '^  csto-delay  .*sweep of kazakhstan-2022.cfg: grid of 8 points' "$tmp/list.out"
(cd "$tmp/elsewhere" && env -u UNRESTSIM_PATH "$bin" sweep csto-delay --list >"$tmp/sweep.list" 2>&1)
check "unrestsim sweep csto-delay --list finds the installed sweep" \
	test "$(wc -l <"$tmp/sweep.list")" -eq 321
(cd "$tmp/elsewhere" && env -u UNRESTSIM_PATH "$bin" check minimal >"$tmp/check.cfg" 2>&1)
check "unrestsim check minimal finds it" grep -q 'name = "minimal";' "$tmp/check.cfg"

# ---- the manual page names installed documents only --------------------------------
man=$(find "$stage" -path '*/man1/unrestsim.1' | head -n 1)
check "the manual page is installed" test -f "$man"
refs=$(grep -o '/[^ ]*\.md' "$man" | sort -u)
check "the manual page names installed documents" test -n "$refs"
for r in $refs; do
	check "unrestsim(1) names $(basename "$r"), which is installed" test -f "$stage$r"
done
check "unrestsim(1) names no source folder" sh -c "! grep -q 'docs/' '$man'"
for d in "$src"/docs/*.md; do
	check "docs/$(basename "$d") is installed" cmp "$d" "$root/share/doc/unrestsim/$(basename "$d")"
done

# ---- the analysis tools as installed ---------------------------------------------
check "unrestsim-plot --dir names the staged tools" \
	test "$(env -u UNRESTSIM_PATH "$root/bin/unrestsim-plot" --dir)" = "$data/analysis"
"$root/bin/unrestsim-plot" bogus >/dev/null 2>&1
check "unrestsim-plot of an unknown tool exits 64" test $? -eq 64
if /usr/bin/python3 -c 'import pandas, matplotlib' >/dev/null 2>&1; then
	check "unrestsim-plot record runs with the installed record data" \
		"$root/bin/unrestsim-plot" record "$tmp/elsewhere/out/kazakhstan-2022" -o "$tmp/record"
	check "and compares against it" test -s "$tmp/record/comparison.csv"
	check "unrestsim-plot figures finds the scenario's installed record" \
		"$root/bin/unrestsim-plot" figures "$tmp/elsewhere/out/kazakhstan-2022" -o "$tmp/figures" \
		--only timeline,comparison --format png
	check "and draws the timeline and the comparison" \
		test -s "$tmp/figures/timeline.png" -a -s "$tmp/figures/comparison.png"
else
	ok "unrestsim-plot record # SKIP /usr/bin/python3 has no pandas or matplotlib"
fi
if command -v gnuplot >/dev/null 2>&1; then
	check "unrestsim-plot gnuplot map draws a map" \
		"$root/bin/unrestsim-plot" gnuplot map "$tmp/minimal" "$tmp/map.png"
else
	ok "unrestsim-plot gnuplot # SKIP gnuplot missing"
fi
check "unrestsim-submit-sweep runs the installed submit script" \
	sh -c "'$root/bin/unrestsim-submit-sweep' --help | grep -q '^Usage: submit-sweep.sh'"

tap_end
