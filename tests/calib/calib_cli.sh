#!/bin/sh
# End-to-end tests of `unrestsim calibrate` on the model (scenarios/minimal.cfg): the
# same bytes for -j 1 and -j 2; a calibration ended at steps of generation 0's folder
# writes (UNRESTSIM_FAULT=exit:N, as a kill at that instant) or by SIGTERM, then run again
# with --resume, gives the bytes of an uninterrupted one; its posterior loads in a
# scenario; aliased priors, overflowing distances and a foreign folder refused with
# nothing changed; usage errors; the shipped example's file is valid. Prints TAP.
# Usage: calib_cli.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
. "$src/tests/common/tap.sh"
# same_calibration A B: every result file and every generation's sweep files agree.
same_calibration() {
	same_files "$1" "$2" posterior.csv posterior_summary.csv history.csv targets.csv \
		scenario.cfg gen-00.cfg gen-00/sweep.csv gen-01.cfg gen-01/sweep.csv \
		gen-01/sweep_stats.csv gen-02.cfg gen-02/sweep.csv
}

minimal=$(cd "$src/scenarios" && pwd)/minimal.cfg
cat >"$tmp/c.cfg" <<EOT
scenario = "$minimal";
seed = 5;
particles = 12;
replications = 2;
generations = 3;
quantile = 0.9;          # wide: 12 particles of 2 replications are few, and the test needs 3 generations
priors = (
  { path = "agents.w_s"; dist = "uniform"; min = 0.0; max = 1.0; },
  { path = "agents.sigma_fuel"; dist = "normal"; mean = 0.6; sd = 0.2; min = 0.2; max = 1.0; }
);
targets = (
  { metric = "peak_active"; value = 15000.0; low = 10000.0; high = 20000.0; grade = "A"; },
  { metric = "detained"; value = 40.0; low = 20.0; high = 60.0; grade = "B"; }
);
EOT

status "calibrate -j 1 succeeds" 0 "$bin" calibrate "$tmp/c.cfg" -o "$tmp/j1" -j 1
check "it says what it did" grep -q '3 generations, 72 replications' "$tmp/err"
status "calibrate -j 2 succeeds" 0 "$bin" calibrate "$tmp/c.cfg" -o "$tmp/j2" -j 2 -q
check "-q prints nothing" test ! -s "$tmp/err"
check "-j 1 and -j 2 write the same bytes" same_calibration "$tmp/j1" "$tmp/j2"
check "history.csv has a row per generation" test "$(wc -l <"$tmp/j1/history.csv")" -eq 4
check "posterior.csv names the parameters by path" \
	grep -q '^particle,agents.w_s,agents.sigma_fuel,weight,distance$' "$tmp/j1/posterior.csv"
check "the weights sum to 1" sh -c "awk -F, 'NR > 1 { s += \$4 } END { exit !(s > 0.999999 && s < 1.000001) }' '$tmp/j1/posterior.csv'"
check "targets.csv has a row per target" test "$(wc -l <"$tmp/j1/targets.csv")" -eq 3
check "a generation's folder is a sweep folder that merge accepts" \
	"$bin" merge -o "$tmp/m" "$tmp/j1/gen-01"
check "and is that sweep's bytes" cmp "$tmp/m/sweep.csv" "$tmp/j1/gen-01/sweep.csv"

# The proposal's coordinates: c.cfg proposes in the values (bounded, the default); the
# same file with proposal = "logit" is as reproducible, starts from the same
# generation 0, moves the particles elsewhere from generation 1 on, and draws once a
# particle.
{ cat "$tmp/c.cfg"; echo 'proposal = "logit";'; } >"$tmp/l.cfg"
status "a logit proposal at -j 1 succeeds" 0 "$bin" calibrate "$tmp/l.cfg" -o "$tmp/l1" -j 1 -q
status "and at -j 2" 0 "$bin" calibrate "$tmp/l.cfg" -o "$tmp/l2" -j 2 -q
check "-j 1 and -j 2 write the same bytes" same_calibration "$tmp/l1" "$tmp/l2"
check "its generation 0 is the bounded proposal's" cmp "$tmp/l1/gen-00.cfg" "$tmp/j1/gen-00.cfg"
check "its generation 1 is not" sh -c "! cmp -s '$tmp/l1/gen-01.cfg' '$tmp/j1/gen-01.cfg'"
check "history.csv counts the draws" \
	grep -q '^generation,tolerance,particles,accepted,acceptance_rate,ess,replications,simulated_total,draws$' "$tmp/l1/history.csv"
