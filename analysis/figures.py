#!/usr/bin/python3
"""Every figure of a run, a sweep, a calibration or a sensitivity folder, with one
command.

  figures.py FOLDER -o FIGURES_DIR [--format png,svg]

The folder's kind comes from its manifest.cfg (`command = "run"`, `"sweep"` or
`"calibrate"`), or, without one, from the files present (posterior.csv: a calibration;
sweep.csv: a sweep; summary.csv: a run; sensitivity.csv alone: a sensitivity analysis,
`unrestsim sensitivity`). Each figure is written as NAME.png and
NAME.svg into FIGURES_DIR (made if needed), and the list of what was drawn is printed.

A run (docs/output.md):
- timeline: the national timeline, median and 5-95% band across replications, with
  the record's events marked when the scenario names a record (scenario.record, as
  the run's manifest.cfg gives it: record.run_record);
- region_map: active persons by region and hour (needs timeseries.csv);
- metrics: a histogram of each summary metric across replications, one panel each;
- outcomes: outcome shares and metric box plots (outcomes.py);
- comparison: the run against the record (record.py; comparison.csv and .md beside),
  only when the scenario has a record.
A sweep (docs/sweeps.md):
- outcomes: shares and box plots per point (outcomes.py);
- response: from sweep_stats.csv, each outcome's share (Wilson 95% interval) and each
  metric's mean (Student 95% interval) against the swept parameter when one varies
  (response curves), as heat maps over the two when two vary, and as one row per
  point (small multiples) when more do.
A calibration (unrestsim calibrate):
- posterior_marginals: a weighted histogram per parameter (posterior.csv);
- posterior_pairs: the weighted scatter matrix of the parameters;
- history: tolerance and acceptance per generation (history.csv);
- targets: each target's recorded range and value against the simulated median and
  90% interval (targets.csv).
Any folder holding sensitivity.csv (docs/sensitivity.md) also gets `sensitivity`: for
Sobol indices, per output the first-order and total index of each parameter as bars,
their bootstrap intervals as whiskers; for a Morris screening, per output each
parameter's mu* against sigma, mu*'s interval as a whisker.

The calibration files are read by column name and only the columns named in
docs/analysis.md ("figures.py") are needed; others are ignored.

Exit status: 0 done, 64 usage, 65 a folder without the files or columns of its kind,
66 no such folder, 73 cannot write the output.

Debian packages: python3-pandas, python3-matplotlib (run with /usr/bin/python3).
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import outcomes  # noqa: E402
import record  # noqa: E402
import region_map  # noqa: E402
import timeline  # noqa: E402
import unrestcsv as uc  # noqa: E402

KINDS = ("run", "sweep", "calibration", "sensitivity")
FIGURES = ("timeline", "region_map", "metrics", "outcomes", "comparison", "response",
           "posterior_marginals", "posterior_pairs", "history", "targets",
           "sensitivity")

# Column names of the calibration's files, each with the spellings accepted for it.
POSTERIOR_SKIP = {"weight", "generation", "particle", "distance", "rep", "seed"}
TARGET_COLUMNS = {
    "target": ("target", "metric", "quantity"),
    "record": ("record", "recorded", "value", "record_value"),
    "low": ("low", "record_low"),
    "high": ("high", "record_high"),
    "grade": ("grade",),
    "median": ("simulated_median", "median", "model_median", "sim_median"),
    "p05": ("simulated_p05", "p05", "p5", "model_p5", "sim_p05"),
    "p95": ("simulated_p95", "p95", "model_p95", "sim_p95"),
}
# The files each kind of folder must have; the others are drawn when present.
REQUIRED = {"run": ["summary.csv", "national.csv"],
            "sweep": ["sweep.csv", "sweep_stats.csv"],
            "calibration": ["posterior.csv"],
            "sensitivity": ["sensitivity.csv"]}
# sensitivity.csv's columns (docs/sensitivity.md), by method.
SOBOL_COLUMNS = ["parameter", "output", "S1", "S1_low", "S1_high", "ST", "ST_low",
                 "ST_high"]
MORRIS_COLUMNS = ["parameter", "output", "mu_star", "mu_star_low", "mu_star_high", "mu",
                  "sigma"]


def parse_args(argv):
    parser = uc.ArgumentParser(
        prog="figures.py",
        description="Draw every figure of a run, sweep or calibration folder.",
        epilog="Exit status: 64 usage, 65 missing file or column, 66 missing folder, "
               "73 cannot write.")
    parser.add_argument("folder", metavar="DIR",
                        help="a run's, a sweep's, a calibration's or a sensitivity "
                             "analysis's output folder")
    parser.add_argument("-o", "--output", required=True, metavar="FIGURES_DIR",
                        help="folder to write the figures to (outside DIR)")
    parser.add_argument("--kind", choices=KINDS,
                        help="the folder's kind (default: from manifest.cfg or its files)")
    parser.add_argument("--format", default="png,svg", metavar="FMT[,FMT]",
                        help="formats, png, pdf or svg (default %(default)s)")
    uc.add_record_options(parser)
    parser.add_argument("--no-record", action="store_true",
                        help="draw no record, even when the scenario has one")
    parser.add_argument("--only", metavar="NAME[,NAME]",
                        help="draw only these figures (names as in the list above, "
                             "e.g. timeline,comparison)")
    parser.add_argument("--dpi", type=int, default=100, help="PNG resolution")
    args = parser.parse_args(argv)
    args.only = ({n.strip() for n in args.only.split(",") if n.strip()}
                 if args.only else None)
    if args.only is not None and not args.only <= set(FIGURES):
        parser.error(f"--only: unknown figure {', '.join(sorted(args.only - set(FIGURES)))}"
                     f" (known: {', '.join(FIGURES)})")
    args.format = uc.format_list(parser, args.format)
    uc.check_record_options(parser, args)
    if args.dpi < 10 or args.dpi > 1200:
        parser.error(f"--dpi: expected 10 to 1200, found {args.dpi}")
    return args


def folder_kind(folder):
    """run, sweep, calibration or sensitivity, from the manifest's command or the
    files present."""
    command = uc.manifest_text(folder, "command")
    if command in ("run", "sweep"):
        return command
    if command in ("calibrate", "calibration"):
        return "calibration"
    if uc.has_file(folder, "posterior.csv"):
        return "calibration"
    if uc.has_file(folder, "sweep.csv"):
        return "sweep"
    if uc.has_file(folder, "summary.csv"):
        return "run"
    if uc.has_file(folder, "sensitivity.csv"):
        return "sensitivity"
    raise uc.AnalysisError(f"{folder}: neither a run (summary.csv), a sweep (sweep.csv), "
                           "a calibration (posterior.csv) nor a sensitivity "
                           "(sensitivity.csv) folder")


class Output:
    """Where figures go, in which formats, which are wanted, and those written."""

    def __init__(self, folder, formats, dpi, only=None):
        self.folder = folder
        self.formats = formats
        self.dpi = dpi
        self.only = only
        self.written = []

    def wants(self, name):
        return self.only is None or name in self.only

    def paths(self, name):
        paths = [os.path.join(self.folder, f"{name}.{f}") for f in self.formats]
        self.written.extend(paths)
        return paths

    def save(self, fig, name):
        uc.save_figure(fig, self.paths(name), self.dpi)
        uc.pyplot().close(fig)


def scenario_record(args, folder):
    """(record, regions, start) to draw against, or None."""
    return None if args.no_record else record.chosen_record(args, folder)


# --- a run ---------------------------------------------------------------------------

def metric_histograms(summary, metrics, title, out):
    """One histogram per summary metric across replications."""
    plt = uc.pyplot()
    fig, flat = uc.panel_grid(plt, len(metrics), ncols=3, width=4.2, height=2.9)
    for ax, metric in zip(flat, metrics):
        label, factor = outcomes.METRIC_LABELS.get(metric, (metric, 1.0))
        values = summary[metric].dropna().to_numpy(dtype=float) * factor
        have = int(summary[metric].notna().sum())
        ax.set_title(metric + (f" ({have} of {len(summary)} replications)"
                               if have < len(summary) else ""),
                     loc="left", fontsize="medium")
        ax.set_xlabel(label)
        ax.set_ylabel("replications")
        ax.grid(True, alpha=0.3)
        if len(values) == 0:
            ax.text(0.5, 0.5, "no replication has a value", transform=ax.transAxes,
                    ha="center", va="center", fontsize="small")
            continue
        bins = min(30, max(5, int(math.sqrt(len(values))) + 1))
        ax.hist(values, bins=bins, color="tab:blue", alpha=0.75, edgecolor="white")
        median = float(summary[metric].dropna().median()) * factor
        ax.axvline(median, color="black", lw=1.2, label=f"median {median:.4g}")
        ax.legend(fontsize="x-small")
    fig.suptitle(title)
    out.save(fig, "metrics")


def run_figures(args, folder, out):
    name = os.path.basename(os.path.normpath(folder))
    rec = scenario_record(args, folder)
    if out.wants("timeline"):
        targs = timeline.parse_args([folder, "--dpi", str(args.dpi)])
        targs.output = out.paths("timeline")
        if rec:
            targs.record, targs.record_start = rec[0], rec[2]
        timeline.render(targs)
    if out.wants("region_map") and uc.has_file(folder, "timeseries.csv"):
        margs = region_map.parse_args([folder, "--dpi", str(args.dpi)])
        if rec and rec[1] and os.path.isfile(rec[1]):
            margs.names = rec[1]
        margs.output = out.paths("region_map")
        region_map.render(margs)
    if out.wants("metrics"):
        header = uc.read_header(uc.data_path(folder, "summary.csv"))
        metrics = [c for c in header if c not in uc.TEXT_COLUMNS and c != "rep"]
        summary = uc.read_run(folder, "summary.csv", ["rep"] + metrics)
        metric_histograms(summary, metrics, f"{name}: each summary metric across "
                          f"{len(summary)} replications", out)
    if out.wants("outcomes"):
        oargs = outcomes.parse_args([folder, "--dpi", str(args.dpi)])
        oargs.output = out.paths("outcomes")
        outcomes.render(oargs)
    if rec and out.wants("comparison"):
        rargs = record.parse_args([folder, "-o", out.folder, "--record", rec[0],
                                   "--regions", rec[1], "--record-start", rec[2],
                                   "--format", ",".join(out.formats),
                                   "--dpi", str(args.dpi)])
        record.render(rargs)
        out.written.extend(os.path.join(out.folder, f"comparison.{f}")
                           for f in out.formats)


# --- a sweep -------------------------------------------------------------------------

def sweep_stats(folder):
    """sweep_stats.csv: (frame, swept parameters, metrics, outcome rows' names)."""
    path = uc.data_path(folder, "sweep_stats.csv")
    header = uc.read_header(path)
    if "point" not in header or "metric" not in header:
        raise uc.AnalysisError(f"{path}: expected the columns point, the parameters, "
                               "metric, ...")
    params = header[header.index("point") + 1:header.index("metric")]
    stats = uc.read_csv(path, ["point"] + params + ["metric", "count", "mean", "ci_low",
                                                    "ci_high"], what=path,
                        text=params + ["metric"])
    for p in params:
        numeric = uc.pandas_module().to_numeric(stats[p], errors="coerce")
        if numeric.notna().all():
            stats[p] = numeric
    metrics = list(dict.fromkeys(m for m in stats["metric"]
                                 if not m.startswith("outcome.")))
    shares = list(dict.fromkeys(m for m in stats["metric"] if m.startswith("outcome.")))
    return stats, params, metrics, shares


def varying(stats, params):
    """The parameters that take more than one value across the points."""
    return [p for p in params if stats[p].nunique() > 1]


def quantity_label(metric):
    if metric.startswith("outcome."):
        return f"share {metric[len('outcome.'):].replace('_', ' ')}", 1.0
    return outcomes.METRIC_LABELS.get(metric, (metric, 1.0))


def response_curves(stats, param, quantities, title, out):
    """Mean (or share) with its 95% interval against one swept parameter."""
    plt = uc.pyplot()
    numeric = stats[param].dtype.kind in "if"
    fig, flat = uc.panel_grid(plt, len(quantities), ncols=3, width=4.2, height=3.0)
    for ax, q in zip(flat, quantities):
        label, factor = quantity_label(q)
        rows = stats[stats["metric"] == q].sort_values(param)
        x = rows[param].to_numpy() if numeric else range(len(rows))
        mean = rows["mean"].to_numpy(dtype=float) * factor
        low = rows["ci_low"].to_numpy(dtype=float) * factor
        high = rows["ci_high"].to_numpy(dtype=float) * factor
        if rows["mean"].notna().any():
            ax.fill_between(x, low, high, color="tab:blue", alpha=0.2, lw=0,
                            label="95% interval")
            ax.plot(x, mean, "o-", color="tab:blue", ms=4, label="mean")
        if not numeric:
            ax.set_xticks(list(x))
            ax.set_xticklabels(rows[param], fontsize="x-small", rotation=30)
        if not rows["mean"].notna().any():
            ax.text(0.5, 0.5, "no point has a value", transform=ax.transAxes,
                    ha="center", va="center", fontsize="small")
        ax.set_title(q, loc="left", fontsize="medium")
        ax.set_ylabel(label)
        ax.set_xlabel(outcomes.short_path(param, 32))
        ax.grid(True, alpha=0.3)
        if q.startswith("outcome."):
            ax.set_ylim(-0.03, 1.03)
    flat[0].legend(fontsize="x-small")
    fig.suptitle(title)
    out.save(fig, "response")


def heat_maps(stats, pair, quantities, title, out):
    """Mean (or share) over a grid of two swept parameters, one panel per quantity."""
    plt = uc.pyplot()
    import numpy as np
    px, py = pair
    fig, flat = uc.panel_grid(plt, len(quantities), ncols=3, width=4.4, height=3.4,
                              constrained=True)
    for ax, q in zip(flat, quantities):
        label, factor = quantity_label(q)
        rows = stats[stats["metric"] == q]
        grid = rows.pivot_table(index=py, columns=px, values="mean", aggfunc="mean")
        matrix = grid.to_numpy(dtype=float) * factor
        ax.set_title(q, loc="left", fontsize="medium")
        if np.isnan(matrix).all():
            ax.text(0.5, 0.5, "no point has a value", transform=ax.transAxes,
                    ha="center", va="center", fontsize="small")
            continue
        shown = np.ma.masked_invalid(matrix)
        mesh = ax.pcolormesh(np.arange(matrix.shape[1] + 1),
                             np.arange(matrix.shape[0] + 1), shown, cmap="viridis",
                             vmin=0.0 if q.startswith("outcome.") else None,
                             vmax=1.0 if q.startswith("outcome.") else None)
        for (i, j), value in np.ndenumerate(matrix):
            if not math.isnan(value):
                ax.text(j + 0.5, i + 0.5, f"{value:.3g}", ha="center", va="center",
                        fontsize="x-small", color="white" if mesh.norm(value) < 0.55
                        else "black")
        ax.set_xticks(np.arange(matrix.shape[1]) + 0.5)
        ax.set_xticklabels([outcomes.format_value(v) for v in grid.columns],
                           fontsize="x-small")
        ax.set_yticks(np.arange(matrix.shape[0]) + 0.5)
        ax.set_yticklabels([outcomes.format_value(v) for v in grid.index],
                           fontsize="x-small")
        ax.set_xlabel(outcomes.short_path(px, 32), fontsize="small")
        ax.set_ylabel(outcomes.short_path(py, 32), fontsize="small")
        ax.set_title(q, loc="left", fontsize="medium")
        fig.colorbar(mesh, ax=ax).set_label(f"mean {label}", fontsize="x-small")
    fig.suptitle(title)
    out.save(fig, "response")


def point_rows(stats, params, quantities, title, out):
    """Small multiples: one row per point, the mean (or share) and its interval."""
    plt = uc.pyplot()
    import numpy as np
    points = list(dict.fromkeys(stats["point"]))
    labels = []
    for point in points:
        first = stats[stats["point"] == point].iloc[0]
        labels.append(f"{point}: " + ", ".join(
            f"{outcomes.short_path(p, 18)}={outcomes.format_value(first[p])}"
            for p in params))
    height = max(2.8, 0.3 * len(points) + 1.0)
    fig, flat = uc.panel_grid(plt, len(quantities), ncols=4, width=3.6, height=height,
                              constrained=True)
    y = np.arange(len(points))
    for k, (ax, q) in enumerate(zip(flat, quantities)):
        label, factor = quantity_label(q)
        rows = stats[stats["metric"] == q].set_index("point").reindex(points)
        mean = rows["mean"].to_numpy(dtype=float) * factor
        low = rows["ci_low"].to_numpy(dtype=float) * factor
        high = rows["ci_high"].to_numpy(dtype=float) * factor
        if rows["mean"].notna().any():
            err = [np.nan_to_num(mean - low), np.nan_to_num(high - mean)]
            ax.errorbar(mean, y, xerr=err, fmt="o", ms=3, color="tab:blue", capsize=2)
        else:
            ax.text(0.5, 0.5, "no point has a value", transform=ax.transAxes,
                    ha="center", va="center", fontsize="small")
        ax.set_yticks(y)
        ax.set_yticklabels(labels if k % 4 == 0 else [], fontsize="xx-small")
        ax.set_ylim(len(points) - 0.5, -0.5)
        ax.set_title(q, loc="left", fontsize="small")
        ax.set_xlabel(label, fontsize="small")
        ax.grid(True, axis="x", alpha=0.3)
    fig.suptitle(title)
    out.save(fig, "response")


def sweep_figures(args, folder, out):
    name = os.path.basename(os.path.normpath(folder))
    if out.wants("outcomes"):
        oargs = outcomes.parse_args([folder, "--dpi", str(args.dpi)])
        oargs.output = out.paths("outcomes")
        outcomes.render(oargs)
    if not out.wants("response"):
        return
    stats, params, metrics, shares = sweep_stats(folder)
    shown = [m for m in outcomes.DEFAULT_METRICS if m in metrics] or metrics
    quantities = shares + shown
    moving = varying(stats, params)
    what = "mean and 95% interval per point (sweep_stats.csv)"
    if len(moving) == 1:
        response_curves(stats, moving[0], quantities,
                        f"{name}: response to {moving[0]}, {what}", out)
    elif len(moving) == 2:
        heat_maps(stats, moving, quantities,
                  f"{name}: mean over {moving[0]} and {moving[1]}", out)
    else:
        point_rows(stats, params, quantities, f"{name}: {what}", out)


# --- a calibration -------------------------------------------------------------------

def pick(header, names, what, required=True):
    """The first of `names` in header; AnalysisError(65) when none is and required."""
    for n in names:
        if n in header:
            return n
    if required:
        raise uc.AnalysisError(f"{what}: missing column {names[0]} "
                               f"(has {', '.join(header)})")
    return None


def read_posterior(folder):
    """posterior.csv: (frame, parameter columns, weights normalised to sum 1)."""
    path = uc.data_path(folder, "posterior.csv")
    header = uc.read_header(path)
    params = [c for c in header if c not in POSTERIOR_SKIP]
    if "weight" not in header:
        raise uc.AnalysisError(f"{path}: missing column weight (has {', '.join(header)})")
    if not params:
        raise uc.AnalysisError(f"{path}: no parameter column")
    frame = uc.read_csv(path, params + ["weight"], what=path, optional=())
    if "generation" in header:
        gen = uc.read_csv(path, ["generation"], what=path)["generation"]
        frame = frame[gen == gen.max()]  # the last generation is the posterior
    weights = frame["weight"].to_numpy(dtype=float)
    if (weights < 0).any() or not (weights.sum() > 0) or not all(map(math.isfinite,
                                                                     weights)):
        raise uc.AnalysisError(f"{path}: weights must be finite, >= 0, and not all 0")
    return frame, params, weights / weights.sum()


def weighted_quantiles(values, weights, qs):
    """The weighted quantiles of a sample: for each q, the least value whose
    cumulative weight (of the weights normalised to sum 1) reaches q."""
    import numpy as np
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order]) / weights.sum()
    # a q within rounding of a cumulative weight takes that value, not the next
    idx = [min(int(np.searchsorted(cum, q - 1e-12)), len(cum) - 1) for q in qs]
    return [float(values[order][i]) for i in idx]


