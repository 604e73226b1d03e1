#!/usr/bin/python3
"""The validation report (docs/validation.md) and the README's counterfactual table,
from a run of a scenario that names its historical record, with one command.

  validation.py [CALIBRATION_DIR] RUN_DIR -o docs/validation.md \\
      [--convergence SWEEP_DIR | RUN_DIR... | FILE.csv] [--analytic TEST_MODEL_OR_LOG] \\
      [--sensitivity DIR [--sensitivity-figure FILE.png]] \\
      [--counterfactuals CF_RUN_DIR ...] [--readme README.md]

The record is the one the run's scenario names (scenario.record and
scenario.regions_file, found through the run's manifest.cfg: docs/record.md); a run
whose scenario names none is refused (exit 65) unless --record names one. The report
holds, in this order:

- targets: every magnitude of the record the run measures (record.py's comparison:
  participants, deaths, injured, detained by a date, regions protesting by an hour,
  troops, shutdown hours, damage): the record's value, range, grade and source, the
  model's median and 90% interval across the run's replications, and pass or miss;
- the timeline: the simulated hour of each recorded event (government actions,
  internet shutdown and return, CSTO, order restored) against the recorded hour, with
  the same rule;
- onset by region: each region's first day of protest, the model's median day
  against the recorded day; it passes within a day;
- the calibration (CALIBRATION_DIR: `unrestsim calibrate`'s folder): its targets
  (targets.csv) judged by the same rule, and the posterior (posterior_summary.csv);
  without the folder the section says that no calibration was given;
- the scale convergence (--convergence: a sweep folder over scenario.agent_scale, or
  run folders at different agent_scale; or a CSV table, shown as given): each
  quantity's median at each scale, and each coarser scale against the finest by the
  two-sample Kolmogorov-Smirnov test (Fisher's exact test for the outcome shares),
  told apart when p < 0.05; a quantity told apart at the run's own scale is a miss;
  the analytic checks (--analytic: tests/model's test_model, run with `stat`,
  or a log of it: the Granovetter fixed points and the Epstein share it prints, each
  against its analytic value with the test's tolerance 0.01), and the sensitivity
  indices (--sensitivity: a folder with sensitivity.csv, and with
  --sensitivity-figure the figure figures.py drew of it); each section says so when
  its input was not given;
- the counterfactuals (--counterfactuals: runs of the counterfactual scenarios with
  the reference's replication seeds): for each, the mean difference from the
  reference paired by replication (replication k of each run against replication k of
  the reference, which share their seed and so their random numbers), with a 90%
  percentile-bootstrap interval of that mean (2,000 resamples of the replications,
  fixed seed). With --readme, the same table replaces the part of that file between
  `<!-- BEGIN COUNTERFACTUALS -->` and `<!-- END COUNTERFACTUALS -->`;
- every miss again in one list, and the record's quantities that were not compared,
  with the reason.

Pass: the record's value lies inside the model's 90% interval (5th to 95th percentile)
and the model's median is within 25% of it. A fact the sources give only as a range or
a bound ("at least 2,000") has no value: it passes when the interval meets the range.
A row no replication measured is a miss. Misses are printed, never left out.

Exit status: 0 done, 64 usage, 65 a run lacks its files or its record, or the
counterfactual runs are not paired with the reference, 66 no such folder or file,
73 cannot write the output.

Debian packages: python3-pandas, python3-matplotlib (run with /usr/bin/python3).
"""

import math
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figures  # noqa: E402
import record  # noqa: E402
import unrestcsv as uc  # noqa: E402

# The rule of issue 11 for a target: the record inside the 90% interval and the
# median within this share of the record.
MEDIAN_TOLERANCE = 0.25
# Onset: the model's median first day within this many days of the record's.
ONSET_TOLERANCE_DAYS = 1.0
# The analytic checks' tolerance (tests/model/test_model.c: assert_near 0.01).
ANALYTIC_TOLERANCE = 0.01
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20220105
README_BEGIN = "<!-- BEGIN COUNTERFACTUALS -->"
README_END = "<!-- END COUNTERFACTUALS -->"

# The README's counterfactual columns: summary.csv column, heading, scale, digits.
CF_METRICS = [
    ("peak_active", "peak active", 1.0, 0),
    ("regions_joined", "regions joined", 1.0, 1),
    ("killed", "killed", 1.0, 0),
    ("detained", "detained", 1.0, 0),
    ("damage_usd", "damage (USD M)", 1e-6, 0),
]
CF_OUTCOMES = [("order_restored", "order restored"), ("regime_collapse", "regime collapse")]