check "the logit proposal draws once per particle" \
	sh -c "awk -F, 'NR > 1 && \$9 != 12 { exit 1 }' '$tmp/l1/history.csv'"

# A kill at steps of the folder writes, then --resume: the same bytes. The fault hook
# counts the steps of the first folder a process takes (generation 0's, up to about
# 70 steps here); a stop in a later generation is the SIGTERM below and test_calib's.
bad="" hits=0
for step in 3 20 40 60; do
	rm -rf "$tmp/f"
	UNRESTSIM_FAULT=exit:$step "$bin" calibrate "$tmp/c.cfg" -o "$tmp/f" -q >/dev/null 2>&1
	st=$?
	[ "$st" -eq 99 ] && hits=$((hits + 1))
	"$bin" calibrate "$tmp/c.cfg" -o "$tmp/f" -q --resume >/dev/null 2>&1 || bad="$bad $step(resume failed after $st)"
	same_calibration "$tmp/j1" "$tmp/f" >/dev/null 2>&1 || bad="$bad $step(differs after $st)"
done
[ "$hits" -eq 4 ] || bad="$bad (only $hits of the 4 steps were reached)"
if [ -z "$bad" ]; then ok "a kill at any of four write steps, then --resume: the same bytes"; else not_ok "kill and resume" "$bad"; fi
rm -rf "$tmp/lf"
UNRESTSIM_FAULT=exit:40 "$bin" calibrate "$tmp/l.cfg" -o "$tmp/lf" -q >/dev/null 2>&1
st=$?
check "a logit calibration killed at a write step (status 99)" test "$st" -eq 99
status "resumes" 0 "$bin" calibrate "$tmp/l.cfg" -o "$tmp/lf" -q --resume
check "to the bytes of the uninterrupted one" same_calibration "$tmp/l1" "$tmp/lf"

# SIGTERM: stops after a checkpoint with 143, and --resume finishes the same bytes.
cat >"$tmp/long.cfg" <<EOT
scenario = "$minimal";
seed = 5;
particles = 150;
replications = 2;
generations = 2;
priors = ( { path = "agents.w_s"; dist = "uniform"; min = 0.0; max = 1.0; } );
targets = ( { metric = "peak_active"; value = 15000.0; low = 10000.0; high = 20000.0; grade = "A"; } );
EOT
"$bin" calibrate "$tmp/long.cfg" -o "$tmp/whole" -q -j 2 2>/dev/null
"$bin" calibrate "$tmp/long.cfg" -o "$tmp/t" -q -j 2 2>"$tmp/t.err" &
pid=$!
sleep 0.5
kill -TERM "$pid"
wait "$pid"
st=$?
if [ "$st" -eq 143 ] || [ "$st" -eq 0 ]; then ok "SIGTERM stops it with 143 (or it had finished)"; else not_ok "SIGTERM" "status $st" "$(cat "$tmp/t.err")"; fi
if [ "$st" -eq 143 ]; then
	check "it says to resume" grep -q 'run the same command with --resume' "$tmp/t.err"
	check "once" test "$(grep -o 'with --resume' "$tmp/t.err" | wc -l)" -eq 1
fi
status "--resume finishes" 0 "$bin" calibrate "$tmp/long.cfg" -o "$tmp/t" -q -j 2 --resume
check "with the bytes of the uninterrupted calibration" sh -c \
	"for f in posterior.csv history.csv targets.csv gen-00/sweep.csv gen-01/sweep.csv; do cmp '$tmp/whole/'\$f '$tmp/t/'\$f || exit 1; done"

# The timing targets' source: summary.csv's region_onsets is each region's
# region_joined event of the same run (events.csv rounds hours to 9 digits), every
# joined region once; and what is observed (the sample interval, events and series
# not written) does not change it.
"$bin" run "$minimal" -r 6 -s 3 -o "$tmp/on" -q
"$bin" run "$minimal" -r 6 -s 3 -o "$tmp/on2" -q --set scenario.sample_interval=0.25 \
	--set output.events=\"none\" --set output.timeseries=false --set output.national=false
