#!/usr/bin/python3
"""One setting at a time: the ±10% table of docs/model.md, "Sensitivity".

Moves each decision setting (agents.w_g, w_s, w_n, legitimacy and the threshold's
median, or its mean for a normal threshold) by ±STEP (10%) around the scenario's own
value, and the state's strength (security.police_scale, arrests.probability) by
±10% and ±20%, each alone, in one `unrestsim sweep` with common random numbers
(replication k has the same seed at every point, docs/sweeps.md), and writes:

- per setting, the median national peak at each end and its ratio to the scenario's
  own (with a 90% paired bootstrap interval), the elasticity
  d ln(median peak) / d ln(setting) = ln(peak_high / peak_low) / ln(high / low), the
  change of the mean killed (with its paired standard error) and the share of
  replications where order is restored;
- for police and arrests, the share of order restored at 0.8, 0.9, 1, 1.1 and 1.2
  times the setting and each step's paired change with its standard error (sd of the
  replications' differences of the 0/1 outcome over sqrt(n)); a step that falls by
  more than two standard errors is marked.

The values are read from `unrestsim check SCENARIO` each time, so the command reruns
unchanged after the model or its hand fit moves. A scenario that names a posterior
refuses a sweep of a setting the posterior draws (unrestsim exits 65): give its
own-values twin, the scenario with `scenario.posterior = ""` (the reference's is
scenarios/calibration/kazakhstan-2022-own-values.cfg):

  analysis/one_at_a_time.py scenarios/calibration/kazakhstan-2022-own-values.cfg \\
      -o out/oat --unrestsim build-rel/sim/unrestsim -r 200 -j 2

OUT holds the sweep file made (one-at-a-time.cfg), the sweep's folder (sweep/:
sweep.csv, sweep_stats.csv, manifest.cfg), and the tables: table.md (Markdown, as
docs/model.md prints it) and table.csv. A sweep folder already there is refused
(73) unless --resume is given (`unrestsim sweep --resume`: a killed measurement goes
on; use it only with the program that began it, since the sweep's hash covers the
scenario's text and not the model's code); --no-run reads OUT/sweep as it is. A ratio of the median peak of 2 or
more (or 1/2 or less) is marked as a knife edge.

Exit status: 0 done, 64 usage, 65 a scenario or folder the script cannot read,
66 no such scenario or folder, 70 the sweep failed, 73 cannot write OUT.

Standard library only (run with /usr/bin/python3).
"""

import csv
import math
import os
import random
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unrestcsv as uc  # noqa: E402

# The decision settings moved by ±step: (group, setting) in `unrestsim check`'s output.
DECISION = [("agents", "w_g"), ("agents", "w_s"), ("agents", "w_n"),
            ("agents", "legitimacy"), ("agents", "threshold")]
# The state's strength: order restored should not fall as these rise.
RESPONSE = [("security", "police_scale"), ("arrests", "probability")]
RESPONSE_FACTORS = [0.8, 0.9, 1.1, 1.2]
BOOTSTRAP = 1000
BOOTSTRAP_SEED = 20220105


def group_text(text, group):
    """The body of a top-level group `GROUP = { ... };` of check's output."""
    m = re.search(r"^" + re.escape(group) + r" = \{\n(.*?)^\};", text, re.M | re.S)
    if not m:
        raise uc.AnalysisError(f"the resolved scenario has no group {group}")
    return m.group(1)


def setting_of(text, group, name):
    """(path for --set, value) of a setting in the resolved scenario's text."""
    body = group_text(text, group)
    if name == "threshold":
        m = re.search(r"^  threshold = \{ dist = \"(\w+)\";(.*?)\};", body, re.M)
        if not m:
            raise uc.AnalysisError("the resolved scenario has no agents.threshold")
        key = {"lognormal": "median", "normal": "mean"}.get(m.group(1))
        if key is None:
            raise uc.AnalysisError(f"agents.threshold: expected a lognormal or normal "
                                   f"law, found {m.group(1)}")
        v = re.search(r"\b" + key + r" = ([-+0-9.eE]+);", m.group(2))
        return f"agents.threshold.{key}", float(v.group(1))
    m = re.search(r"^  " + re.escape(name) + r" = ([-+0-9.eE]+);", body, re.M)
    if not m:
        raise uc.AnalysisError(f"the resolved scenario has no {group}.{name}")
    return f"{group}.{name}", float(m.group(1))


