#!/usr/bin/python3
"""Outcome shares and metric distributions across sweep points or runs.

Compares groups of replications. Each folder given is either
- a sweep's folder, holding sweep.csv (the point index, then one column per swept
  parameter named by its path, then summary.csv's columns): one group per point,
  labelled by its parameter values; or
- a run's folder, holding summary.csv: one group, labelled by the folder's name (or
  --label), so that a scenario and its counterfactuals, run into several folders,
  compare side by side.
For each group the picture shows the share of each outcome (order_restored,
elite_prevails, regime_collapse, unresolved, and any other the files hold) and, for
each metric, a box plot across replications: the box from the 25th to the 75th
percentile, the line at the median, the whiskers at the 5th and 95th, each
replication a dot. A metric that is empty in a replication (order never restored)
is left out of that box, and "k of n", the replications with a value, is printed
beside it. --table writes the numbers as CSV: per group, the count, each outcome's share
with its Wilson 95% interval, and per metric the count with a value, median, 5th
and 95th percentiles and mean.

  outcomes.py out/kazakhstan-2022 out/kazakhstan-2022-no-csto -o outcomes.png
  outcomes.py out/sweep-csto -o sweep.png --table sweep-outcomes.csv

Exit status: 0 done, 64 usage, 65 a folder lacks sweep.csv and summary.csv or their
columns, 66 no such folder, 73 cannot write the output.

Debian packages: python3-pandas, python3-matplotlib (run with /usr/bin/python3).
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unrestcsv as uc  # noqa: E402

OUTCOMES = ["order_restored", "elite_prevails", "regime_collapse", "unresolved"]
OUTCOME_COLOURS = {"order_restored": "#4daf4a", "elite_prevails": "#984ea3",
                   "regime_collapse": "#e41a1c", "unresolved": "#bdbdbd"}
EXTRA_COLOURS = ["#ff7f00", "#377eb8", "#a65628", "#f781bf", "#999999"]

DEFAULT_METRICS = ["peak_active", "regions_joined", "killed", "detained", "damage_usd",
                   "order_restored_hour"]

# Axis labels with units (docs/output.md), and a factor for readability.
METRIC_LABELS = {
    "peak_active": ("peak active persons", 1.0),
    "peak_hour": ("hour of the peak (h)", 1.0),
    "regions_joined": ("regions joined", 1.0),
    "killed": ("killed (persons)", 1.0),
    "killed_security": ("security killed (persons)", 1.0),
    "injured": ("injured (persons)", 1.0),
    "detained": ("detained (persons)", 1.0),
    "damage_usd": ("damage (million US$)", 1e-6),
    "shutdown_region_hours": ("internet off (region-hours)", 1.0),
    "csto_request_hour": ("CSTO request hour (h)", 1.0),
    "csto_troops_peak": ("CSTO troops, peak (persons)", 1.0),
    "order_restored_hour": ("order restored at hour (h)", 1.0),
    "events": ("events executed", 1.0),
}

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal


def wilson(successes, n, z=Z95):
    """Wilson score interval for a proportion (Wilson 1927): (low, high)."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denom
    half = z / denom * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def parse_args(argv):
    parser = uc.ArgumentParser(
        prog="outcomes.py",
        description="Compare outcome shares and metric distributions across sweep "
                    "points (sweep.csv) or across runs (summary.csv of each folder).",
        epilog="Exit status: 64 usage, 65 missing file or column, 66 missing folder, "
               "73 cannot write.")
    parser.add_argument("folders", nargs="+", metavar="DIR",
                        help="a sweep's folder (sweep.csv) or a run's (summary.csv)")
    parser.add_argument("-o", "--output", default="outcomes.png", metavar="FILE",
                        help="picture to write, .png, .pdf or .svg (default %(default)s)")
    parser.add_argument("--label", action="append", default=[], metavar="TEXT",
                        help="label of a run folder, in the order given (repeat); "
                             "default the folder's name")
    parser.add_argument("--metrics", metavar="COL,COL",
                        default=",".join(DEFAULT_METRICS),
                        help="summary columns to draw (default %(default)s)")
    parser.add_argument("--title", help="the figure's title")
    parser.add_argument("--table", metavar="FILE.csv",
                        help="also write shares and metric quantiles as CSV")
    parser.add_argument("--dpi", type=int, default=100, help="PNG resolution")
    return parser.parse_args(argv)