def posterior_marginals(frame, params, weights, title, out):
    plt = uc.pyplot()
    fig, flat = uc.panel_grid(plt, len(params), ncols=3, width=4.2, height=2.9)
    for ax, p in zip(flat, params):
        values = frame[p].to_numpy(dtype=float)
        bins = min(30, max(5, int(math.sqrt(len(values))) + 1))
        ax.hist(values, bins=bins, weights=weights, color="tab:green", alpha=0.7,
                edgecolor="white")
        q = dict(zip((5, 50, 95), weighted_quantiles(values, weights,
                                                     (0.05, 0.5, 0.95))))
        ax.axvline(q[50], color="black", lw=1.2, label=f"median {q[50]:.4g}")
        ax.axvspan(q[5], q[95], color="0.5", alpha=0.15, lw=0,
                   label=f"90%: {q[5]:.4g}–{q[95]:.4g}")
        ax.set_title(outcomes.short_path(p, 36), loc="left", fontsize="small")
        ax.set_ylabel("posterior weight")
        ax.legend(fontsize="xx-small")
        ax.grid(True, alpha=0.3)
    fig.suptitle(title)
    out.save(fig, "posterior_marginals")


def posterior_pairs(frame, params, weights, title, out):
    plt = uc.pyplot()
    n = len(params)
    size = max(1.6, min(2.6, 11.0 / n))
    fig, axes = plt.subplots(n, n, figsize=(size * n + 1.0, size * n + 1.0),
                             squeeze=False, layout="constrained")
    area = 6.0 + 120.0 * weights / weights.max()  # dot area shows the weight
    for i, pi in enumerate(params):
        for j, pj in enumerate(params):
            ax = axes[i][j]
            if i == j:
                ax.hist(frame[pi], bins=min(20, max(5, len(frame) // 4)),
                        weights=weights, color="tab:green", alpha=0.7)
            elif i > j:
                ax.scatter(frame[pj], frame[pi], s=area, alpha=0.45, lw=0,
                           color="tab:green")
            else:
                ax.axis("off")
                continue
            ax.tick_params(labelsize="xx-small")
            if i == n - 1:
                ax.set_xlabel(outcomes.short_path(pj, 20), fontsize="x-small")
            if j == 0 and i > 0:
                ax.set_ylabel(outcomes.short_path(pi, 20), fontsize="x-small")
    fig.suptitle(title + "\n(lower triangle: particles, dot area ∝ weight; "
                 "diagonal: weighted histograms)", fontsize="medium")
    out.save(fig, "posterior_pairs")


def history_figure(folder, title, out):
    path = uc.data_path(folder, "history.csv")
    header = uc.read_header(path)
    cols = [pick(header, ("generation",), path), pick(header, ("tolerance",), path),
            pick(header, ("acceptance", "acceptance_rate"), path)]
    hist = uc.read_csv(path, cols, what=path)
    plt = uc.pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    ax1.plot(hist[cols[0]], hist[cols[1]], "o-", color="tab:purple")
    ax1.set_xlabel("generation")
    ax1.set_ylabel("tolerance")
    ax1.set_title("Tolerance", loc="left", fontsize="medium")
    if (hist[cols[1]] > 0).all():
        ax1.set_yscale("log")
    ax2.plot(hist[cols[0]], hist[cols[2]], "o-", color="tab:orange")
    ax2.set_xlabel("generation")
    ax2.set_ylabel("acceptance (share of proposals)")
    ax2.set_title("Acceptance", loc="left", fontsize="medium")
    ax2.set_ylim(bottom=0)
    for ax in (ax1, ax2):
        ax.grid(True, alpha=0.3)
    fig.suptitle(title)
    out.save(fig, "history")


def read_targets(folder):
    """targets.csv with its columns renamed to TARGET_COLUMNS' keys."""
    path = uc.data_path(folder, "targets.csv")
    header = uc.read_header(path)
    names = {key: pick(header, spellings, path, required=key not in ("grade", "low",
                                                                     "high"))
             for key, spellings in TARGET_COLUMNS.items()}
    present = {k: v for k, v in names.items() if v}
    frame = uc.read_csv(path, list(present.values()), what=path,
                        text=[present["target"]] + ([present["grade"]]
                                                    if "grade" in present else []))
    frame = frame.rename(columns={v: k for k, v in present.items()})
    for key in ("low", "high"):
        if key not in frame:
            frame[key] = frame["record"]
        frame[key] = frame[key].fillna(frame["record"])
    if "grade" not in frame:
        frame["grade"] = ""
    return frame


def target_passes(t):
    """A target passes when the simulated 5-95% interval meets the record's range
    (record.py's overlap); a target without simulated values misses."""
    values = [float(t[k]) for k in ("p05", "p95", "low", "high")]
    if any(math.isnan(v) for v in values):
        return False
    return values[0] <= values[3] and values[2] <= values[1]


def targets_figure(folder, title, out):
    """Each target as model / record on a log axis (1: the record), as record.py
    draws magnitudes; targets with a record of 0 are drawn on their own scale."""
    targets = read_targets(folder)
    plt = uc.pyplot()
    import numpy as np
    n = len(targets)
    fig, ax = plt.subplots(figsize=(10, max(2.4, 0.42 * n + 1.2)), layout="constrained")
    floor = 1e-3
    labels = []
    for y, (_, t) in enumerate(targets.iterrows()):
        rec = float(t["record"])
        scale = rec if rec > 0 else 1.0
        ax.plot([max(t["low"] / scale, floor), max(t["high"] / scale, floor)], [y, y],
                color="0.6", lw=6, solid_capstyle="butt")
        ax.plot([max(rec / scale, floor)], [y], marker="D", color="black", ms=4)
        med, lo, hi = (max(float(t[k]) / scale, floor) for k in ("median", "p05", "p95"))
        inside = target_passes(t)
        ax.errorbar([med], [y], xerr=[[med - lo], [hi - med]], fmt="o", capsize=2,
                    color="tab:blue" if inside else "tab:red", ms=4)
        labels.append(f"{t['target']} [{t['grade']}]\n(record {record.fmt(rec)}"
                      f"{'' if inside else '; MISS'})")
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(np.arange(n))
    ax.set_yticklabels(labels, fontsize="x-small")
    ax.set_ylim(n - 0.5, -0.5)
    low, high = ax.get_xlim()
    ax.set_xlim(min(low, 0.1), max(high, 10.0))
    ax.set_xlabel("simulated / recorded (log; grey: the record's range, diamond: its "
                  "value; dot: simulated median, bar: 5–95%, red: a miss, the bar "
                  "misses the range)", fontsize="small")
    ax.grid(True, axis="x", alpha=0.3)
    fig.suptitle(title)
    out.save(fig, "targets")


def sensitivity_method(path):
    """"sobol" or "morris", from sensitivity.csv's header; AnalysisError(65) else."""
    header = uc.read_header(path)
    if "S1" in header:
        return "sobol"
    if "mu_star" in header:
        return "morris"
    raise uc.AnalysisError(f"{path}: expected the columns of Sobol indices "
                           f"({', '.join(SOBOL_COLUMNS)}) or of a Morris screening "
                           f"({', '.join(MORRIS_COLUMNS)}), has {', '.join(header)}")


def sensitivity_panels(n_params):
    """panel_grid's layout of the Sobol figure: (ncols, width, height) per panel."""
    return 2, 5.6, max(2.6, 0.45 * n_params + 1.2)


def sobol_figure(frame, title, out):
    """Per output, S1 and ST of each parameter as bars, the bootstrap intervals as
    whiskers; an output without variance (every point the same) says so."""
    plt = uc.pyplot()
    import numpy as np
    outputs = list(dict.fromkeys(frame["output"]))
    params = list(dict.fromkeys(frame["parameter"]))
    ncols, width, height = sensitivity_panels(len(params))
    fig, flat = uc.panel_grid(plt, len(outputs), ncols=ncols, width=width, height=height,
                              constrained=True)
    y = np.arange(len(params))
    for ax, output in zip(flat, outputs):
        rows = frame[frame["output"] == output].set_index("parameter").reindex(params)
        ax.set_title(output, loc="left", fontsize="medium")
        ax.set_yticks(y)
        ax.set_yticklabels([outcomes.short_path(p, 28) for p in params],
                           fontsize="x-small")
        ax.set_ylim(len(params) - 0.5, -0.5)
        if rows["S1"].isna().all() and rows["ST"].isna().all():
            ax.text(0.5, 0.5, "no variance: every point the same",
                    transform=ax.transAxes, ha="center", va="center", fontsize="small")
            ax.set_xticks([])
            continue
        for offset, key, colour, label in ((-0.2, "S1", "tab:blue", "first order S1"),
                                           (0.2, "ST", "tab:orange", "total ST")):
            value = rows[key].to_numpy(float)
            lo = rows[f"{key}_low"].to_numpy(float)
            hi = rows[f"{key}_high"].to_numpy(float)
            ax.barh(y + offset, np.nan_to_num(value), height=0.38, color=colour,
                    alpha=0.8, label=label)
            ax.errorbar(value, y + offset, xerr=[np.nan_to_num(value - lo),
                                                 np.nan_to_num(hi - value)],
                        fmt="none", ecolor="black", capsize=2, lw=0.8)
        ax.axvline(0.0, color="black", lw=0.6)
        ax.set_xlabel("Sobol index (whiskers: bootstrap interval)", fontsize="small")
        ax.grid(True, axis="x", alpha=0.3)
        ax.legend(fontsize="x-small", loc="lower right")
    fig.suptitle(title)
    out.save(fig, "sensitivity")


def morris_figure(frame, title, out):
    """Per output, each parameter's mu* (x) against sigma (y), mu*'s interval as a
    whisker, labelled; the line sigma = mu* parts mostly linear effects (below) from
    interacting or non-linear ones (above)."""
    plt = uc.pyplot()
    import numpy as np
    outputs = list(dict.fromkeys(frame["output"]))
    fig, flat = uc.panel_grid(plt, len(outputs), ncols=2, width=5.2, height=4.2,
                              constrained=True)
    for ax, output in zip(flat, outputs):
        rows = frame[frame["output"] == output]
        mu_star = rows["mu_star"].to_numpy(float)
        sigma = rows["sigma"].to_numpy(float)
        ax.set_title(output, loc="left", fontsize="medium")
        if not (np.nan_to_num(mu_star) > 0).any():
            ax.text(0.5, 0.5, "no effect: every point the same", transform=ax.transAxes,
                    ha="center", va="center", fontsize="small")
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        lo = rows["mu_star_low"].to_numpy(float)
        hi = rows["mu_star_high"].to_numpy(float)
        ax.errorbar(mu_star, sigma, xerr=[np.nan_to_num(mu_star - lo),
                                          np.nan_to_num(hi - mu_star)],
                    fmt="o", color="tab:red", ecolor="tab:red", ms=7, capsize=3, lw=1.2)
        top = float(np.nanmax(np.concatenate([hi, mu_star, sigma]))) or 1.0
        ax.plot([0, top * 1.05], [0, top * 1.05], ls="--", color="0.5", lw=0.8,
                label="sigma = mu*")
        for x, s, p in zip(mu_star, sigma, rows["parameter"]):
            if np.isfinite(x) and np.isfinite(s):
                ax.annotate(outcomes.short_path(p, 24), (x, s), fontsize="xx-small",
                            xytext=(3, 3), textcoords="offset points")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("mu* (mean |elementary effect|, per unit range)", fontsize="small")
        ax.set_ylabel("sigma", fontsize="small")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="x-small", loc="upper left")
    fig.suptitle(title)
    out.save(fig, "sensitivity")


def sensitivity_figure(folder, title, out):
    path = uc.data_path(folder, "sensitivity.csv")
    if sensitivity_method(path) == "sobol":
        frame = uc.read_csv(path, SOBOL_COLUMNS, what=path, text=("parameter", "output"))
        sobol_figure(frame, title + " (Sobol)", out)
    else:
        frame = uc.read_csv(path, MORRIS_COLUMNS, what=path,
                            text=("parameter", "output"))
        morris_figure(frame, title + " (Morris screening)", out)


def calibration_figures(args, folder, out):
    name = os.path.basename(os.path.normpath(folder))
    frame, params, weights = read_posterior(folder)
    if out.wants("posterior_marginals"):
        posterior_marginals(frame, params, weights,
                            f"{name}: posterior marginals ({len(frame)} particles)", out)
    if len(params) > 1 and out.wants("posterior_pairs"):
        posterior_pairs(frame, params, weights, f"{name}: posterior pairs", out)
    if uc.has_file(folder, "history.csv") and out.wants("history"):
        history_figure(folder, f"{name}: tolerance and acceptance by generation", out)
    if uc.has_file(folder, "targets.csv") and out.wants("targets"):
        targets_figure(folder, f"{name}: calibration targets, simulated against "
                       "recorded", out)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    folder = uc.run_folder(args.folder)
    kind = args.kind or folder_kind(folder)
    if os.path.abspath(args.output) == os.path.abspath(folder):
        raise uc.AnalysisError(f"{args.output}: write figures beside the folder, not "
                               "into it (unrestsim refuses a folder with files it did "
                               "not write)", uc.EX_USAGE)
    # Every file the kind needs is checked before anything is drawn, so that a
    # folder missing one gets its message and no figures half-made.
    for name in REQUIRED[kind]:
        uc.read_header(uc.data_path(folder, name))
    out = Output(args.output, args.format, args.dpi, args.only)
    {"run": run_figures, "sweep": sweep_figures, "calibration": calibration_figures,
     # a sensitivity folder's figure is the one below, drawn for any folder
     "sensitivity": lambda *_: None}[kind](args, folder, out)
    if uc.has_file(folder, "sensitivity.csv") and out.wants("sensitivity"):
        sensitivity_figure(folder, f"{os.path.basename(os.path.normpath(folder))}: "
                           "sensitivity indices", out)
    for path in out.written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(uc.run_main(main))