def number(v):
    """A value as the sweep file takes it: the shortest text, always a real."""
    t = repr(round(v, 12))
    return t if ("." in t or "e" in t) else t + ".0"


def make_sweep(args, out):
    cmd = [args.unrestsim, "check", args.scenario]
    for s in args.set:
        cmd += ["--set", s]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as err:
        raise uc.AnalysisError(f"{args.unrestsim}: {err.strerror}", uc.EX_NOINPUT) from None
    if res.returncode != 0:
        raise uc.AnalysisError(f"unrestsim check failed: {res.stderr.strip()}",
                               res.returncode if res.returncode in (65, 66) else 65)
    base = [setting_of(res.stdout, g, n) for g, n in DECISION + RESPONSE]
    paths = [p for p, _ in base]
    values = [v for _, v in base]
    points = [list(values)]
    for i, (g, n) in enumerate(DECISION + RESPONSE):
        factors = RESPONSE_FACTORS if (g, n) in RESPONSE else [1 - args.step, 1 + args.step]
        for f in factors:
            p = list(values)
            p[i] = values[i] * f
            points.append(p)
    lines = [
        "# One setting at a time around the scenario's own values (made by",
        "# analysis/one_at_a_time.py; point 0 is the scenario's own values, each other",
        "# point moves one setting).",
        f"scenario = \"{os.path.abspath(args.scenario)}\";",
        f"replications = {args.replications};",
    ]
    if args.seed is not None:
        seed = args.seed if args.seed.isdigit() else f"\"{args.seed}\""
        lines.append(f"seed = {seed};")
    lines += ["design = \"list\";",
              "parameters = [ " + ", ".join(f"\"{p}\"" for p in paths) + " ];",
              "points = ("]
    lines += ["  ( " + ", ".join(number(v) for v in p) + " )" +
              ("," if k + 1 < len(points) else "") for k, p in enumerate(points)]
    lines.append(");")
    path = os.path.join(out, "one-at-a-time.cfg")
    uc.write_text(path, "\n".join(lines) + "\n")
    return path


def run_sweep(args, out, sweep_file):
    folder = os.path.join(out, "sweep")
    cmd = [args.unrestsim, "sweep", sweep_file, "-o", folder, "-j", str(args.jobs), "-q"]
    for s in args.set:
        cmd += ["--set", s]
    if os.path.exists(folder):
        if not args.resume:
            # The sweep's hash covers the scenario's text, not the program: a folder
            # made before the model changed would be "resumed" and its old table shown.
            raise uc.AnalysisError(f"{folder} exists: give --resume to finish that sweep "
                                   "(only with the same program), or a new -o",
                                   uc.EX_CANTCREAT)
        cmd.append("--resume")
    print(" ".join(cmd), file=sys.stderr)
    res = subprocess.run(cmd, check=False)
    if res.returncode == 73 and "--resume" in cmd:
        raise uc.AnalysisError(f"{folder} holds another sweep (the scenario, its values or "
                               "the options changed): give a new -o", uc.EX_CANTCREAT)
    if res.returncode != 0:
        raise uc.AnalysisError(f"the sweep failed (status {res.returncode})", uc.EX_SOFTWARE)


def read_points(folder):
    """point -> (its parameter values, its rows sorted by replication), and the paths."""
    path = os.path.join(folder, "sweep.csv")
    if not os.path.isdir(folder):
        raise uc.AnalysisError(f"{folder}: no such folder", uc.EX_NOINPUT)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as err:
        raise uc.AnalysisError(f"{path}: {err.strerror}") from None
    if not rows:
        raise uc.AnalysisError(f"{path}: no rows")
    header = list(rows[0].keys())
    need = ["point", "rep", "outcome", "peak_active", "killed"]
    missing = [c for c in need if c not in header]
    if missing:
        raise uc.AnalysisError(f"{path}: missing column(s) {', '.join(missing)}")
    paths = header[1:header.index("rep")]
    points = {}
    try:
        for r in rows:
            k = int(r["point"])
            vals = tuple(float(r[p]) for p in paths)
            entry = points.setdefault(k, (vals, {}))
            if entry[0] != vals:
                raise uc.AnalysisError(f"{path}: point {k} has two sets of values")
            entry[1][int(r["rep"])] = (float(r["peak_active"]), float(r["killed"]),
                                       r["outcome"] == "order_restored")
    except ValueError as err:
        raise uc.AnalysisError(f"{path}: {err}") from None
    if 0 not in points:
        raise uc.AnalysisError(f"{path}: no point 0 (the scenario's own values)")
    return paths, points