check "region_onsets holds each region_joined event's region and hour" /usr/bin/python3 -c "
import csv, sys
joined = {}
for e in csv.DictReader(open('$tmp/on/events.csv')):
    if e['event'] == 'region_joined':
        joined.setdefault(e['rep'], []).append((e['region'], float(e['hour'])))
rows = list(csv.DictReader(open('$tmp/on/summary.csv')))
assert len(rows) == 6 and sum(len(v) for v in joined.values()) > 0
for r in rows:
    pairs = [p.split('=') for p in r['region_onsets'].split(';')] if r['region_onsets'] else []
    got = [(k, float(h)) for k, h in pairs]
    want = joined.get(r['rep'], [])
    assert len(got) == int(r['regions_joined']) == len(want), (r, want)
    assert sorted(k for k, _ in got) == sorted(k for k, _ in want), (got, want)
    for k, h in got:
        w = dict(want)[k]
        assert abs(h - w) <= 1e-8 * max(1.0, w), (k, h, w)
"
check "and observing less or more often does not change it" sh -c \
	"cmp '$tmp/on/summary.csv' '$tmp/on2/summary.csv'"

# The action targets' source: summary.csv's action_hours is each `action` event of
# the same run (an action that took effect), once, in the scenario's order; an action
# that failed or never fired is absent. On the reference's own values, whose
# seventeen actions chain on triggers and on each other; what is observed does not
# change it.
reference=$(cd "$src/scenarios/calibration" && pwd)/kazakhstan-2022-own-values.cfg
"$bin" run "$reference" -r 3 -s 3 -o "$tmp/act" -q
"$bin" run "$reference" -r 3 -s 3 -o "$tmp/act2" -q --set scenario.sample_interval=0.25 \
	--set output.events=\"none\" --set output.timeseries=false --set output.national=false
check "action_hours holds each action event's id and hour" /usr/bin/python3 -c "
import csv
took = {}
for e in csv.DictReader(open('$tmp/act/events.csv')):
    if e['event'] == 'action':
        aid = dict(p.split('=') for p in e['detail'].split())['id']
        took.setdefault(e['rep'], []).append((aid, float(e['hour'])))
rows = list(csv.DictReader(open('$tmp/act/summary.csv')))
assert len(rows) == 3 and sum(len(v) for v in took.values()) > 10
for r in rows:
    pairs = [p.split('=') for p in r['action_hours'].split(';')] if r['action_hours'] else []
    got = [(k, float(h)) for k, h in pairs]
    want = took.get(r['rep'], [])
    assert sorted(k for k, _ in got) == sorted(k for k, _ in want), (got, want)
    assert len(set(k for k, _ in got)) == len(got)
    for k, h in got:
        w = dict(want)[k]
        assert abs(h - w) <= 1e-8 * max(1.0, w), (k, h, w)
"
check "and observing less or more often does not change it either" sh -c \
	"cmp '$tmp/act/summary.csv' '$tmp/act2/summary.csv'"

# The counterfactuals run with a posterior on the thresholds: the reference's
# calibration draws the triggers' when.value and hold, which no counterfactual sets
# (they edit at, delay and probability). Every scenarios/kazakhstan-2022-*.cfg runs
# drawing from such a posterior; the historical one's `at` makes the drawn `when`
# irrelevant (its actions at the record's hours), and no-address's probability 0
# removes the address whatever its threshold.
cat >"$tmp/thresholds.csv" <<EOT
government.actions.[soe_man_ala].when.value,government.actions.[soe_man_ala].when.hold,government.actions.[address_1].when.value,government.actions.[envoys_man].when.value,weight
12000,3,10000,2,1
50000,24,45000,9,1
EOT
for cf in "$src"/scenarios/kazakhstan-2022-*.cfg; do
	name=$(basename "$cf" .cfg)
	status "$name runs drawing from a posterior on the thresholds" 0 "$bin" run "$cf" -r 2 -s 3 \
		-o "$tmp/cf-$name" -q --set scenario.posterior=\"$tmp/thresholds.csv\" \
		--set output.timeseries=false --set output.national=false
