#!/bin/sh
# A scenario's posterior (scenario.posterior) end to end: every bad posterior file of
# the bad-scenario corpus stops run, sweep and check with its message and status and
# writes nothing; check prints the posterior's summary; -j1 and -j2 the same bytes;
# sweeps refuse a swept column of the posterior, draw replication k's row at every
# point, and merge shards into the one machine's bytes but refuse shards run with
# another posterior under the same name. Prints TAP.
# Usage: posterior.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
. "$src/tests/common/tap.sh"

bad=$(cd "$src/tests/scenario/bad" && pwd)
minimal=$(cd "$src/scenarios" && pwd)/minimal.cfg

# ---- bad posterior files: the corpus's messages, the status, nothing written --------
count=0
for cfg in "$bad"/posterior-*.cfg; do
	name=$(basename "$cfg" .cfg)
	count=$((count + 1))
	want=$(sed -n 's/^status //p' "$bad/$name.expected")
	grep -v '^status ' "$bad/$name.expected" >"$tmp/want.err"
	for cmd in run check; do
		if [ $cmd = run ]; then
			(cd "$bad" && "$bin" run "$name.cfg" -o "$tmp/out-$name" -q)
		else
			(cd "$bad" && "$bin" check "$name.cfg")
		fi >"$tmp/got.out" 2>"$tmp/got.err" </dev/null
		got=$?
		if [ "$got" -ne "$want" ]; then
			not_ok "$cmd $name: status" "got $got, expected $want" "$(head -c 300 "$tmp/got.err")"
		elif ! cmp -s "$tmp/want.err" "$tmp/got.err"; then
			not_ok "$cmd $name: message" "got: $(head -c 300 "$tmp/got.err")" \
				"expected: $(head -c 300 "$tmp/want.err")"
		elif [ -s "$tmp/got.out" ] || [ -e "$tmp/out-$name" ]; then
			not_ok "$cmd $name: nothing written" "$(ls "$tmp")"
		else
			ok "$cmd $name: the message, status $want, nothing written"
		fi
	done
done
if [ "$count" -ge 8 ]; then ok "$count bad posterior files"; else not_ok "only $count bad posterior files"; fi

# ---- a good posterior --------------------------------------------------------------
mkdir -p "$tmp/s"
cat >"$tmp/s/post.csv" <<'CSV'
particle,agents.w_s,agents.threshold.mean,weight,distance
0,0.3,0.05,5,1.2
1,0.6,0.12,3,0.8
2,0.9,0.2,2,2.5
CSV
printf 'base = "%s";\nscenario = { posterior = "post.csv"; };\n' "$minimal" >"$tmp/s/a.cfg"

"$bin" check "$tmp/s/a.cfg" >"$tmp/check.out" 2>"$tmp/check.err"
if [ $? -eq 0 ] && grep -q '^# rows: 3$' "$tmp/check.out" &&
	grep -q '^# effective sample size: 2.6$' "$tmp/check.out" &&
	grep -q '^#   agents.w_s: 0.3 \[0.3, 0.9\]$' "$tmp/check.out" &&
	grep -q '^#   agents.threshold.mean: 0.05 \[0.05, 0.2\]$' "$tmp/check.out"; then
	ok "check prints rows, effective sample size, medians and 90% intervals"
else
	not_ok "check prints the posterior's summary" "$(tail -n 8 "$tmp/check.out")" "$(head -c 300 "$tmp/check.err")"
fi
# The printout loads again (the summary is comments) to the same scenario.
"$bin" check "$tmp/check.out" >"$tmp/check2.out" 2>&1
if cmp -s "$tmp/check.out" "$tmp/check2.out"; then
	ok "check's printout with the summary loads back to the same printout"
else
	not_ok "check's printout loads back" "$(diff "$tmp/check.out" "$tmp/check2.out" | head -n 5)"
fi

"$bin" run "$tmp/s/a.cfg" -r 12 -j 1 -o "$tmp/j1" -q && "$bin" run "$tmp/s/a.cfg" -r 12 -j 2 -o "$tmp/j2" -q
same=yes
for f in summary.csv national.csv scenario.cfg; do
	cmp -s "$tmp/j1/$f" "$tmp/j2/$f" || same="$f differs"
