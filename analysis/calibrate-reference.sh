#!/bin/sh
# calibrate-reference.sh: a case's calibration, its posterior and its section of the
# validation report, in one command, from the top of the source tree:
#
#   analysis/calibrate-reference.sh [-C CASE] [-u UNRESTSIM] [-o DIR] [-j JOBS] [-r REPS]
#                                   [-a SCALE] [-c CALIBRATION] [-O]
#
# -O judges the scenarios as they run with their own values, not drawing from the new
# posterior: for a case whose scenario does not name its posterior (the posterior fits
# worse than the scenario's own values: see the scenario's header). The calibration
# section still shows the posterior's fit; the runs, the scale sweep, the report and
# the README's table are of the own values, and there is no second run to compare.
#
# CASE is a scenario of scenarios/ with a calibration of the same name in
# scenarios/calibration/: kazakhstan-2022 (the reference, the default) or iran-2019.
#
# 1. `unrestsim calibrate scenarios/calibration/CASE.cfg` into DIR/calibration
#    (with --resume: a killed run goes on where it stopped; the same bytes either way);
#    -c CALIBRATION runs another calibration file instead (a smaller budget, say),
#    which the README then names;
# 2. copies its posterior.csv to scenarios/posteriors/CASE.csv (the scenario names it
#    with scenario.posterior once a calibration fits the record at least as well as its
#    hand-set values: see the scenario's header), and writes its provenance beside it
#    (scenarios/posteriors/README.md for the reference, CASE.md for another case):
#    how it was made, the acceptance history and the posterior's medians and 90%
#    intervals (the posterior reader takes a plain CSV, so the provenance is beside it);
# 3. runs the scenario and each of its counterfactuals (scenarios/CASE-*.cfg) with REPS
#    replications (default 200) and the same seeds, each replication drawing its
#    parameters from the new posterior (--set scenario.posterior), into DIR/runs/NAME,
#    and the scenario once more with its own values (no posterior) into
#    DIR/runs/CASE-own-values; with -a SCALE at SCALE persons per agent
#    (scenario.agent_scale) instead of the scenario's own;
# 4. for the reference: sweeps it over scenario.agent_scale (1, 2, 5, 10 and 100
#    persons per agent: scenarios/sweeps/kazakhstan-2022-agent-scale.cfg, drawing from
#    the posterior too) into DIR/scale, for the report's scale-convergence table;
# 5. for the reference: runs the Sobol analysis
#    scenarios/sensitivity/kazakhstan-2022-sobol-quick.cfg (1,280 replications,
#    --resume after a kill) into DIR/sensitivity, and draws its indices with
#    analysis/figures.py into docs/img/validation/sensitivity.png;
# 6. regenerates the case's section of docs/validation.md (validation.py --case CASE,
#    the calibration folder first, the own-values run beside the posterior's; for the
#    reference also the scale sweep, the analytic checks, the sensitivity indices and
#    their figure) and, for a case with counterfactuals, README.md's counterfactual
#    table; another case than the reference also gets the overlap of its posterior
#    with the reference's (scenarios/posteriors/kazakhstan-2022.csv) on their shared
#    parameters.
#
# UNRESTSIM defaults to build-release/sim/unrestsim, then build/sim/unrestsim: use a
# release build (the calibration is 10,800 replications; docs/calibration.md gives its
# time). The analytic checks (the reference's section only: they are the model's, not a
# case's) come from TEST_MODEL (default: tests/model/test_model in the same build) when
# it exists. DIR defaults to out/reference for the reference, out/CASE for another.
#
# Exit status: that of the first step that fails (unrestsim's and validation.py's
# codes: docs/calibration.md, docs/analysis.md), 64 for a bad option.
set -eu

usage() {
	echo "usage: analysis/calibrate-reference.sh [-C CASE] [-u UNRESTSIM] [-o DIR] [-j JOBS] [-r REPS] [-a SCALE] [-c CALIBRATION] [-O]" >&2
	exit 64
}

