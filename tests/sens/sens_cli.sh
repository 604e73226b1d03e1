#!/bin/sh
# End-to-end tests of `unrestsim sensitivity` on the model (scenarios/minimal.cfg over
# 24 hours): a tiny Sobol analysis and a tiny Morris screening write their files with
# the documented columns; -j 1 and -j 2 the same bytes; shards 1..2 of 2 merged by the
# last the same bytes; a run ended at steps of its folder writes
# (UNRESTSIM_FAULT=exit:N, as a kill at that instant) or by SIGTERM, then run again
# with --resume, the bytes of an uninterrupted one, also in another copy of the tree;
# the points' folder a sweep folder that merge accepts; bad files (status 65 with
# FILE:LINE: PATH: messages, 66) and usage errors (64). Prints TAP for meson. (The shipped examples are checked by
# test_sens: loading their 2,560 points' scenarios takes long under sanitizers.)
# Usage: sens_cli.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
. "$src/tests/common/tap.sh"
# same_analysis A B: every file of the analysis and of its points' sweep agrees.
same_analysis() {
	same_files "$1" "$2" sensitivity.csv points.csv points.cfg scenario.cfg \
		points/sweep.csv points/sweep_stats.csv points/sweep.cfg
}

minimal=$(cd "$src/scenarios" && pwd)/minimal.cfg
cat >"$tmp/short.cfg" <<EOT
base = "$minimal";
scenario = { horizon = 24.0; };
EOT
cat >"$tmp/s.cfg" <<EOT
scenario = "short.cfg";
seed = 5;
method = "sobol";
samples = 8;
replications = 2;
bootstrap = 200;
parameters = (
  { path = "agents.w_s"; min = 0.2; max = 0.8; },
  { path = "agents.sigma_fuel"; dist = "loguniform"; min = 0.2; max = 1.0; },
  { path = "agents.threshold.mean"; min = 0.05; max = 0.2; }
);
outputs = [ "peak_active", "detained", "outcome.order_restored" ];
EOT
sed -e 's/"sobol"/"morris"/' -e 's/samples = 8;/samples = 6;\nlevels = 4;/' \
	"$tmp/s.cfg" >"$tmp/m.cfg"

status "sensitivity -j 1 succeeds" 0 "$bin" sensitivity "$tmp/s.cfg" -o "$tmp/j1" -j 1
check "it says what it did" grep -q '40 points, 80 replications' "$tmp/err"
status "sensitivity -j 2 succeeds" 0 "$bin" sensitivity "$tmp/s.cfg" -o "$tmp/j2" -j 2 -q
check "-q prints nothing" test ! -s "$tmp/err"
check "-j 1 and -j 2 write the same bytes" same_analysis "$tmp/j1" "$tmp/j2"
check "sensitivity.csv has Sobol's columns" \
	grep -qx 'parameter,output,S1,S1_low,S1_high,ST,ST_low,ST_high' "$tmp/j1/sensitivity.csv"
check "a row per parameter and output" test "$(wc -l <"$tmp/j1/sensitivity.csv")" -eq 10
check "peak_active has indices (it varies with the threshold)" \
	grep -q '^agents.threshold.mean,peak_active,[-0-9.e]\+,' "$tmp/j1/sensitivity.csv"
check "points.csv: a row per point, A, B and AB rows" sh -c "
	test \$(wc -l <'$tmp/j1/points.csv') -eq 41 &&
	grep -q '^0,0,A,,' '$tmp/j1/points.csv' && grep -q '^1,0,B,,' '$tmp/j1/points.csv' &&
	grep -q '^3,0,AB,agents.sigma_fuel,' '$tmp/j1/points.csv'"
check "an outcome output is a share of the replications (0, 0.5 or 1)" sh -c \
	"awk -F, 'NR > 1 && \$10 != 0 && \$10 != 0.5 && \$10 != 1 { bad = 1 } END { exit bad }' '$tmp/j1/points.csv'"
check "the points' folder is a sweep folder that merge accepts" \
	"$bin" merge -o "$tmp/mg" "$tmp/j1/points"