done
if [ "$same" = yes ] && head -n 1 "$tmp/j1/summary.csv" | grep -q ',posterior_row$'; then
	ok "run -j1 and -j2: the same bytes, with posterior_row"
else
	not_ok "run -j1 and -j2 the same bytes" "$same"
fi
if grep -q "^posterior = \"$tmp/s/post.csv\";\$" "$tmp/j1/manifest.cfg" &&
	grep -q '^posterior_checksum = "0x[0-9a-f]\{16\}";$' "$tmp/j1/manifest.cfg"; then
	ok "the manifest names the posterior and its checksum"
else
	not_ok "the manifest names the posterior" "$(head -n 12 "$tmp/j1/manifest.cfg")"
fi
# A spreadsheet's byte-order mark before the header is dropped, as the record's reader
# drops it: the same rows drawn, the same bytes but the manifest's checksum of the file
# (before, the mark was part of the first column's name, which named no setting).
mkdir -p "$tmp/bom"
printf '\357\273\277' >"$tmp/bom/post.csv"
cat "$tmp/s/post.csv" >>"$tmp/bom/post.csv"
printf 'base = "%s";\nscenario = { posterior = "post.csv"; };\n' "$minimal" >"$tmp/bom/a.cfg"
"$bin" run "$tmp/bom/a.cfg" -r 12 -o "$tmp/bom/out" -q 2>"$tmp/bom.err"
got=$?
if [ $got -eq 0 ] && cmp -s "$tmp/j1/summary.csv" "$tmp/bom/out/summary.csv"; then
	ok "a posterior with a byte-order mark: the rows of the same file without it"
else
	not_ok "a posterior with a byte-order mark" "status $got" "$(head -c 300 "$tmp/bom.err")"
fi

"$bin" run "$minimal" -r 2 -o "$tmp/plain" -q
if head -n 1 "$tmp/plain/summary.csv" | grep -q 'posterior_row'; then
	not_ok "no posterior, no posterior_row column"
else
	ok "no posterior, no posterior_row column"
fi

(cd "$tmp/s" && "$bin" run a.cfg --set agents.w_s=0.4 -o "$tmp/setclash" -q) >"$tmp/set.out" 2>"$tmp/set.err"
got=$?
if [ $got -eq 64 ] && [ "$(cat "$tmp/set.err")" = "--set agents.w_s=0.4: agents.w_s: expected a setting the scenario's posterior does not draw, found a column of post.csv" ] &&
	[ ! -e "$tmp/setclash" ]; then
	ok "--set of a posterior's column is refused (64), nothing written"
else
	not_ok "--set of a posterior's column is refused" "status $got" "$(head -c 300 "$tmp/set.err")"
fi

# A drawn setting under another name: a list item by [N] where the column says [id],
# or the other way round, names the same setting, and is refused as the column is
# (ur_posterior_column_of); a lognormal's mu where the column is its median is one
# value too, refused by the distribution's own rule (one of the two, status 65); a
# distribution's family changed under a drawn parameter leaves the rows unable to
# apply, refused at the posterior's rows (65). Nothing runs in any case.
mkdir -p "$tmp/al"
cat >"$tmp/al/post.csv" <<'CSV'
regions.[EAST].hardship,regions.[1].police,government.actions.[rollback].delay.median,weight
0.7,50,5,1
0.9,70,7,1
CSV
printf 'base = "%s";\nscenario = { horizon = 24.0; posterior = "post.csv"; };\n' "$minimal" >"$tmp/al/a.cfg"
alias_refused() {
	name=$1 want=$2 message=$3
	shift 3
	(cd "$tmp/al" && "$bin" run a.cfg "$@" -o "$tmp/al/out" -q) >"$tmp/al.out" 2>"$tmp/al.err"
	got=$?
	if [ $got -eq "$want" ] && grep -qF -- "$message" "$tmp/al.err" && [ ! -e "$tmp/al/out" ]; then
		ok "$name"
	else
		not_ok "$name" "status $got, expected $want" "$(head -c 400 "$tmp/al.err")"
	fi
	rm -rf "$tmp/al/out"
}
alias_refused "--set of a drawn [id] column by its index is refused (64)" 64 \
	"--set regions.[0].hardship=0.5: regions.[0].hardship: expected a setting the scenario's posterior does not draw, found its column regions.[EAST].hardship by another name (post.csv)" \
	--set 'regions.[0].hardship=0.5'