def paired(base, other, key):
    """Mean and standard error of the replications' differences other - base of key."""
    reps = sorted(set(base) & set(other))
    d = [float(key(other[k])) - float(key(base[k])) for k in reps]
    if len(d) < 2:
        return (d[0] if d else math.nan), math.nan
    return statistics.fmean(d), statistics.stdev(d) / math.sqrt(len(d))


def median_ratio_interval(base, other, rng):
    """90% interval of median(other peak) / median(base peak), replications resampled
    in pairs (common random numbers keep them paired)."""
    reps = sorted(set(base) & set(other))
    ratios = []
    for _ in range(BOOTSTRAP):
        pick = [reps[rng.randrange(len(reps))] for _ in reps]
        mb = statistics.median(base[k][0] for k in pick)
        mo = statistics.median(other[k][0] for k in pick)
        ratios.append(mo / mb if mb > 0 else math.inf)
    ratios.sort()
    return ratios[int(0.05 * (BOOTSTRAP - 1))], ratios[int(math.ceil(0.95 * (BOOTSTRAP - 1)))]


def median_peak(reps):
    return statistics.median(r[0] for r in reps.values())


def restored_share(reps):
    return sum(r[2] for r in reps.values()) / len(reps)


def fmt_int(x):
    return f"{x:,.0f}".replace("-", "−")


def fmt_signed(x, digits=1):
    return f"{x:+,.{digits}f}".replace("-", "−")


def tables(paths, points):
    base_vals, base = points[0]
    rng = random.Random(BOOTSTRAP_SEED)
    by_path = {p: [] for p in paths}
    for k in sorted(points):
        if k == 0:
            continue
        vals, reps = points[k]
        moved = [i for i, p in enumerate(paths) if vals[i] != base_vals[i]]
        if len(moved) != 1:
            raise uc.AnalysisError(f"point {k} moves {len(moved)} settings, not one")
        i = moved[0]
        by_path[paths[i]].append((vals[i], reps))
    b_peak = median_peak(base)
    b_killed = statistics.fmean(r[1] for r in base.values())
    b_restored = restored_share(base)
    n = len(base)
    md = []
    md.append("| setting, low / high | median peak, low | median peak, high | "
              "elasticity | mean killed, low / high (paired se) | order restored, "
              "low / high |")
    md.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    md.append(f"| (own values) | {fmt_int(b_peak)} | | | {b_killed:,.1f} | "
              f"{100 * b_restored:.1f}% |")
    rows = [["path", "value", "factor", "replications", "median_peak", "ratio",
             "ratio_p5", "ratio_p95", "mean_killed", "killed_change", "killed_change_se",
             "order_restored", "order_restored_change", "order_restored_change_se"]]
    rows.append(["", "", "1", str(n), repr(b_peak), "1", "", "", repr(b_killed), "0", "",
                 repr(b_restored), "0", ""])
    knife = []
    for p_i, path in enumerate(paths):
        cases = sorted(by_path[path], key=lambda c: c[0])
        if not cases:
            continue
        stats = []
        for v, reps in cases:
            peak = median_peak(reps)
            lo, hi = median_ratio_interval(base, reps, rng)
            dk, dk_se = paired(base, reps, lambda r: r[1])
            dr, dr_se = paired(base, reps, lambda r: r[2])
            share = restored_share(reps)
            ratio = peak / b_peak if b_peak > 0 else math.inf
            stats.append((v, peak, ratio, lo, hi, dk, dk_se, share, dr, dr_se, len(reps)))
            rows.append([path, repr(v), repr(round(v / base_vals[p_i], 12)), str(len(reps)),
                         repr(peak), repr(ratio), repr(lo), repr(hi),
                         repr(statistics.fmean(r[1] for r in reps.values())), repr(dk),
                         repr(dk_se), repr(share), repr(dr), repr(dr_se)])
            if ratio >= 2 or ratio <= 0.5:
                knife.append(f"{path} = {v:g}: median peak {ratio:.2f}x the own value's")
        # The ±step ends for the decision settings; the nearest pair around the own
        # value for police and arrests (their ±10%), so that every row is alike.
        below = [s for s in stats if s[0] < base_vals[p_i]]
        above = [s for s in stats if s[0] > base_vals[p_i]]
        if not below or not above:
            continue
        low, high = below[-1], above[0]
        el = (math.log(high[1] / low[1]) / math.log(high[0] / low[0])
              if low[1] > 0 and high[1] > 0 else math.nan)

        def peak_cell(s):
            return (f"{fmt_int(s[1])} ({s[2]:.2f}×, {s[3]:.2f}–{s[4]:.2f})"
                    + (" **knife edge**" if s[2] >= 2 or s[2] <= 0.5 else ""))

        md.append(f"| `{path}` {low[0]:g} / {high[0]:g} | {peak_cell(low)} | "
                  f"{peak_cell(high)} | {fmt_signed(el, 2)} | "
                  f"{fmt_signed(low[5])} ({low[6]:.1f}) / {fmt_signed(high[5])} "
                  f"({high[6]:.1f}) | {100 * low[7]:.1f}% / {100 * high[7]:.1f}% |")
    md.append("")
    md.append("Order restored as the state's strength rises (common random numbers; "
              "each step's paired change and its standard error):")
    md.append("")
    md.append("| setting | values | order restored | steps: change (paired se) |")
    md.append("| --- | --- | --- | --- |")
    falls = []
    for path in paths:
        cases = sorted(by_path[path], key=lambda c: c[0])
        if len(cases) < 3:
            continue
        p_i = paths.index(path)
        seq = sorted(cases + [(base_vals[p_i], base)], key=lambda c: c[0])
        steps = []
        for (v0, r0), (v1, r1) in zip(seq, seq[1:]):
            d, se = paired(r0, r1, lambda r: r[2])
            mark = ""
            if d < -2 * se:
                mark = " **falls**"
                falls.append(f"{path} {v0:g} -> {v1:g}: order restored "
                             f"{fmt_signed(100 * d)} points (paired se {100 * se:.1f})")
            steps.append(f"{fmt_signed(100 * d)} ({100 * se:.1f}){mark}")
        md.append(f"| `{path}` | {' / '.join(f'{v:g}' for v, _ in seq)} | "
                  f"{' / '.join(f'{100 * restored_share(r):.1f}%' for _, r in seq)} | "
                  f"{', '.join(steps)} |")
    return md, rows, knife, falls


