#!/bin/sh
# One scenario in two checkouts: the scenarios tree, its records and the example
# posterior copied to two folders, as two clones or two cluster nodes that mount the
# project at different places hold them. A scenario names its files (scenario.record,
# scenario.regions_file, scenario.posterior) by their content in its hash, not by
# where they are (docs/output.md, "What stays the same"), so: shard 1/2 run in one
# and shard 2/2 in the other merge, in either order, to the unsharded sweep's bytes;
# a shard made in one resumes in the other; a run writes the same manifest in both;
# and a folder's scenario.cfg loads from anywhere, with the same hash. The only
# bytes that differ are those docs/output.md says differ: scenario.cfg's absolute
# paths of those files, and a manifest's command lines. Prints TAP for meson.
# Usage: checkouts.sh UNRESTSIM SOURCE_ROOT
set -u
# The program by an absolute name: the test runs it from folders of its own.
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
. "$src/tests/common/tap.sh"

for c in one two; do
	mkdir -p "$tmp/$c/tests/run"
	cp -R "$src/scenarios" "$tmp/$c/scenarios"
	# The example posterior's agents.w_s (its threshold column is minimal.cfg's
	# distribution's, which the reference scenario does not have).
	cut -d, -f1,2,4,5 "$src/tests/run/posterior-example.csv" \
		>"$tmp/$c/tests/run/posterior-example.csv"
	# The reference scenario names its record and regions; a posterior besides, and
	# a short horizon to keep the test quick.
	cat >"$tmp/$c/scenarios/located.cfg" <<'EOT'
base = "kazakhstan-2022.cfg";
scenario = { horizon = 24.0; posterior = "../tests/run/posterior-example.csv"; };
EOT
	cat >"$tmp/$c/scenarios/sweeps/located.cfg" <<'EOT'
scenario = "../located.cfg";
replications = 2;
seed = 7;
design = "grid";
parameters = ( { path = "government.actions.[blackout].probability"; values = [ 1.0, 0.0 ]; } );
EOT
done
# The second checkout lies deeper, so no path in it has the first's length.
mkdir -p "$tmp/deeper/still"
mv "$tmp/two" "$tmp/deeper/still/two"
one=$tmp/one
two=$tmp/deeper/still/two

# scenario.cfg without the values of the settings that name a file.
strip_paths() {
	sed -E 's/^(  (record|regions_file|posterior) = ")[^"]*("; # content 0x[0-9a-f]{16})$/\1\3/' "$1"
}

# same_sweep A B: every file of the folders equal, but for the manifest's command
# lines and scenario.cfg's paths of the files it names (docs/sweeps.md).
same_sweep() {
	for f in sweep.cfg sweep.csv sweep_stats.csv; do
		cmp -s "$1/$f" "$2/$f" || { echo "$f differs"; return 1; }
	done
	strip_paths "$1/scenario.cfg" >"$tmp/c1"
	strip_paths "$2/scenario.cfg" >"$tmp/c2"
	cmp -s "$tmp/c1" "$tmp/c2" || { echo "scenario.cfg differs"; return 1; }
	grep -Ev '^command' "$1/manifest.cfg" >"$tmp/m1"
	grep -Ev '^command' "$2/manifest.cfg" >"$tmp/m2"
	cmp -s "$tmp/m1" "$tmp/m2" || { echo "manifest.cfg differs"; return 1; }
}

(cd "$one" && "$bin" sweep scenarios/sweeps/located.cfg -j 1 -o out/whole) 2>"$tmp/err"
(cd "$one" && "$bin" sweep scenarios/sweeps/located.cfg -j 1 --shard 1/2 -o out/s1) 2>>"$tmp/err"
(cd "$two" && "$bin" sweep scenarios/sweeps/located.cfg -j 1 --shard 2/2 -o out/s2) 2>>"$tmp/err"
if [ -f "$one/out/whole/manifest.cfg" ] && [ -f "$one/out/s1/manifest.cfg" ] &&
	[ -f "$two/out/s2/manifest.cfg" ]; then
	ok "the sweep and its two shards run in two checkouts"
else
	not_ok "the sweep and its two shards run in two checkouts" "$(cat "$tmp/err")"
fi
if grep -q "^  record = \"/.*\"; # content 0x" "$one/out/whole/scenario.cfg" &&
	grep -q "^  posterior = \"/.*\"; # content 0x" "$one/out/whole/scenario.cfg"; then
	ok "scenario.cfg names the files absolutely, with their content's checksum"
else
	not_ok "scenario.cfg names the files absolutely, with their content's checksum"
fi

# Merged in either order, from either checkout.
(cd "$one" && "$bin" merge -o out/merged out/s1 "$two/out/s2") >"$tmp/merge1" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && why=$(same_sweep "$one/out/whole" "$one/out/merged"); then
	ok "shards from two checkouts merge to the unsharded sweep's bytes"