reference=kazakhstan-2022
case_name=$reference
unrestsim=
out=
jobs=2
reps=200
scale=
calibration=
own_values=
while getopts C:u:o:j:r:a:c:Oh opt; do
	case $opt in
	C) case_name=$OPTARG ;;
	u) unrestsim=$OPTARG ;;
	o) out=$OPTARG ;;
	j) jobs=$OPTARG ;;
	r) reps=$OPTARG ;;
	a) scale=$OPTARG ;;
	c) calibration=$OPTARG ;;
	O) own_values=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
case $jobs$reps in *[!0-9]*) usage ;; esac
case $case_name in "" | -* | *[!A-Za-z0-9._-]*) usage ;; esac

if [ ! -f scenarios/kazakhstan-2022.cfg ] || [ ! -f analysis/validation.py ]; then
	echo "calibrate-reference.sh: run it from the top of the source tree" >&2
	exit 66
fi
if [ ! -f "scenarios/$case_name.cfg" ]; then
	echo "calibrate-reference.sh: -C $case_name: no scenarios/$case_name.cfg" >&2
	exit 66
fi
default_calibration=scenarios/calibration/$case_name.cfg
[ -n "$calibration" ] || calibration=$default_calibration
if [ ! -f "$calibration" ]; then
	echo "calibrate-reference.sh: no calibration file $calibration" >&2
	exit 66
fi
if [ -z "$out" ]; then
	if [ "$case_name" = "$reference" ]; then out=out/reference; else out=out/$case_name; fi
fi
if [ -z "$unrestsim" ]; then
	for candidate in build-release/sim/unrestsim build-rel/sim/unrestsim build/sim/unrestsim; do
		if [ -x "$candidate" ]; then unrestsim=$candidate; break; fi
	done
fi
if [ -z "$unrestsim" ] || [ ! -x "$unrestsim" ]; then
	echo "calibrate-reference.sh: no unrestsim program: build one or give -u" >&2
	exit 66
fi
test_model=${TEST_MODEL:-$(dirname "$(dirname "$unrestsim")")/tests/model/test_model}
python=/usr/bin/python3

posterior=scenarios/posteriors/$case_name.csv
if [ "$case_name" = "$reference" ]; then
	provenance=scenarios/posteriors/README.md
else
	provenance=scenarios/posteriors/$case_name.md
fi
# The command that remakes all this, as the report and the provenance name it.
remake="analysis/calibrate-reference.sh"
[ "$case_name" = "$reference" ] || remake="$remake -C $case_name"
[ "$calibration" = "$default_calibration" ] || remake="$remake -c $calibration"
[ -z "$scale" ] || remake="$remake -a $scale"
[ -z "$own_values" ] || remake="$remake -O"
cal=$out/calibration
mkdir -p "$out" scenarios/posteriors

# 1. The calibration; its wall time is part of the provenance.
echo "calibrating into $cal (-j $jobs)" >&2
start=$(date +%s)
resume=
[ -d "$cal" ] && resume=--resume
# shellcheck disable=SC2086  # $resume is empty or one word
"$unrestsim" calibrate "$calibration" -o "$cal" -j "$jobs" $resume -q || {
	rc=$?
	if [ "$rc" -eq 73 ] && [ -n "$resume" ]; then
		echo "calibrate-reference.sh: $cal holds a calibration of another file or" \
			"scenario (the model changed?): remove it, or give another -o" >&2
	fi
	exit "$rc"
}
seconds=$(($(date +%s) - start))

# 2. The posterior and its provenance.
tmp=$(mktemp "$posterior.XXXXXX")
cp "$cal/posterior.csv" "$tmp"
mv "$tmp" "$posterior"
tmp=$(mktemp "$provenance.XXXXXX")
"$python" - "$calibration" "$cal" "$posterior" "$scale" "$case_name" "$reference" \
	"$default_calibration" >"$tmp" <<'EOF'