def parse_args(argv):
    parser = uc.ArgumentParser(
        prog="validation.py",
        description="Write the validation report, and the README's counterfactual "
                    "table, from a run of a scenario with a record (and a calibration "
                    "folder, convergence table, analytic checks and sensitivity "
                    "indices when given).",
        epilog="Exit status: 64 usage, 65 missing file, column or record, or "
               "unpaired counterfactuals, 66 missing folder, 73 cannot write.")
    parser.add_argument("folders", nargs="+", metavar="[CALIBRATION_DIR] RUN_DIR",
                        help="the calibration's folder (optional) and a run of the "
                             "scenario")
    parser.add_argument("-o", "--output", default="validation.md", metavar="FILE.md",
                        help="the report to write (default %(default)s)")
    parser.add_argument("--convergence", nargs="+", metavar="PATH",
                        help="the scale convergence: a sweep folder over "
                             "scenario.agent_scale, or run folders at different "
                             "agent_scale, or a CSV table shown as given")
    parser.add_argument("--analytic", metavar="TEST_MODEL|LOG",
                        help="tests/model's test_model executable (run with `stat`) "
                             "or a log of its output")
    parser.add_argument("--sensitivity", metavar="DIR",
                        help="a folder with sensitivity.csv (unrestsim sensitivity: "
                             "Sobol indices or a Morris screening)")
    parser.add_argument("--sensitivity-figure", metavar="FILE.png",
                        help="the indices' figure (figures.py DIR --only sensitivity), "
                             "shown in the sensitivity section by its path from the "
                             "report's folder")
    parser.add_argument("--counterfactuals", nargs="+", metavar="CF_RUN_DIR",
                        default=[], help="runs of counterfactual scenarios, with the "
                                         "reference run's replication seeds")
    parser.add_argument("--readme", metavar="README.md",
                        help="write the counterfactual table between its markers in "
                             "this file")
    record.add_record_options(parser)
    args = parser.parse_args(argv)
    if len(args.folders) > 2:
        parser.error("expected [CALIBRATION_DIR] RUN_DIR, found "
                     f"{len(args.folders)} folders")
    args.calibration = args.folders[0] if len(args.folders) == 2 else None
    args.run = args.folders[-1]
    if args.sensitivity_figure and not args.sensitivity:
        parser.error("--sensitivity-figure: needs --sensitivity (the indices it draws)")
    if args.readme and not args.counterfactuals:
        parser.error("--readme: needs --counterfactuals (the runs the table is made of)")
    return args


def fmt(value, unit=""):
    return record.fmt(value, unit)