check "and is that sweep's bytes" cmp "$tmp/mg/sweep.csv" "$tmp/j1/points/sweep.csv"
# A point reproduces unrestsim run with its settings and the seed (common random
# numbers): point 1's first replication.
set -- $(awk -F, 'NR == 3 { print $5, $6, $7 }' "$tmp/j1/points.csv")
"$bin" run "$tmp/j1/scenario.cfg" -s 5 -r 2 -o "$tmp/p1" --set "agents.w_s=$1" \
	--set "agents.sigma_fuel=$2" --set "agents.threshold.mean=$3" 2>/dev/null
check "a point is unrestsim run with its settings and seed" sh -c "
	a=\$(awk -F, 'NR == 2 { print \$2 }' '$tmp/p1/summary.csv')
	b=\$(awk -F, '\$1 == 1 && \$5 == 0 { print \$6 }' '$tmp/j1/points/sweep.csv')
	test -n \"\$a\" && test \"\$a\" = \"\$b\""

# A folder of the user's: refused (73) before anything in it changes, as run and sweep
# refuse one. (Before, its scenario.cfg and points.csv were overwritten and the
# analysis mixed into it.) A folder of an analysis is taken again, as above.
mkdir -p "$tmp/mine" "$tmp/mine2"
echo "my notes" >"$tmp/mine/notes.txt"
echo "my scenario" >"$tmp/mine/scenario.cfg"
echo "my points" >"$tmp/mine2/points.csv"
echo "my scenario" >"$tmp/mine2/scenario.cfg"
status "a folder with a file of the user's is refused (73)" 73 \
	"$bin" sensitivity "$tmp/s.cfg" -o "$tmp/mine" -q
check "saying which file" grep -q "mine: not empty and not the folder of a sensitivity analysis (it holds 'notes.txt')" "$tmp/err"
status "a folder of the user's scenario.cfg and points.csv is refused (73)" 73 \
	"$bin" sensitivity "$tmp/s.cfg" -o "$tmp/mine2" -q
check "both folders as they were" sh -c "
	test \"\$(ls '$tmp/mine' | tr '\n' ' ')\" = 'notes.txt scenario.cfg ' &&
	test \"\$(ls '$tmp/mine2' | tr '\n' ' ')\" = 'points.csv scenario.cfg ' &&
	test \"\$(cat '$tmp/mine2/points.csv' '$tmp/mine/scenario.cfg')\" = 'my points
my scenario'"

# Shards: the first waits (75), the second merges and computes.
status "shard 1 of 2 waits for the other (75)" 75 "$bin" sensitivity "$tmp/s.cfg" -o "$tmp/sh" --shard 1/2 -q
status "shard 2 of 2 merges and finishes" 0 "$bin" sensitivity "$tmp/s.cfg" -o "$tmp/sh" --shard 2/2 -q
check "the shards write the bytes of one machine" same_analysis "$tmp/j1" "$tmp/sh"

# A kill at steps of the folder writes, then --resume: the same bytes.
bad="" hits=0
for step in 3 15 30; do
	rm -rf "$tmp/f"
	UNRESTSIM_FAULT=exit:$step "$bin" sensitivity "$tmp/s.cfg" -o "$tmp/f" -q >/dev/null 2>&1
	st=$?
	[ "$st" -eq 99 ] && hits=$((hits + 1))
	[ -e "$tmp/f/sensitivity.csv" ] && [ "$st" -ne 0 ] && bad="$bad $step(results written after $st)"
	"$bin" sensitivity "$tmp/s.cfg" -o "$tmp/f" -q --resume >/dev/null 2>&1 || bad="$bad $step(resume failed after $st)"
	same_analysis "$tmp/j1" "$tmp/f" >/dev/null 2>&1 || bad="$bad $step(differs after $st)"
done
[ "$hits" -eq 3 ] || bad="$bad (only $hits of the 3 steps were reached)"
if [ -z "$bad" ]; then ok "a kill at any of three write steps, then --resume: the same bytes"; else not_ok "kill and resume" "$bad"; fi

# Another analysis: refused with --resume before anything is written; replacing
# without --resume removes the old indices first, so a kill leaves none that look whole.
cp -R "$tmp/j1" "$tmp/other"
status "--resume into another analysis's folder is refused (73)" 73 \
	"$bin" sensitivity "$tmp/m.cfg" -o "$tmp/other" -q --resume