done
check "the historical actions come at the record's hours whatever the drawn thresholds" /usr/bin/python3 -c "
import csv
rows = list(csv.DictReader(open('$tmp/cf-kazakhstan-2022-historical/summary.csv')))
assert sorted(r['posterior_row'] for r in rows) == ['1', '2'] or len(rows) == 2, rows
for r in rows:
    h = dict(p.split('=') for p in r['action_hours'].split(';'))
    assert float(h['soe_man_ala']) == 97.5 and float(h['address_1']) == 93.0, h
"
check "no-address has no address whatever the drawn threshold" /usr/bin/python3 -c "
import csv
rows = list(csv.DictReader(open('$tmp/cf-kazakhstan-2022-no-address/summary.csv')))
assert len(rows) == 2 and all('address_1=' not in r['action_hours'] for r in rows), rows
"

# A calibration with timing targets: regions by an hour and a region's onset, read
# from region_onsets, named in targets.csv.
cat >"$tmp/timing.cfg" <<EOT
scenario = "$minimal";
seed = 5;
particles = 8;
replications = 2;
generations = 2;
priors = ( { path = "agents.w_s"; dist = "uniform"; min = 0.0; max = 1.0; } );
targets = (
  { metric = "regions_joined"; by_hour = 1.0; value = 1.0; low = 1.0; high = 2.0; grade = "B"; },
  { metric = "onset_hour"; region = "WEST"; value = 1.5; low = 1.0; high = 2.0; grade = "B"; },
  { metric = "action_hour"; action = "rollback"; value = 7.0; low = 6.0; high = 8.0; grade = "B"; },
  { metric = "peak_active"; value = 15000.0; low = 10000.0; high = 20000.0; grade = "A"; }
);
EOT
status "a calibration with timing targets succeeds" 0 "$bin" calibrate "$tmp/timing.cfg" -o "$tmp/timing" -q
check "targets.csv names them" /usr/bin/python3 -c "
import csv
t = {r['target']: r for r in csv.DictReader(open('$tmp/timing/targets.csv'))}
assert list(t) == ['regions_joined_by_hour_1', 'onset_hour.WEST', 'action_hour.rollback', 'peak_active'], list(t)
assert float(t['regions_joined_by_hour_1']['by_hour']) == 1 and t['onset_hour.WEST']['region'] == 'WEST'
assert t['action_hour.rollback']['action'] == 'rollback' and t['onset_hour.WEST']['action'] == ''
# the rollback takes effect between hours 6 and 10 in every replication above
assert 5 < float(t['action_hour.rollback']['median']) < 12 and float(t['action_hour.rollback']['empty_share']) == 0
# every replication of minimal.cfg has EAST, then WEST, join within 2 hours (the run above)
assert 0 <= float(t['regions_joined_by_hour_1']['median']) <= 2
assert 0 < float(t['onset_hour.WEST']['median']) < 3
"

# Its posterior loads in a scenario that names it: a run draws from it.
status "a run of a scenario naming the posterior succeeds" 0 "$bin" run "$minimal" -r 2 -s 3 \
	-o "$tmp/drawn" -q --set scenario.posterior=\"$tmp/j1/posterior.csv\" \
	--set output.timeseries=false --set output.national=false

# One setting under two names (a region by index and by id): refused while the file is
# read, at the prior's line, with 65 and nothing made on disk. (Before, generation 0's
# sweep refused it after the folder, scenario.cfg and gen-00.cfg were written.)
sed 's/{ path = "agents.w_s"; dist = "uniform"; min = 0.0; max = 1.0; }/{ path = "regions.[0].police"; dist = "uniform"; min = 10.0; max = 50.0; }, { path = "regions.[EAST].police"; dist = "uniform"; min = 10.0; max = 50.0; }/' \
	"$tmp/c.cfg" >"$tmp/alias.cfg"
status "priors of one setting under two names are refused (65)" 65 \
	"$bin" calibrate "$tmp/alias.cfg" -o "$tmp/alias" -q