def isnan(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def judge(value, low, high, median, p5, p95, n):
    """(passed, why) by the rule in the module's docstring."""
    if not n or isnan(median):
        return False, "no replication has a value"
    if not isnan(value):
        why = []
        if not p5 <= value <= p95:
            why.append("the record is outside the 90% interval")
        off = abs(median - value)
        if off > MEDIAN_TOLERANCE * abs(value):
            share = f"{off / abs(value):.0%}" if value else "a median not 0"
            why.append(f"the median is off by {share}")
        return not why, "; ".join(why)
    lo = -math.inf if isnan(low) else low
    hi = math.inf if isnan(high) else high
    if p5 <= hi and lo <= p95:
        return True, ""
    return False, "the 90% interval misses the record's range"


def verdict(passed):
    return "pass" if passed else "**MISS**"


def record_text(value, low, high, unit=""):
    text = fmt(value, unit) if not isnan(value) else ""
    if not isnan(low) or not isnan(high):
        if isnan(high) or math.isinf(high):
            rng = f"at least {fmt(low, unit)}"
        elif low == high and not isnan(value):
            rng = ""
        else:
            rng = f"{fmt(low, unit)}–{fmt(high, unit)}"
        if rng:
            text = f"{text} ({rng})" if text else rng
    return text or "—"


def model_text(median, p5, p95, unit=""):
    if isnan(median):
        return "—"
    return f"{fmt(median, unit)} [{fmt(p5, unit)}, {fmt(p95, unit)}]"


def cell(text):
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


# --- sections --------------------------------------------------------------------------

def target_section(rows, misses):
    lines = ["| target | region | record (range) | unit | grade | source | model median "
             "[90%] | n | result |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    passed_n = total = 0
    for r in rows:
        if r["kind"] != "magnitude":
            continue
        # record.py fills an absent low/high with the value; a range-only fact keeps
        # its own bounds.
        value, low, high = r["record"], r["record_low"], r["record_high"]
        ok, why = judge(value, low, high, r["model_median"], r["model_p5"],
                        r["model_p95"], r["model_n"])
        rec = record_text(value, low, high, r["unit"])
        model = model_text(r["model_median"], r["model_p5"], r["model_p95"], r["unit"])
        total += 1
        passed_n += ok
        lines.append(f"| {r['quantity']} | {r['region'] or '—'} | {rec} | {r['unit']} "
                     f"| {r['grade'] or '—'} | {cell(r['source'])} | {model} "
                     f"| {r['model_n']}/{r['reps']} | {verdict(ok)} |")
        if not ok:
            misses.append(f"target {r['quantity']}"
                          + (f" {r['region']}" if r["region"] else "")
                          + f": record {rec}, model {model}: {why}")
    return lines + ["", f"{passed_n} of {total} targets pass."]


def timeline_section(rows, misses):
    lines = ["| event | region | recorded hour (range) | grade | model median [90%] "
             "| n | result |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    timings = sorted((r for r in rows if r["kind"] == "timing" and r["unit"] == "h"),
                     key=lambda r: (isnan(r["record"]), r["record"]
                                    if not isnan(r["record"]) else 0.0))
    passed_n = 0
    for r in timings:
        ok, why = judge(r["record"], r["record_low"], r["record_high"],
                        r["model_median"], r["model_p5"], r["model_p95"], r["model_n"])
        rec = record_text(r["record"], r["record_low"], r["record_high"])
        model = model_text(r["model_median"], r["model_p5"], r["model_p95"])
        passed_n += ok
        lines.append(f"| {r['quantity']} | {r['region'] or '—'} | {rec} "
                     f"| {r['grade'] or '—'} | {model} | {r['model_n']}/{r['reps']} "
                     f"| {verdict(ok)} |")
        if not ok:
            misses.append(f"timeline {r['quantity']}: recorded hour {rec}, model "
                          f"{model} ({r['model_n']} of {r['reps']} replications): {why}")
    return lines + ["", f"{passed_n} of {len(timings)} events pass."]


def onset_section(rows, misses):
    lines = ["| region | recorded day | grade | model median day [90%] | n | result |",
             "| --- | --- | --- | --- | --- | --- |"]
    passed_n = judged = 0
    for r in rows:
        if r["kind"] != "timing" or r["unit"] != "day":
            continue
        med, p5, p95, n = r["model_median"], r["model_p5"], r["model_p95"], r["model_n"]
        model = model_text(med, p5, p95)
        if isnan(r["record"]):
            lines.append(f"| {r['region']} | not recorded | {r['grade'] or '—'} | "
                         f"{model} | {n}/{r['reps']} | — |")
            continue
        judged += 1
        ok = bool(n) and abs(med - r["record"]) <= ONSET_TOLERANCE_DAYS
        passed_n += ok
        lines.append(f"| {r['region']} | {fmt(r['record'])} | {r['grade'] or '—'} | "
                     f"{model} | {n}/{r['reps']} | {verdict(ok)} |")
        if not ok:
            misses.append(f"onset {r['region']}: recorded day {fmt(r['record'])}, "
                          f"model {model} ({n} of {r['reps']} replications)")
    return lines + ["", f"{passed_n} of {judged} regions with a recorded day pass "
                        "(within a day)."]


def calibration_section(calibration, sources, misses):
    if not calibration:
        return ["No calibration folder was given: this report judges the run alone. "
                "Give the folder of `unrestsim calibrate` as the first argument to add "
                "its targets and posterior."]
    lines = [f"From `{os.path.basename(os.path.normpath(calibration))}` (targets.csv: "
             "the targets at the last generation's accepted parameter sets).", "",
             "| target | record (range) | grade | source | model median [90%] | result |",
             "| --- | --- | --- | --- | --- | --- |"]
    targets = figures.read_targets(calibration)
    passed_n = 0
    for _, t in targets.iterrows():
        value, low, high = (float(t[k]) for k in ("record", "low", "high"))
        med, p5, p95 = (float(t[k]) for k in ("median", "p05", "p95"))
        ok, why = judge(value, low, high, med, p5, p95, 0 if isnan(med) else 1)
        passed_n += ok
        rec = record_text(value, low, high)
        model = model_text(med, p5, p95)
        lines.append(f"| {t['target']} | {rec} | {t['grade'] or '—'} | "
                     f"{cell(sources.get(t['target'], 'not in the record'))} | {model} "
                     f"| {verdict(ok)} |")
        if not ok:
            misses.append(f"calibration target {t['target']}: record {rec}, model "
                          f"{model}: {why}")
    lines += ["", f"{passed_n} of {len(targets)} calibration targets pass.", "",
              "Posterior:", ""]
    if not uc.has_file(calibration, "posterior_summary.csv"):
        return lines + ["No posterior_summary.csv in the calibration folder."]
    path = uc.data_path(calibration, "posterior_summary.csv")
    # `unrestsim calibrate` writes p5 (docs/calibration.md); p05 is accepted too.
    low = "p5" if "p5" in uc.read_header(path) else "p05"
    summary = uc.read_csv(path, ["parameter", "median", low, "p95"], what=path,
                          text=("parameter",)).rename(columns={low: "p05"})
    lines += ["| parameter | median | 90% interval |", "| --- | --- | --- |"]
    for _, p in summary.iterrows():
        lines.append(f"| {p['parameter']} | {p['median']:.4g} | "
                     f"{p['p05']:.4g}–{p['p95']:.4g} |")
    return lines


def convergence_section(path):
    if not path:
        return ["Not given (--convergence): no scale-convergence table in this report."]
    if not os.path.isfile(path):
        raise uc.AnalysisError(f"--convergence: {path}: no such file", uc.EX_NOINPUT)
    frame = uc.read_csv(path, what=path)
    columns = list(frame.columns)
    lines = [f"From `{os.path.basename(path)}`, as given.", "",
             "| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(cell(v if isinstance(v, str) else fmt(float(v)))
                                       for v in row) + " |")
    return lines


# --- scale convergence from runs or a sweep -------------------------------------------

# The quantities the scale-convergence table compares: summary.csv column, label.
SCALE_METRICS = [
    ("peak_active", "peak active"),
    ("killed", "killed"),
    ("detained", "detained"),
    ("regions_joined", "regions joined"),
    ("peak_hour", "peak hour"),
]
SCALE_OUTCOMES = ["order_restored", "elite_prevails", "regime_collapse", "unresolved"]
SCALE_PATH = "scenario.agent_scale"
# Two samples are told apart when the two-sample test's p is below this.
SCALE_ALPHA = 0.05


def scale_groups(paths):
    """{agent_scale: summary frame} from a sweep folder over scenario.agent_scale
    (sweep.csv, one group per point) or from run folders at different scales (each
    one's summary.csv, its scale from its scenario.cfg)."""
    wanted = ["outcome"] + [c for c, _ in SCALE_METRICS]
    if len(paths) == 1 and os.path.isdir(paths[0]) and \
            uc.has_file(paths[0], "sweep.csv"):
        path = uc.data_path(paths[0], "sweep.csv")
        if SCALE_PATH not in uc.read_header(path):
            raise uc.AnalysisError(f"--convergence: {path}: expected a sweep over "
                                   f"{SCALE_PATH}, found no such column",
                                   uc.EX_DATAERR)
        frame = uc.read_csv(path, [SCALE_PATH] + wanted, what=path)
        groups = {float(k): g for k, g in frame.groupby(SCALE_PATH)}
    else:
        groups = {}
        for folder in paths:
            uc.run_folder(folder)
            scale = uc.scenario_setting(folder, "scenario", "agent_scale", None)
            if scale is None:
                raise uc.AnalysisError(f"--convergence: {folder}/scenario.cfg: expected "
                                       "scenario.agent_scale, found none", uc.EX_DATAERR)
            if scale in groups:
                raise uc.AnalysisError(f"--convergence: {folder}: expected runs at "
                                       f"different scales, found agent_scale {scale:g} "
                                       "twice", uc.EX_DATAERR)
            groups[scale] = uc.read_run(folder, "summary.csv", wanted)
    if len(groups) < 2:
        raise uc.AnalysisError("--convergence: expected runs at two scales or more, "
                               f"found {len(groups)}", uc.EX_DATAERR)
    return dict(sorted(groups.items()))


# The two tests are written here rather than taken from scipy: scipy is not among the
# packages the project installs (pandas and matplotlib, without recommends), and each
# is a few lines of a textbook formula.

def two_sample_p(a, b):
    """The two-sample Kolmogorov-Smirnov test's p, or NaN when either is empty: D, the
    largest gap between the two empirical distribution functions, and the asymptotic
    p = Q_KS((sqrt(Ne) + 0.12 + 0.11 / sqrt(Ne)) D), Ne = n m / (n + m), with
    Q_KS(x) = 2 sum_j (-1)^(j-1) exp(-2 j^2 x^2) (Stephens 1970; Press et al.,
    Numerical Recipes, 14.3), good for Ne of 4 and more: NaN below (too few
    replications to tell)."""
    import numpy as np
    a = np.sort(a.dropna().to_numpy(dtype=float))
    b = np.sort(b.dropna().to_numpy(dtype=float))
    if len(a) == 0 or len(b) == 0:
        return math.nan
    at = np.concatenate([a, b])
    d = float(np.max(np.abs(np.searchsorted(a, at, side="right") / len(a)
                            - np.searchsorted(b, at, side="right") / len(b))))
    ne = len(a) * len(b) / (len(a) + len(b))
    if ne < 4:
        return math.nan
    x = (math.sqrt(ne) + 0.12 + 0.11 / math.sqrt(ne)) * d
    if x < 0.2:
        return 1.0  # the series is 1 to double precision there
    total = sum((-1) ** (j - 1) * math.exp(-2.0 * j * j * x * x) for j in range(1, 101))
    return min(1.0, max(0.0, 2.0 * total))


def share_p(a, b):
    """Fisher's exact test's two-sided p for two shares (a and b: 0/1 per
    replication): the probability, given the margins, of every 2x2 table no more
    likely than the one observed (hypergeometric)."""
    n1, n2 = len(a), len(b)
    k1, k2 = int(a.sum()), int(b.sum())
    k = k1 + k2
    total = math.comb(n1 + n2, k)

    def prob(x):
        return math.comb(n1, x) * math.comb(n2, k - x) / total
    observed = prob(k1)
    p = sum(prob(x) for x in range(max(0, k - n2), min(k, n1) + 1)
            if prob(x) <= observed * (1 + 1e-9))
    return min(1.0, p)


def p_text(p):
    if isnan(p):
        return "—"
    return f"{p:.2g}" + (" (apart)" if p < SCALE_ALPHA else "")


def scale_text(scale):
    return f"{scale:g}"


def scale_convergence_section(paths, run_scale, misses):
    """The outputs at each agent_scale against the finest: medians (shares for the
    outcomes), and the two-sample p of each coarser scale against the finest
    (Kolmogorov-Smirnov for the quantities, Fisher's exact test for the shares). A
    quantity the finest scale tells apart from the run's own scale is a miss: the
    report's medians would move at person level."""
    groups = scale_groups(paths)
    scales = list(groups)
    finest = scales[0]
    coarse = scales[1:]
    ns = ", ".join(f"{len(groups[k])} at {scale_text(k)}" for k in scales)
    lines = [f"The outputs by persons per agent (`{SCALE_PATH}`): replications {ns}. "
             "Each coarser scale against the finest, "
             f"{scale_text(finest)}: the two-sample Kolmogorov-Smirnov p of each "
             "quantity, Fisher's exact p of each outcome's share; \"apart\" when p < "
             f"{SCALE_ALPHA}: the coarser scale's distribution can be told from the "
             "finest's; \"—\" where too few replications (n m / (n + m) < 4) to "
             "test.", ""]
    head = ["quantity"] + [f"median, {scale_text(k)}" for k in scales] + \
        [f"p, {scale_text(k)} vs {scale_text(finest)}" for k in coarse]
    lines += ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    apart = []
    for column, label in SCALE_METRICS:
        row = [label] + [fmt(float(groups[k][column].median())) for k in scales]
        for k in coarse:
            p = two_sample_p(groups[k][column], groups[finest][column])
            row.append(p_text(p))
            if not isnan(p) and p < SCALE_ALPHA:
                apart.append((k, label, p))
        lines.append("| " + " | ".join(row) + " |")
    for outcome in SCALE_OUTCOMES:
        flags = {k: (groups[k]["outcome"] == outcome).astype(float) for k in scales}
        if not any(f.sum() for f in flags.values()):
            continue
        row = [f"{outcome.replace('_', ' ')} (share)"] + \
            [f"{flags[k].mean():.0%}" for k in scales]
        for k in coarse:
            p = share_p(flags[k], flags[finest])
            row.append(p_text(p))
            if p < SCALE_ALPHA:
                apart.append((k, f"{outcome} share", p))
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    if not apart:
        lines.append("No coarser scale is told apart from the finest in any quantity.")
    else:
        lines.append("Told apart from the finest scale: " + "; ".join(
            f"{label} at {scale_text(k)} (p = {p:.2g})" for k, label, p in apart) + ".")
    if run_scale is not None and run_scale in groups and run_scale != finest:
        own = [(label, p) for k, label, p in apart if k == run_scale]
        for label, p in own:
            misses.append(f"scale convergence: {label} at the run's agent_scale "
                          f"{scale_text(run_scale)} is told apart from "
                          f"{scale_text(finest)} (p = {p:.2g})")
        lines += ["", f"The report's run is at agent_scale {scale_text(run_scale)}: "
                  + (f"{len(own)} of its quantities differ from the finest scale (listed "
                     "with the misses)." if own else "none of its quantities can be "
                     "told from the finest scale.")]
    elif run_scale is not None and run_scale not in groups:
        lines += ["", f"The report's run is at agent_scale {scale_text(run_scale)}, "
                  "which is not among the scales compared: sweep it too to judge it."]
    return lines


ANALYTIC_LINES = [
    (re.compile(r"granovetter sd ([0-9.eE+-]+): share ([0-9.eE+-]+), fixed point "
                r"([0-9.eE+-]+)"),
     lambda m: (f"Granovetter, thresholds N(0.25, {float(m.group(1)):g}): active share "
                "against the smallest fixed point of a = F(a)", float(m.group(2)),
                float(m.group(3)))),
    (re.compile(r"epstein L ([0-9.]+) T ([0-9.]+): share ([0-9.eE+-]+), expected "
                r"([0-9.eE+-]+)"),
     lambda m: (f"Epstein, L = {m.group(1)}, T = {m.group(2)}: active share against "
                "1 − T/(1 − L)", float(m.group(3)), float(m.group(4)))),
]


def analytic_checks(source):
    """[(check, model, analytic)] from test_model's output (run, or a log)."""
    if not os.path.exists(source):
        raise uc.AnalysisError(f"--analytic: {source}: no such file", uc.EX_NOINPUT)
    if os.access(source, os.X_OK) and not os.path.isdir(source):
        try:
            done = subprocess.run([source, "stat"], capture_output=True, text=True,
                                  timeout=600)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise uc.AnalysisError(f"--analytic: {source}: {err}", uc.EX_DATAERR) \
                from None
        text = done.stdout + done.stderr
    else:
        with open(source, encoding="utf-8", errors="replace") as f:
            text = f.read()
    checks = []
    for line in text.splitlines():
        for pattern, read in ANALYTIC_LINES:
            m = pattern.search(line)
            if m:
                checks.append(read(m))
    if not checks:
        raise uc.AnalysisError(f"--analytic: {source}: no Granovetter or Epstein line "
                               "(expected test_model's `stat` output)", uc.EX_DATAERR)
    return checks


def analytic_section(source, misses):
    if not source:
        return ["Not given (--analytic): run with `--analytic "
                "build/tests/model/test_model` to add the Granovetter and Epstein "
                "limits the model is held to (tests/model, docs/model.md \"Tests\")."]
    lines = ["The model in its two textbook limits (tests/model/test_model.c, "
             "docs/model.md \"Tests\"); tolerance ±0.01 of the share.", "",
             "| check | model | analytic | result |", "| --- | --- | --- | --- |"]
    checks = analytic_checks(source)
    for name, model, exact in checks:
        ok = abs(model - exact) <= ANALYTIC_TOLERANCE
        lines.append(f"| {name} | {model:.4f} | {exact:.4f} | {verdict(ok)} |")
        if not ok:
            misses.append(f"analytic {name}: model {model:.4f}, analytic {exact:.4f}")
    return lines


def index_text(value, low, high):
    """An index with its interval; "no variance" for an empty (undefined) one."""
    if math.isnan(value):
        return "no variance"
    if math.isnan(low) or math.isnan(high):
        return f"{value:.3f}"
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


def sensitivity_section(folder):
    """The indices of `unrestsim sensitivity`'s sensitivity.csv (docs/sensitivity.md):
    Sobol's S1 and ST with their intervals, or Morris's mu*, mu and sigma."""
    if not folder:
        return ["Not given (--sensitivity): no sensitivity indices in this report."]
    uc.run_folder(folder)
    path = uc.data_path(folder, "sensitivity.csv")
    if not os.path.isfile(path):
        raise uc.AnalysisError(f"--sensitivity: {folder}: no sensitivity.csv",
                               uc.EX_DATAERR)
    name = os.path.basename(path)
    if figures.sensitivity_method(path) == "sobol":
        frame = uc.read_csv(path, figures.SOBOL_COLUMNS, what=path,
                            text=("parameter", "output"))
        lines = ["First-order (S1) and total (ST) Sobol indices with their bootstrap "
                 f"intervals (`{name}`).", "",
                 "| output | parameter | S1 [interval] | ST [interval] |",
                 "| --- | --- | --- | --- |"]
        for _, r in frame.iterrows():
            lines.append(f"| {r['output']} | {r['parameter']} | "
                         f"{index_text(r['S1'], r['S1_low'], r['S1_high'])} | "
                         f"{index_text(r['ST'], r['ST_low'], r['ST_high'])} |")
        return lines
    frame = uc.read_csv(path, figures.MORRIS_COLUMNS, what=path,
                        text=("parameter", "output"))
    lines = ["Morris screening: mu* (mean |elementary effect| per unit of the range) "
             f"with its bootstrap interval, mu and sigma (`{name}`).", "",
             "| output | parameter | mu* [interval] | mu | sigma |",
             "| --- | --- | --- | --- | --- |"]
    for _, r in frame.iterrows():
        lines.append(f"| {r['output']} | {r['parameter']} | "
                     f"{index_text(r['mu_star'], r['mu_star_low'], r['mu_star_high'])} | "
                     f"{r['mu']:.4g} | {r['sigma']:.4g} |")
    return lines


def sensitivity_figure_lines(figure, output):
    """A Markdown image of the indices' figure, linked by its path from the report's
    folder (so that it shows where the report is read); refused when it is missing."""
    if not figure:
        return []
    if not os.path.isfile(figure):
        raise uc.AnalysisError(f"--sensitivity-figure: {figure}: no such file",
                               uc.EX_NOINPUT)
    link = os.path.relpath(os.path.abspath(figure),
                           os.path.dirname(os.path.abspath(output)))
    return ["", f"![The sensitivity indices with their intervals]({link})", "",
            "The same indices drawn by `analysis/figures.py DIR --only sensitivity`."]


# --- counterfactuals --------------------------------------------------------------------

def read_summary(folder):
    header = uc.read_header(uc.data_path(folder, "summary.csv"))
    wanted = ["rep", "seed", "outcome"] + [c for c, _, _, _ in CF_METRICS if c in header]
    return uc.read_run(folder, "summary.csv", wanted)


def scenario_name(folder):
    return uc.scenario_text(folder, "scenario", "name") or \
        os.path.basename(os.path.normpath(folder))


def signed(value, digits):
    """+1,234 / -5 / +0: rounded first, so that -0.04 is not printed as -0.0."""
    value = round(value, digits) + 0.0
    return f"{value:+,.{digits}f}"


def bootstrap_mean(values, rng):
    """The mean and the 5th and 95th percentiles of the bootstrap means."""
    import numpy as np
    values = np.asarray(values, dtype=float)
    n = len(values)
    picks = rng.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))
    means = values[picks].mean(axis=1)
    return float(values.mean()), float(np.quantile(means, 0.05)), \
        float(np.quantile(means, 0.95))