check "naming the folder" grep -q 'holds another analysis' "$tmp/err"
check "and leaves it as it was" same_analysis "$tmp/j1" "$tmp/other"
UNRESTSIM_FAULT=exit:3 "$bin" sensitivity "$tmp/m.cfg" -o "$tmp/other" -q >/dev/null 2>&1
check "a replacing analysis killed leaves no old indices" test ! -e "$tmp/other/sensitivity.csv"

# One analysis in two checkouts: a scenario that names a file (here a posterior) prints
# that file's absolute path in scenario.cfg, which differs between two copies of the
# tree; the analysis's identity is the file's content (ur_scenario_text_fold, as for a
# sweep: tests/sweep/checkouts.sh). A folder killed in one resumes in the other to the
# bytes of an uninterrupted analysis; a posterior with other bytes is another analysis,
# refused.
for c in one deeper/still/two; do
	mkdir -p "$tmp/$c"
	printf 'agents.w_g,weight\n0.9,1\n1.1,1\n' >"$tmp/$c/post.csv"
	cat >"$tmp/$c/located.cfg" <<EOT
base = "$minimal";
scenario = { horizon = 24.0; posterior = "post.csv"; };
EOT
	sed 's/"short.cfg"/"located.cfg"/' "$tmp/s.cfg" >"$tmp/$c/s.cfg"
done
status "an analysis of a scenario with a posterior succeeds" 0 \
	"$bin" sensitivity "$tmp/one/s.cfg" -o "$tmp/one/whole" -q
# Killed in one checkout part way through its points (a write step of the points'
# sweep), then resumed in the other.
UNRESTSIM_FAULT=exit:15 "$bin" sensitivity "$tmp/one/s.cfg" -o "$tmp/one/out" -q \
	>/dev/null 2>&1
check "(the kill left no indices)" test ! -e "$tmp/one/out/sensitivity.csv"
cp -R "$tmp/one/out" "$tmp/deeper/still/two/out"
status "a folder killed in one checkout resumes in another" 0 \
	"$bin" sensitivity "$tmp/deeper/still/two/s.cfg" -o "$tmp/deeper/still/two/out" -q --resume
check "to the uninterrupted analysis's indices, points and sweep" sh -c "
	for f in sensitivity.csv points.csv points.cfg points/sweep.csv points/sweep_stats.csv; do
		cmp '$tmp/one/whole/'\$f '$tmp/deeper/still/two/out/'\$f || exit 1
	done"
printf 'agents.w_g,weight\n0.9,1\n1.2,1\n' >"$tmp/deeper/still/two/post.csv"
status "a posterior with other bytes is another analysis (73)" 73 \
	"$bin" sensitivity "$tmp/deeper/still/two/s.cfg" -o "$tmp/deeper/still/two/out" -q --resume

# SIGTERM: stops after a checkpoint with 143, and --resume finishes the same bytes.
sed -e 's/samples = 8;/samples = 30;/' -e 's/"short.cfg"/"'"$(printf '%s' "$minimal" | sed 's/[\/&]/\\&/g')"'"/' \
	"$tmp/s.cfg" >"$tmp/long.cfg"