check "at the file's line, naming the other prior" grep -q \
	'alias.cfg:8: priors.\[1\].path: expected each setting once, got "regions.\[EAST\].police", the setting of priors.\[0\] ("regions.\[0\].police", line 8) by another name' "$tmp/err"
check "and nothing is made on disk" test ! -e "$tmp/alias"

# Every distance infinite (a scale of 1e-200 against a peak of thousands): 65 in
# generation 0, and no posterior.csv, not even the one of an earlier calibration in
# the folder. (Before: 0, with a posterior of distances inf that a scenario refused.)
cp -r "$tmp/j1" "$tmp/inf"
sed 's/value = 15000.0; low = 10000.0; high = 20000.0; grade = "A";/value = 0.0; low = 0.0; high = 0.0; scale = 1e-200; grade = "A";/' \
	"$tmp/c.cfg" >"$tmp/inf.cfg"
status "a calibration whose every distance overflows fails (65)" 65 \
	"$bin" calibrate "$tmp/inf.cfg" -o "$tmp/inf" -q
check "saying which target" grep -q "generation 0: no particle's distance is finite (the term of peak_active" "$tmp/err"
check "leaving no posterior.csv" test ! -e "$tmp/inf/posterior.csv"

# A folder that is not a calibration's: refused (73) before anything in it changes.
# (Before, the user's posterior.csv and scenario.cfg were overwritten.) A
# calibration's own folder is taken again, with --resume or without.
mkdir -p "$tmp/mine" "$tmp/mine2"
echo "my posterior" >"$tmp/mine/posterior.csv"
echo "my scenario" >"$tmp/mine/scenario.cfg"
echo "my notes" >"$tmp/mine2/notes.txt"
status "a folder of the user's posterior.csv and scenario.cfg is refused (73)" 73 \
	"$bin" calibrate "$tmp/c.cfg" -o "$tmp/mine" -q
check "saying why" grep -q "mine: not empty and not the folder of a calibration (it holds no gen-00.cfg of a calibration); refusing to write into it" "$tmp/err"
status "and with --resume (73)" 73 "$bin" calibrate "$tmp/c.cfg" -o "$tmp/mine" -q --resume
status "a folder with a file of the user's is refused (73)" 73 \
	"$bin" calibrate "$tmp/c.cfg" -o "$tmp/mine2" -q
check "naming the file" grep -q "mine2: not empty and not the folder of a calibration (it holds 'notes.txt')" "$tmp/err"
check "both folders as they were" sh -c "
	test \"\$(ls '$tmp/mine' | tr '\n' ' ')\" = 'posterior.csv scenario.cfg ' &&
	test \"\$(ls '$tmp/mine2' | tr '\n' ' ')\" = 'notes.txt ' &&
	test \"\$(cat '$tmp/mine/posterior.csv' '$tmp/mine/scenario.cfg')\" = 'my posterior
my scenario'"
status "a calibration's own folder is resumed" 0 "$bin" calibrate "$tmp/c.cfg" -o "$tmp/j1" -q --resume
status "and run again" 0 "$bin" calibrate "$tmp/c.cfg" -o "$tmp/j2" -q
check "with the same bytes" same_calibration "$tmp/j1" "$tmp/j2"

# Usage errors.
status "no file is a usage error" 64 "$bin" calibrate
status "two files are a usage error" 64 "$bin" calibrate "$tmp/c.cfg" "$tmp/c.cfg"
status "-j 0 is a usage error" 64 "$bin" calibrate "$tmp/c.cfg" -j 0
status "--shard 3/2 is a usage error" 64 "$bin" calibrate "$tmp/c.cfg" --shard 3/2
status "a missing file is 66" 66 "$bin" calibrate "$tmp/none.cfg"
status "--help succeeds" 0 "$bin" calibrate --help
check "the help names --resume" grep -q -- '--resume' "$tmp/out"

# The shipped example is a valid calibration file (its run takes a minute: not here):
# shard 1 of 10^6 runs its one unit of generation 0 and waits for the others (75).
status "the shipped example is valid" 75 "$bin" calibrate \
	"$src/scenarios/calibration/kazakhstan-2022-short.cfg" -o "$tmp/ex" --shard 1/1000000 -q
tap_end