def short_path(path, width=24):
    """A parameter's path shortened for a label, keeping the parts that name it:
    government.actions.[2].delay.median -> actions.[2].delay.median."""
    parts = path.split(".")
    while len(parts) > 2 and len(".".join(parts)) > width:
        parts.pop(0)
    return ".".join(parts)


def format_value(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def load_groups(args, metrics):
    """[(source, point, label, params dict, frame of replications)], in order."""
    groups = []
    labels = list(args.label)
    needed = ["rep", "outcome"] + metrics
    several = len(args.folders) > 1
    for folder in args.folders:
        uc.run_folder(folder)
        name = os.path.basename(os.path.normpath(folder)) or folder
        if uc.has_file(folder, "sweep.csv"):
            path = os.path.join(folder, "sweep.csv")
            header = uc.read_header(path)
            if "rep" not in header or header.index("rep") < 1:
                raise uc.AnalysisError(f"{path}: expected the point index and the swept "
                                       "parameters before a rep column")
            point_col = header[0]
            params = header[1:header.index("rep")]
            sweep = uc.read_csv(path, [point_col] + params + needed, what=path,
                                text=params)
            for point, rows in sweep.groupby(point_col, sort=True):
                values = {p: rows[p].iloc[0] for p in params}
                for p in params:
                    try:
                        values[p] = float(values[p])
                    except ValueError:
                        pass
                text = ", ".join(f"{short_path(p)}={format_value(v)}"
                                 for p, v in values.items())
                label = f"{format_value(point)}: {text}" if text else format_value(point)
                if several:
                    label = f"{name} {label}"
                groups.append((folder, point, label, values, rows))
        else:
            if not uc.has_file(folder, "summary.csv"):
                raise uc.AnalysisError(f"{folder}: holds neither sweep.csv nor "
                                       "summary.csv")
            rows = uc.read_run(folder, "summary.csv", needed)
            label = labels.pop(0) if labels else name
            groups.append((folder, None, label, {}, rows))
    if labels:
        raise uc.AnalysisError(f"--label given {len(args.label)} times for fewer run "
                               "folders", uc.EX_USAGE)
    return groups


def summarise(groups, outcomes, metrics):
    """The table: one row per group."""
    pd = uc.pandas_module()
    params = list(dict.fromkeys(p for _, _, _, values, _ in groups for p in values))
    rows = []
    for folder, point, label, values, frame in groups:
        n = len(frame)
        row = {"source": folder, "point": point, "label": label}
        row.update({p: values.get(p) for p in params})
        row["reps"] = n
        for outcome in outcomes:
            k = int((frame["outcome"] == outcome).sum())
            low, high = wilson(k, n)
            row[f"{outcome}_share"] = k / n if n else math.nan
            row[f"{outcome}_low"] = low
            row[f"{outcome}_high"] = high
        for metric in metrics:
            values_m = frame[metric].dropna()
            row[f"{metric}_n"] = len(values_m)
            row[f"{metric}_median"] = values_m.median() if len(values_m) else math.nan
            row[f"{metric}_p5"] = values_m.quantile(0.05) if len(values_m) else math.nan
            row[f"{metric}_p95"] = values_m.quantile(0.95) if len(values_m) else math.nan
            row[f"{metric}_mean"] = values_m.mean() if len(values_m) else math.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    points = pd.to_numeric(table["point"], errors="coerce")
    if points.notna().any() and (points.dropna() % 1 == 0).all():
        table["point"] = points.astype("Int64")  # integers, empty for run folders
    elif points.isna().all():
        table["point"] = math.nan
    return table


def draw(args, groups, outcomes, metrics, table):
    plt = uc.pyplot()
    import numpy as np

    n_groups = len(groups)
    panels = 1 + len(metrics)
    ncols = min(4, panels)
    nrows = math.ceil(panels / ncols)
    row_height = max(2.6, 1.0 + 0.42 * n_groups)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.1 * ncols + 1.5,
                                                   row_height * nrows + 1.0),
                             squeeze=False, layout="constrained")
    flat = [ax for row in axes for ax in row]
    y = np.arange(n_groups)
    labels = [g[2] for g in groups]

    # Outcome shares: stacked horizontal bars.
    ax = flat[0]
    colours = dict(OUTCOME_COLOURS)
    for i, outcome in enumerate(o for o in outcomes if o not in colours):
        colours[outcome] = EXTRA_COLOURS[i % len(EXTRA_COLOURS)]
    left = np.zeros(n_groups)
    for outcome in outcomes:
        share = table[f"{outcome}_share"].to_numpy(dtype=float)
        ax.barh(y, share, left=left, color=colours[outcome], edgecolor="white",
                lw=0.5, label=outcome.replace("_", " "))
        for yi, (l0, s) in enumerate(zip(left, share)):
            if s >= 0.12:
                ax.text(l0 + s / 2.0, yi, f"{s:.0%}", ha="center", va="center",
                        fontsize="x-small")
        left += share
    for yi, n in enumerate(table["reps"]):
        ax.text(1.01, yi, f"n={n}", va="center", fontsize="x-small")
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of replications")
    ax.set_title("Outcome", loc="left", fontsize="medium")
    handles, names = ax.get_legend_handles_labels()
    if panels < nrows * ncols:
        # A free panel: the legend goes there.
        spare = flat[panels]
        spare.axis("off")
        spare.legend(handles, names, loc="center", title="outcome", fontsize="small")
    else:
        ax.set_title("", loc="left")
        ax.legend(handles, names, loc="lower left", bbox_to_anchor=(0.0, 1.0),
                  ncol=2, fontsize="x-small", frameon=False, title="outcome",
                  title_fontsize="small", alignment="left")

    # Metrics: horizontal box plots, whiskers at the 5th and 95th percentiles.
    rng = np.random.default_rng(0)  # jitter of the dots only; fixed so pictures repeat
    for k, metric in enumerate(metrics):
        ax = flat[k + 1]
        label, factor = METRIC_LABELS.get(metric, (metric, 1.0))
        data = [g[4][metric].dropna().to_numpy(dtype=float) * factor for g in groups]
        present = [i for i, d in enumerate(data) if len(d)]
        if present:
            ax.boxplot([data[i] for i in present], positions=y[present], vert=False,
                       whis=(5, 95), widths=0.55, showfliers=False,
                       medianprops={"color": "black", "lw": 1.5},
                       boxprops={"color": "0.3"}, whiskerprops={"color": "0.3"},
                       capprops={"color": "0.3"}, manage_ticks=False)
            for i in present:
                jitter = rng.uniform(-0.18, 0.18, len(data[i]))
                ax.scatter(data[i], y[i] + jitter, s=7, color="tab:blue", alpha=0.5,
                           lw=0, zorder=3)
        for i, (d, g) in enumerate(zip(data, groups)):
            if len(d) < len(g[4]):
                # Replications where the metric is empty (order never restored).
                ax.text(1.0, i, f" {len(d)} of {len(g[4])}", va="center",
                        fontsize="x-small", transform=ax.get_yaxis_transform(),
                        color="0.35")
        ax.set_xlabel(label)
        ax.set_title(metric, loc="left", fontsize="medium")
        ax.grid(True, axis="x", alpha=0.3)
    for ax in flat[:panels]:
        ax.set_yticks(y)
        ax.set_ylim(n_groups - 0.5, -0.5)
        ax.set_yticklabels(labels if ax in (row[0] for row in axes) else [],
                           fontsize="small")
    for ax in flat[panels + 1:]:
        ax.set_visible(False)
    sources = list(dict.fromkeys(os.path.basename(os.path.normpath(g[0]))
                                 for g in groups))
    sweeps = sum(1 for g in groups if g[1] is not None)
    what = (f"{sweeps} sweep points" if sweeps == n_groups
            else f"{n_groups} runs" if sweeps == 0 else f"{n_groups} groups")
    title = args.title or (f"{sources[0]}: outcome shares and metrics across {what}"
                           if len(sources) == 1
                           else f"Outcome shares and metrics across {what}")
    fig.suptitle(title)
    uc.save_figure(fig, args.output, args.dpi)
    plt.close(fig)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    uc.check_output_format(args.output)
    render(args)
    return 0


def render(args):
    """Reads the folders and draws (args.output: a path, or a list of them)."""
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    bad = [m for m in metrics if m in uc.TEXT_COLUMNS or m in ("rep", "point")]
    if bad:
        raise uc.AnalysisError(f"--metrics: {', '.join(bad)} is not a numeric column",
                               uc.EX_USAGE)
    groups = load_groups(args, metrics)
    seen = list(dict.fromkeys(o for g in groups for o in g[4]["outcome"].dropna()))
    outcomes = OUTCOMES + [o for o in seen if o not in OUTCOMES]
    table = summarise(groups, outcomes, metrics)
    draw(args, groups, outcomes, metrics, table)
    if args.table:
        uc.write_table(table, args.table)


if __name__ == "__main__":
    sys.exit(uc.run_main(main))