def paired(reference, folder, ref_name):
    """The reference's and the counterfactual's summaries, row k of one against row k
    of the other, refused unless their replications and seeds are the same."""
    other = read_summary(folder)
    ref = reference.set_index("rep")
    cf = other.set_index("rep")
    if set(ref.index) != set(cf.index) or \
            any(ref.loc[k, "seed"] != cf.loc[k, "seed"] for k in ref.index):
        raise uc.AnalysisError(
            f"{folder}: its replications are not those of {ref_name} (replication "
            "numbers or seeds differ): counterfactuals are compared replication by "
            "replication, so run them with the same -r and -s as the reference",
            uc.EX_DATAERR)
    return ref.sort_index(), cf.loc[ref.sort_index().index]


def counterfactual_table(run_dir, folders):
    import numpy as np
    reference = read_summary(run_dir)
    ref_name = scenario_name(run_dir)
    reps = len(reference)
    metrics = [m for m in CF_METRICS if m[0] in reference.columns]
    head = ["scenario"] + [h for _, h, _, _ in metrics] + [h for _, h in CF_OUTCOMES]
    lines = [f"Mean over {reps} replications for the reference; for each "
             "counterfactual, its mean difference from the reference paired by "
             "replication (same seeds), with a 90% bootstrap interval "
             f"({BOOTSTRAP_RESAMPLES} resamples). Outcomes in percentage points.", "",
             "| " + " | ".join(head) + " |",
             "| --- |" + " ---: |" * (len(head) - 1)]

    def number(value, digits):
        return f"{value:,.{digits}f}"

    row = [f"reference (`{ref_name}`)"]
    for column, _, scale, digits in metrics:
        row.append(number(reference[column].astype(float).mean() * scale, digits))
    for outcome, _ in CF_OUTCOMES:
        row.append(f"{(reference['outcome'] == outcome).mean() * 100:.1f}%")
    lines.append("| " + " | ".join(row) + " |")
    for k, folder in enumerate(folders):
        uc.run_folder(folder)
        ref, cf = paired(reference, folder, ref_name)
        rng = np.random.default_rng(BOOTSTRAP_SEED + k)
        row = [f"`{scenario_name(folder)}`"]
        for column, _, scale, digits in metrics:
            if column not in cf.columns:
                row.append("—")
                continue
            diff = (cf[column].astype(float) - ref[column].astype(float)).to_numpy() \
                * scale
            mean, lo, hi = bootstrap_mean(diff, rng)
            row.append(f"{signed(mean, digits)} [{signed(lo, digits)}, "
                       f"{signed(hi, digits)}]")
        for outcome, _ in CF_OUTCOMES:
            diff = ((cf["outcome"] == outcome).astype(float).to_numpy()
                    - (ref["outcome"] == outcome).astype(float).to_numpy()) * 100
            mean, lo, hi = bootstrap_mean(diff, rng)
            row.append(f"{signed(mean, 1)} [{signed(lo, 1)}, {signed(hi, 1)}]")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def replace_between_markers(path, body):
    """The file with the text between README_BEGIN and README_END replaced by body;
    written whole (a temporary file renamed) or not at all."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as err:
        raise uc.AnalysisError(f"--readme: {path}: {err.strerror}", uc.EX_NOINPUT) \
            from None
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        raise uc.AnalysisError(f"--readme: {path}: expected the markers {README_BEGIN} "
                               f"and then {README_END}, found "
                               + ("neither" if begin < 0 and end < 0 else
                                  "them out of order" if begin >= 0 and end >= 0 else
                                  "only one"), uc.EX_DATAERR)
    new = text[:begin + len(README_BEGIN)] + "\n" + body + "\n" + text[end:]
    write_atomic(path, new)


def write_atomic(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".validation-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as err:
        raise uc.AnalysisError(f"{path}: cannot write: {err}", uc.EX_CANTCREAT) from None


# --- the report ------------------------------------------------------------------------

def report(args):
    calibration = uc.run_folder(args.calibration) if args.calibration else None
    run_dir = uc.run_folder(args.run)
    rargs = record.parse_args([run_dir, "--format", "png"])
    rargs.record, rargs.regions, rargs.record_start = (args.record, args.regions,
                                                       args.record_start)
    run, rows, left_out = record.comparison(rargs)
    facts = uc.read_csv(rargs.record, record.RECORD_COLUMNS, what=rargs.record,
                        text=record.RECORD_TEXT)
    sources = dict(zip(facts["quantity"], facts["source"].fillna("")))
    start = rargs.record_start.isoformat()

    misses = []
    cmd = " ".join(["analysis/validation.py"] + (["CALIBRATION"] if calibration else [])
                   + ["RUN", "-o", "docs/validation.md"]
                   + (["--convergence", "SCALE_SWEEP"] if args.convergence else [])
                   + (["--analytic", "build/tests/model/test_model"]
                      if args.analytic else [])
                   + (["--sensitivity", "DIR"] if args.sensitivity else [])
                   + (["--sensitivity-figure", "FILE.png"]
                      if args.sensitivity_figure else [])
                   + (["--counterfactuals", "RUN_OF_EACH_COUNTERFACTUAL..."]
                      if args.counterfactuals else [])
                   + (["--readme", "README.md"] if args.readme else []))
    lines = [
        "# Validation against the historical record", "",
        f"The run `{os.path.basename(os.path.normpath(run_dir))}` of the scenario "
        f"`{scenario_name(run_dir)}` ({len(run.reps)} replications) against its record "
        f"`{os.path.basename(rargs.record)}`"
        + (f" and `{os.path.basename(rargs.regions)}`" if rargs.regions else "")
        + f", whose hours count from {start}. Regenerated with `{cmd}` (README.md, "
        "\"What if\", gives the runs; docs/analysis.md the options).", "",
        "Pass: the record's value lies inside the model's 90% interval (5th to 95th "
        f"percentile across replications) and the median is within "
        f"{MEDIAN_TOLERANCE:.0%} of it; a fact given only as a range or a bound passes "
        "when the interval meets it; a row no replication measured misses. Grades: A "
        "well-sourced, B single source, C uncertain (docs/record.md).", "",
        "## Targets", ""]
    lines += target_section(rows, misses)
    lines += ["", "## Timeline: actions, shutdown and CSTO against the recorded hours",
              "", f"Hours since {start}, by the same rule.", ""]
    lines += timeline_section(rows, misses)
    lines += ["", "## Onset day by region", "",
              "Days from hour 0's date in the region's own time zone; onset is the "
              f"first sample with {fmt(run.threshold)} active persons (the run's "
              "outcomes.region_active). A region passes when the model's median day "
              "is within a day of the recorded one.", ""]
    lines += onset_section(rows, misses)
    lines += ["", "## Calibration", ""] + calibration_section(calibration, sources,
                                                               misses)
    if args.convergence and not (len(args.convergence) == 1 and
                                 os.path.isfile(args.convergence[0])):
        run_scale = uc.scenario_setting(run_dir, "scenario", "agent_scale", None)
        lines += ["", "## Scale convergence", ""] + scale_convergence_section(
            args.convergence, run_scale, misses)
    else:
        lines += ["", "## Scale convergence", ""] + convergence_section(
            args.convergence[0] if args.convergence else None)
    lines += ["", "## Analytic checks", ""] + analytic_section(args.analytic, misses)
    lines += ["", "## Sensitivity", ""] + sensitivity_section(args.sensitivity) + \
        sensitivity_figure_lines(args.sensitivity_figure, args.output)
    table = None
    if args.counterfactuals:
        table = counterfactual_table(run_dir, args.counterfactuals)
        lines += ["", "## Counterfactuals", ""] + table
    lines += ["", f"## Misses ({len(misses)})", ""]
    lines += [f"- {m}" for m in misses] or ["- none"]
    lines += ["", "## Not compared", ""]
    lines += [f"- {q}: {why}" for q, why in left_out] or ["- nothing"]
    return "\n".join(lines) + "\n", table, len(misses)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    text, table, nmisses = report(args)
    # The README first: a report that says it wrote a table that is not there would lie.
    if args.readme:
        replace_between_markers(args.readme, "\n".join(table))
    write_atomic(args.output, text)
    print(f"{args.output}: {nmisses} misses"
          + (f"; {args.readme}: counterfactual table written" if args.readme else ""))
    return 0


if __name__ == "__main__":
    sys.exit(uc.run_main(main))