def main():
    ap = uc.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", nargs="?", help="the scenario file (not with --no-run)")
    ap.add_argument("-o", "--out", required=True, help="the folder to write (OUT)")
    ap.add_argument("--unrestsim", default="unrestsim", help="the program to run")
    ap.add_argument("-r", "--replications", type=int, default=200)
    ap.add_argument("-s", "--seed", help="the master seed (default: the scenario's)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--step", type=float, default=0.1,
                    help="the decision settings' relative step (default 0.1)")
    ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                    help="change the scenario before the points (as unrestsim's --set)")
    ap.add_argument("--resume", action="store_true",
                    help="finish the sweep in OUT/sweep (killed or interrupted)")
    ap.add_argument("--no-run", action="store_true", help="only read OUT/sweep")
    args = ap.parse_args()
    if not 0 < args.step < 1:
        raise uc.AnalysisError(f"--step: expected a number in (0, 1), found {args.step}",
                               uc.EX_USAGE)
    if args.replications < 2:
        raise uc.AnalysisError(f"-r: expected at least 2, found {args.replications}",
                               uc.EX_USAGE)
    if not args.no_run:
        if args.scenario is None:
            raise uc.AnalysisError("a scenario is needed (or --no-run)", uc.EX_USAGE)
        if not os.path.exists(args.scenario):
            raise uc.AnalysisError(f"{args.scenario}: no such file", uc.EX_NOINPUT)
        try:
            os.makedirs(args.out, exist_ok=True)
        except OSError as err:
            raise uc.AnalysisError(f"{args.out}: {err.strerror}", uc.EX_CANTCREAT) from None
        run_sweep(args, args.out, make_sweep(args, args.out))
    paths, points = read_points(os.path.join(args.out, "sweep"))
    md, rows, knife, falls = tables(paths, points)
    text = "\n".join(md) + "\n"
    uc.write_text(os.path.join(args.out, "table.md"), text)
    uc.write_text(os.path.join(args.out, "table.csv"),
                  "".join(",".join(r) + "\n" for r in rows))
    sys.stdout.write(text)
    for line in knife:
        print(f"knife edge: {line}", file=sys.stderr)
    for line in falls:
        print(f"not monotone: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(uc.run_main(main))