alias_refused "--set of a drawn [N] column by its id is refused (64)" 64 \
	"--set regions.[WEST].police=65: regions.[WEST].police: expected a setting the scenario's posterior does not draw, found its column regions.[1].police by another name (post.csv)" \
	--set 'regions.[WEST].police=65'
alias_refused "--set of a drawn action's field by its index is refused (64)" 64 \
	"found its column government.actions.[rollback].delay.median by another name" \
	--set 'government.actions.[0].delay.median=4'
alias_refused "--set of a lognormal's mu where its median is drawn is refused (65)" 65 \
	"government.actions.[0].delay.median: must not be given with mu" \
	--set 'government.actions.[rollback].delay.mu=1.5'
alias_refused "--set of a drawn distribution's family is refused at the rows (65)" 65 \
	"post.csv:2: government.actions.[rollback].delay.median: expected a value this scenario's setting takes as --set would" \
	--set 'government.actions.[rollback].delay.dist=normal' \
	--set 'government.actions.[rollback].delay.mean=5' --set 'government.actions.[rollback].delay.sd=1'
(cd "$tmp/al" && "$bin" run a.cfg --set 'regions.[0].police=45' -r 2 -o "$tmp/al/ran" -q) 2>"$tmp/al.err"
if [ -f "$tmp/al/ran/summary.csv" ]; then
	ok "a --set of a setting beside a drawn one (another region's) runs"
else
	not_ok "a setting beside a drawn one runs" "$(head -c 300 "$tmp/al.err")"
fi
cat >"$tmp/al/sweep.cfg" <<'CFG'
scenario = "a.cfg";
replications = 1;
design = "grid";
parameters = ( { path = "regions.[0].hardship"; values = [ 0.5, 0.6 ]; } );
CFG
(cd "$tmp/al" && "$bin" sweep sweep.cfg -o "$tmp/al/sw" -q) >/dev/null 2>"$tmp/al.err"
got=$?
if [ $got -eq 65 ] && grep -qF "sweep.cfg:4: regions.[0].hardship: expected a setting the scenario's posterior does not draw, found a column of post.csv, regions.[EAST].hardship, by another name" "$tmp/al.err" &&
	[ ! -e "$tmp/al/sw" ]; then
	ok "a sweep of a drawn [id] column by its index is refused at its line, nothing written"
else
	not_ok "a sweep of a drawn column by another name is refused" "status $got" "$(head -c 400 "$tmp/al.err")"
fi

"$bin" run "$src/tests/run/posterior-example.cfg" -r 4 -o "$tmp/example" -q 2>"$tmp/example.err"
if [ $? -eq 0 ] && head -n 1 "$tmp/example/summary.csv" | grep -q ',posterior_row$'; then
	ok "the example posterior runs"
else
	not_ok "the example posterior runs" "$(head -c 300 "$tmp/example.err")"
fi

# ---- sweeps --------------------------------------------------------------------------
cat >"$tmp/s/clash.cfg" <<'CFG'
scenario = "a.cfg";
replications = 2;
design = "grid";
parameters = (
  { path = "agents.sigma_fuel"; values = [ 0.3, 0.9 ]; },
  { path = "agents.w_s"; values = [ 0.2, 0.4 ]; }
);
CFG
expect_clash="$tmp/s/clash.cfg:6: agents.w_s: expected a setting the scenario's posterior does not draw, found a column of $tmp/s/post.csv (each replication takes it from its drawn row): sweep it, or leave it to the posterior"
"$bin" sweep "$tmp/s/clash.cfg" -o "$tmp/clash" -q >"$tmp/clash.out" 2>"$tmp/clash.err"
got=$?
if [ $got -eq 65 ] && [ "$(cat "$tmp/clash.err")" = "$expect_clash" ] && [ ! -e "$tmp/clash" ]; then
	ok "a sweep of a posterior's column is refused at its line, nothing written"
else
	not_ok "a sweep of a posterior's column is refused" "status $got" "$(head -c 400 "$tmp/clash.err")"
fi