"$bin" sensitivity "$tmp/long.cfg" -o "$tmp/whole" -q -j 2 2>/dev/null
"$bin" sensitivity "$tmp/long.cfg" -o "$tmp/t" -q -j 2 2>"$tmp/t.err" &
pid=$!
# The signal once the points' sweep has begun (its folder exists), well before its
# 300 replications end (about 0.5 s in a release build, minutes under sanitizers).
i=0
while [ ! -d "$tmp/t/points" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.1
kill -TERM "$pid"
wait "$pid"
st=$?
if [ "$st" -eq 143 ] || [ "$st" -eq 0 ]; then ok "SIGTERM stops it with 143 (or it had finished)"; else not_ok "SIGTERM" "status $st" "$(cat "$tmp/t.err")"; fi
if [ "$st" -eq 143 ]; then
	check "it says to resume" grep -q 'run the same command with --resume' "$tmp/t.err"
	check "and writes no indices" test ! -e "$tmp/t/sensitivity.csv"
fi
status "--resume finishes" 0 "$bin" sensitivity "$tmp/long.cfg" -o "$tmp/t" -q -j 2 --resume
check "with the bytes of the uninterrupted analysis" same_analysis "$tmp/whole" "$tmp/t"

# Morris.
status "a Morris screening succeeds" 0 "$bin" sensitivity "$tmp/m.cfg" -o "$tmp/m1" -q
status "and with -j 2" 0 "$bin" sensitivity "$tmp/m.cfg" -o "$tmp/m2" -q -j 2
check "-j 1 and -j 2 write the same bytes (Morris)" same_analysis "$tmp/m1" "$tmp/m2"
check "sensitivity.csv has Morris's columns" \
	grep -qx 'parameter,output,mu_star,mu_star_low,mu_star_high,mu,sigma' "$tmp/m1/sensitivity.csv"
check "points.csv: 6 trajectories of 4 points, one parameter moved a step" sh -c "
	test \$(wc -l <'$tmp/m1/points.csv') -eq 25 &&
	grep -q '^0,0,0,,' '$tmp/m1/points.csv' && grep -q '^23,5,3,agents\.' '$tmp/m1/points.csv'"
check "mu* >= |mu| in every row" sh -c \
	"awk -F, 'NR > 1 && \$3 != \"\" && \$3 + 1e-9 < (\$6 < 0 ? -\$6 : \$6) { bad = 1 } END { exit bad }' '$tmp/m1/sensitivity.csv'"

# Bad files and usage.
cat >"$tmp/bad.cfg" <<EOT
scenario = "short.cfg";
seed = 5;
method = "sobol";
sample = 8;
replications = 2;
parameters = ( { path = "agents.w_s"; min = 0.8; max = 0.2; } );
outputs = [ "peak_active", "csto_request_hour" ];
EOT
status "a bad file is 65" 65 "$bin" sensitivity "$tmp/bad.cfg" -o "$tmp/bad"
check "naming the misspelt setting with a suggestion" \
	grep -q 'bad.cfg:4: sample: unknown setting (did you mean "samples"?)' "$tmp/err"
check "the bounds" grep -q 'bad.cfg:6: parameters.\[0\].max: expected a number > min, got 0.2' "$tmp/err"
check "the output that may be empty" grep -q 'bad.cfg:7: outputs.\[1\]: expected a metric every replication has' "$tmp/err"
check "and nothing is written" test ! -e "$tmp/bad"
printf 'scenario = "none.cfg";\nseed = 1;\nmethod = "morris";\nsamples = 4;\nreplications = 1;\nparameters = ( { path = "agents.w_s"; min = 0.1; max = 0.9; } );\noutputs = [ "killed" ];\n' >"$tmp/noscen.cfg"
status "a missing scenario is 66" 66 "$bin" sensitivity "$tmp/noscen.cfg" -o "$tmp/bad"
status "a missing file is 66" 66 "$bin" sensitivity "$tmp/none.cfg"
printf 'seed = 1;\nmethod = "sobol";\n' >"$tmp/syntax.cfg"
printf 'samples = 4\n' >>"$tmp/syntax.cfg"
status "a syntax error is 65" 65 "$bin" sensitivity "$tmp/syntax.cfg" -o "$tmp/bad"
status "no file is a usage error" 64 "$bin" sensitivity
status "two files are a usage error" 64 "$bin" sensitivity "$tmp/s.cfg" "$tmp/m.cfg"
status "-j 0 is a usage error" 64 "$bin" sensitivity "$tmp/s.cfg" -j 0
status "--shard 3/2 is a usage error" 64 "$bin" sensitivity "$tmp/s.cfg" --shard 3/2
status "an unknown option is a usage error" 64 "$bin" sensitivity "$tmp/s.cfg" --samples 4
status "--help succeeds" 0 "$bin" sensitivity --help
check "the help names the methods" grep -q 'Morris' "$tmp/out"
status "unrestsim --help lists the command" 0 "$bin" --help
check "as sensitivity" grep -q '^  sensitivity ' "$tmp/out"

tap_end