else
	not_ok "shards from two checkouts merge to the unsharded sweep's bytes" "status $rc" \
		"$(cat "$tmp/merge1")" "${why:-}"
fi
(cd "$two" && "$bin" merge -o out/merged "$two/out/s2" "$one/out/s1") >"$tmp/merge2" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && why=$(same_sweep "$one/out/merged" "$two/out/merged") &&
	cmp -s "$one/out/merged/scenario.cfg" "$two/out/merged/scenario.cfg"; then
	ok "merged in the other order, in the other checkout: the same bytes, scenario.cfg too"
else
	not_ok "merged in the other order, in the other checkout: the same bytes, scenario.cfg too" \
		"status $rc" "$(cat "$tmp/merge2")" "${why:-}"
fi

# A shard begun in one checkout resumes in the other: the same sweep.
cp -R "$one/out/s1" "$two/out/s1"
(cd "$two" && "$bin" sweep scenarios/sweeps/located.cfg -j 1 --shard 1/2 --resume \
	-o out/s1) >"$tmp/resume" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "0 run now, 2 kept" "$tmp/resume"; then
	ok "a shard made in one checkout resumes in the other, keeping its units"
else
	not_ok "a shard made in one checkout resumes in the other, keeping its units" \
		"status $rc" "$(cat "$tmp/resume")"
fi

# A run: the same manifest bytes in both checkouts, the same data.
for c in "$one" "$two"; do
	(cd "$c" && "$bin" run scenarios/located.cfg -r 2 -j 1 -o out/run) >/dev/null 2>&1
done
if [ -f "$one/out/run/manifest.cfg" ] &&
	cmp -s "$one/out/run/manifest.cfg" "$two/out/run/manifest.cfg"; then
	ok "a run writes the same manifest.cfg in two checkouts"
else
	not_ok "a run writes the same manifest.cfg in two checkouts" \
		"$(diff "$one/out/run/manifest.cfg" "$two/out/run/manifest.cfg" 2>&1)"
fi
bad=""
[ -f "$one/out/run/summary.csv" ] || bad=" summary.csv (absent)"
for f in summary.csv national.csv timeseries.csv events.csv; do
	[ -f "$one/out/run/$f" ] || continue
	cmp -s "$one/out/run/$f" "$two/out/run/$f" || bad="$bad $f"
done
strip_paths "$one/out/run/scenario.cfg" >"$tmp/c1"
strip_paths "$two/out/run/scenario.cfg" >"$tmp/c2"
cmp -s "$tmp/c1" "$tmp/c2" || bad="$bad scenario.cfg"
if [ -z "$bad" ]; then
	ok "and the same data files, scenario.cfg but for its paths"
else
	not_ok "and the same data files, scenario.cfg but for its paths" "differ:$bad"
fi
if grep -q '^record = "scenarios/records/kazakhstan-2022-record.csv";' "$one/out/run/manifest.cfg" &&
	grep -q '^regions_file = "scenarios/records/kazakhstan-2022-regions.csv";' "$one/out/run/manifest.cfg"; then
	ok "the manifest names the record relative to the folder the run began in"
else
	not_ok "the manifest names the record relative to the folder the run began in" \
		"$(grep -E '^(record|regions_file)' "$one/out/run/manifest.cfg")"
fi

# The folder's scenario.cfg, run from elsewhere, is the same scenario.
mkdir "$tmp/elsewhere"
(cd "$tmp/elsewhere" && "$bin" run "$one/out/run/scenario.cfg" -r 2 -j 1 -o again) \
	>"$tmp/again" 2>&1
rc=$?
h1=$(grep '^scenario_hash' "$one/out/run/manifest.cfg")
h2=$(grep '^scenario_hash' "$tmp/elsewhere/again/manifest.cfg" 2>/dev/null)
if [ "$rc" -eq 0 ] && [ "$h1" = "$h2" ] &&
	cmp -s "$one/out/run/summary.csv" "$tmp/elsewhere/again/summary.csv"; then
	ok "a folder's scenario.cfg loads from another folder: the same hash and rows"
else
	not_ok "a folder's scenario.cfg loads from another folder: the same hash and rows" \
		"status $rc" "$h1" "$h2" "$(cat "$tmp/again")"
fi

# The content is the identity: another record under the same name is another sweep.
printf '\n' >>"$two/scenarios/records/kazakhstan-2022-record.csv"
(cd "$two" && "$bin" sweep scenarios/sweeps/located.cfg -j 1 --shard 2/2 -o out/s2b) \
	>/dev/null 2>&1
(cd "$one" && "$bin" merge -o out/mixed out/s1 "$two/out/s2b") >"$tmp/mixed" 2>&1
rc=$?
if [ "$rc" -eq 65 ] && grep -q "hold different sweeps" "$tmp/mixed" && [ ! -e "$one/out/mixed" ]; then
	ok "shards whose records differ in content are refused"
else
	not_ok "shards whose records differ in content are refused" "status $rc" "$(cat "$tmp/mixed")"
fi

tap_end