cat >"$tmp/s/swept.cfg" <<'CFG'
scenario = "a.cfg";
replications = 2;
design = "grid";
parameters = ( { path = "scenario.posterior"; values = [ "post.csv", "other.csv" ]; } );
CFG
"$bin" sweep "$tmp/s/swept.cfg" -o "$tmp/swept" -q >/dev/null 2>"$tmp/swept.err"
got=$?
if [ $got -eq 65 ] && grep -q "swept.cfg:4: scenario.posterior: expected a setting other than the scenario's posterior" "$tmp/swept.err" &&
	[ ! -e "$tmp/swept" ]; then
	ok "a sweep of scenario.posterior is refused, nothing written"
else
	not_ok "a sweep of scenario.posterior is refused" "status $got" "$(head -c 300 "$tmp/swept.err")"
fi

cat >"$tmp/s/sweep.cfg" <<'CFG'
scenario = "a.cfg";
replications = 6;
design = "grid";
parameters = ( { path = "agents.sigma_fuel"; values = [ 0.3, 0.9 ]; } );
CFG
"$bin" sweep "$tmp/s/sweep.cfg" -j 1 -o "$tmp/sw1" -q && "$bin" sweep "$tmp/s/sweep.cfg" -j 2 -o "$tmp/sw2" -q
if cmp -s "$tmp/sw1/sweep.csv" "$tmp/sw2/sweep.csv" && cmp -s "$tmp/sw1/sweep_stats.csv" "$tmp/sw2/sweep_stats.csv"; then
	ok "sweep -j1 and -j2: the same bytes"
else
	not_ok "sweep -j1 and -j2 the same bytes"
fi
# Replication k's row is the same at both points, and the run's.
awk -F, 'NR > 1 { print $3 "," $NF }' "$tmp/sw1/sweep.csv" | sort -u >"$tmp/sw.rows"
awk -F, 'NR > 1 && $1 < 6 { print $1 "," $NF }' "$tmp/j1/summary.csv" | sort -u >"$tmp/run.rows"
if head -n 1 "$tmp/sw1/sweep.csv" | grep -q ',posterior_row$' &&
	[ "$(wc -l <"$tmp/sw.rows")" -eq 6 ] && cmp -s "$tmp/sw.rows" "$tmp/run.rows"; then
	ok "sweep: replication k draws the run's row k at every point"
else
	not_ok "sweep: replication k draws one row" "$(cat "$tmp/sw.rows" | head -n 8)" "run: $(cat "$tmp/run.rows" | head -n 8)"
fi

"$bin" sweep "$tmp/s/sweep.cfg" --shard 1/2 -o "$tmp/sh1" -q && "$bin" sweep "$tmp/s/sweep.cfg" --shard 2/2 -o "$tmp/sh2" -q &&
	"$bin" merge -o "$tmp/merged" "$tmp/sh1" "$tmp/sh2" 2>"$tmp/merge.err"
if cmp -s "$tmp/sw1/sweep.csv" "$tmp/merged/sweep.csv" && cmp -s "$tmp/sw1/sweep_stats.csv" "$tmp/merged/sweep_stats.csv" &&
	grep -q '^posterior_checksum' "$tmp/merged/manifest.cfg"; then
	ok "shards merged: the one machine's bytes, the posterior in the manifest"
else
	not_ok "shards merged" "$(head -c 300 "$tmp/merge.err")"
fi
# Shard 2 again with another file under the same name: merge refuses the mix.
"$bin" sweep "$tmp/s/sweep.cfg" --shard 1/2 -o "$tmp/mix1" -q
sed -i 's/^2,0.9,0.2,2,2.5$/2,0.9,0.2,1,2.5/' "$tmp/s/post.csv"
"$bin" sweep "$tmp/s/sweep.cfg" --shard 2/2 -o "$tmp/mix2" -q
"$bin" merge -o "$tmp/mixed" "$tmp/mix1" "$tmp/mix2" >/dev/null 2>"$tmp/mix.err"
got=$?
if [ $got -eq 65 ] && grep -q 'were run with different posteriors' "$tmp/mix.err" &&
	[ ! -e "$tmp/mixed/sweep.csv" ]; then
	ok "merge refuses shards run with different posteriors of one name"
else
	not_ok "merge refuses mixed posteriors" "status $got" "$(head -c 300 "$tmp/mix.err")"
fi

tap_end