import csv, re, sys
calibration, folder, posterior, scale, case, reference, default_file = sys.argv[1:8]
default = calibration == default_file
import os
# A file of the tree by its name there; another by its base name only.
shown = calibration if not os.path.isabs(calibration) else os.path.basename(calibration)
used = ("" if case == reference else f" -C {case}") \
    + ("" if default else f" -c {shown}") + (f" -a {scale}" if scale else "")
text = open(calibration, encoding="utf-8").read()
def setting(name):
    m = re.search(r"^\s*" + name + r"\s*=\s*([^;]+);", text, re.M)
    return m.group(1).strip() if m else "?"
history = list(csv.DictReader(open(f"{folder}/history.csv", encoding="utf-8")))
summary = list(csv.DictReader(open(f"{folder}/posterior_summary.csv", encoding="utf-8")))
targets = list(csv.DictReader(open(f"{folder}/targets.csv", encoding="utf-8")))
last = history[-1]
def num(x):
    x = float(x)
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.4g}"
if case == reference:
    intro = f"""# Posteriors

`{case}.csv` is the posterior of the reference scenario `../{case}.cfg`,
as `unrestsim calibrate` wrote it (`posterior.csv`: docs/calibration.md): {len(summary)} parameters, one row
per accepted parameter set with its weight. Whether the reference names it
(`scenario.posterior`) is said in its header: only when it fits the record better than
the scenario's own values (the reference's header and docs/calibration.md, "The
reference's posterior", give the comparison); then each replication of the reference and of every counterfactual
draws one row by its replication seed. Another case's posterior
is beside it with its own page (`CASE.csv`, `CASE.md`).
"""
else:
    intro = f"""# The posterior of {case}

`{case}.csv` is the posterior of the scenario `../{case}.cfg`, as `unrestsim
calibrate` wrote it (`posterior.csv`: docs/calibration.md): {len(summary)} parameters,
one row per accepted parameter set with its weight. Whether the scenario names it
(`scenario.posterior`) is said in the scenario's header: only when it fits the record
better than the scenario's own values (docs/validation.md, the case's section).
"""
print(intro + f"""
It was made, with the validation report, by one command from the top of the source
tree (a release build):

```
analysis/calibrate-reference.sh{used}
```

which runs `unrestsim calibrate` on {f"`{default_file}`" if default else
f"`{shown}`, the priors and targets of `{default_file}` with a smaller budget"} (seed
{setting("seed")}; {setting("particles")} particles x {setting("replications")}
replications x {setting("generations")} generations, quantile {setting("quantile")};
its priors and targets, with the reasons and sources, are in that file) and copies
the folder's `posterior.csv` here. The same file gives the same bytes on any machine
and with any number of jobs. It used {len(history)} generations,
{int(float(last["simulated_total"])):,} simulated replications in all.

## Acceptance

| generation | tolerance | accepted | acceptance | ESS |
| ---: | ---: | ---: | ---: | ---: |""")
for h in history:
    print(f"| {h['generation']} | {float(h['tolerance']):.4g} | {h['accepted']} of "
          f"{h['particles']} | {float(h['acceptance_rate']):.3f} | {float(h['ess']):.1f} |")
print("""
## Parameters

| parameter | prior | range | median | 90% interval |
| --- | --- | --- | ---: | --- |""")
for p in summary:
    print(f"| `{p['parameter']}` | {p['prior']} | {float(p['min']):.4g} to "
          f"{float(p['max']):.4g} | {float(p['median']):.4g} | "
          f"{float(p['p5']):.4g} to {float(p['p95']):.4g} |")
print("""
## Targets

The posterior predictive of each target (every replication of every accepted
parameter set, weighted): `in range` when its 90% interval holds the record's value;
`share` is the target's share of the posterior's mean distance (what the model misses
most). docs/validation.md judges 200 replications of the scenario drawing from this
file.

| target | record (range) | grade | median | 90% interval | in range | share |
| --- | --- | --- | ---: | --- | --- | ---: |""")
for t in targets:
    print(f"| `{t.get('target') or t['metric']}` | {num(t['value'])} ({num(t['low'])} to "
          f"{num(t['high'])}) | {t['grade']} | {num(t['median'])} | "
          f"{num(t['p5'])} to {num(t['p95'])} | {t['in_range']} | "
          f"{float(t['distance_share']):.3f} |")
EOF
mv "$tmp" "$provenance"
echo "calibration: $seconds s wall; posterior in $posterior" >&2

# 3. The reference and its counterfactuals, drawing from the posterior.
runs=$out/runs
mkdir -p "$runs"
# What the runs draw from: the new posterior, or (-O) nothing, the scenarios' own values.
drawn=$posterior
[ -z "$own_values" ] || drawn=
names=
for scenario in "scenarios/$case_name.cfg" "scenarios/$case_name"-*.cfg; do
	[ -f "$scenario" ] || continue # the pattern itself when nothing matches
	name=$(basename "$scenario" .cfg)
	rm -rf "${runs:?}/$name"
	# shellcheck disable=SC2086  # no --set at all without -a
	"$unrestsim" run "$scenario" -r "$reps" -j "$jobs" -q -o "$runs/$name" \
		--set "scenario.posterior=\"$drawn\"" \
		${scale:+--set scenario.agent_scale=$scale}
	[ "$name" = "$case_name" ] || names="$names $runs/$name"
done
# The scenario's own values, for the report's comparison with the posterior (an empty
# posterior: the scenario may name one).
own=$runs/$case_name-own-values
rm -rf "${own:?}"
if [ -z "$own_values" ]; then
	# shellcheck disable=SC2086  # no --set at all without -a
	"$unrestsim" run "scenarios/$case_name.cfg" -r "$reps" -j "$jobs" -q -o "$own" \
		--set 'scenario.posterior=""' ${scale:+--set scenario.agent_scale=$scale}
fi

if [ "$case_name" = "$reference" ]; then
	# 4. The scale convergence: the reference at five scales, drawing from the
	# posterior as the runs do (the sweep's points set agent_scale; -a does not apply).
	rm -rf "${out:?}/scale"
	"$unrestsim" sweep scenarios/sweeps/kazakhstan-2022-agent-scale.cfg -j "$jobs" -q \
		-o "$out/scale" --set "scenario.posterior=\"$drawn\""

	# 5. The sensitivity indices (the reference's own values: docs/sensitivity.md)
	# and their figure.
	sens=$out/sensitivity
	resume=
	[ -d "$sens" ] && resume=--resume
	# shellcheck disable=SC2086  # $resume is empty or one word
	"$unrestsim" sensitivity scenarios/sensitivity/kazakhstan-2022-sobol-quick.cfg \
		-o "$sens" -j "$jobs" $resume -q || {
		rc=$?
		if [ "$rc" -eq 73 ] && [ -n "$resume" ]; then
			echo "calibrate-reference.sh: $sens holds another analysis (the model or" \
				"the file changed?): remove it, or give another -o" >&2
		fi
		exit "$rc"
	}
	"$python" analysis/figures.py "$sens" -o docs/img/validation --only sensitivity \
		--format png >/dev/null
fi

# 6. The case's section of the report, and the README's table.
compare=
[ -n "$own_values" ] || compare="--own-values $own"
extra=
if [ "$case_name" = "$reference" ]; then
	[ -x "$test_model" ] && extra="--analytic $test_model"
	extra="$extra --convergence $out/scale --sensitivity $sens"
	extra="$extra --sensitivity-figure docs/img/validation/sensitivity.png"
else
	extra="--overlap scenarios/posteriors/$reference.csv --overlap-name $reference"
fi
[ -z "$names" ] || extra="$extra --counterfactuals $names --readme README.md"
# shellcheck disable=SC2086  # the lists are split on purpose
"$python" analysis/validation.py "$cal" "$runs/$case_name" -o docs/validation.md \
	--case "$case_name" $compare --regenerated-by "$remake" $extra
