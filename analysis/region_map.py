#!/usr/bin/python3
"""Region-by-time map of activity.

Reads RUN_DIR/timeseries.csv and draws a heat map: one row per region, one column per
sample hour, the colour the mean across replications of the persons active in that
region at that hour (a logarithmic colour scale by default: a region with a few dozen
protesters shows beside one with thousands; cells with none are grey). Above it, the
national total of those means. Regions are ordered by onset, the first hour their mean
reaches --onset persons (default 100), so the spread reads from top to bottom; regions
that never reach it come last, by peak. --order scenario keeps the scenario's order.
--names FILE (a CSV with columns id and name, such as data/regions-2022.csv) labels
rows with the regions' names. --table writes the matrix (hour, time, then one column
per region, in the drawn order) as CSV.

Works on any run's folder: any scenario, any number of replications and regions.

  region_map.py out/kazakhstan-2022 -o regions.png --names analysis/data/regions-2022.csv

Exit status: 0 done, 64 usage, 65 the folder lacks timeseries.csv or its columns,
66 no such folder, 73 cannot write the output.

Debian packages: python3-pandas, python3-matplotlib (run with /usr/bin/python3).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unrestcsv as uc  # noqa: E402


def parse_args(argv):
    parser = uc.ArgumentParser(
        prog="region_map.py",
        description="Draw a region-by-hour heat map of the mean active persons across "
                    "replications, from timeseries.csv.",
        epilog="Exit status: 64 usage, 65 missing file or column, 66 missing folder, "
               "73 cannot write.")
    parser.add_argument("run", metavar="RUN_DIR", help="a run's output folder")
    parser.add_argument("-o", "--output", default="region_map.png", metavar="FILE",
                        help="picture to write, .png, .pdf or .svg (default %(default)s)")
    parser.add_argument("--column", default="active",
                        help="timeseries.csv column to map (default active)")
    parser.add_argument("--order", choices=["onset", "scenario", "peak", "id"],
                        default="onset",
                        help="row order: first hour at --onset persons (default), the "
                             "scenario's order, largest peak first, or by id")
    parser.add_argument("--onset", type=float, default=100.0, metavar="PERSONS",
                        help="mean persons that mark a region's onset (default 100)")
    parser.add_argument("--scale", choices=["log", "linear"], default="log",
                        help="colour scale (default log)")
    parser.add_argument("--names", metavar="FILE.csv",
                        help="CSV with columns id and name, to label the rows")
    parser.add_argument("--time-axis", choices=["hours", "dates", "both"],
                        default="both",
                        help="hours since the start, calendar dates, or both "
                             "(default both)")
    parser.add_argument("--title", help="the figure's title")
    parser.add_argument("--table", metavar="FILE.csv",
                        help="also write the hour-by-region matrix of means as CSV")
    parser.add_argument("--dpi", type=int, default=100, help="PNG resolution")
    return parser.parse_args(argv)


def region_order(means, order, onset):
    """Region ids in the drawn order, and each one's onset hour (None if never)."""
    onsets = {}
    for region in means.columns:
        reached = means.index[means[region] >= onset]
        onsets[region] = float(reached[0]) if len(reached) else None
    scenario_order = list(means.columns)
    peak = means.max()
    if order == "scenario":
        return scenario_order, onsets
    if order == "id":
        return sorted(scenario_order), onsets
    if order == "peak":
        return sorted(scenario_order, key=lambda r: -peak[r]), onsets
    # onset: the earliest first; ties and regions that never reach it by peak.
    return sorted(scenario_order,
                  key=lambda r: (onsets[r] is None,
                                 onsets[r] if onsets[r] is not None else 0.0,
                                 -peak[r])), onsets


def read_names(path):
    if not path:
        return {}
    names = uc.read_csv(path, ["id", "name"], what=path, text=("id", "name"))
    return dict(zip(names["id"].astype(str), names["name"].astype(str)))


def edges(values):
    """Cell edges around sample times that may be irregular (the horizon's sample)."""
    import numpy as np
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    mid = (values[1:] + values[:-1]) / 2.0
    return np.concatenate([[values[0] - (mid[0] - values[0])], mid,
                           [values[-1] + (values[-1] - mid[-1])]])


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    uc.check_output_format(args.output)
    render(args)
    return 0


def render(args):
    """Reads the run and draws (args.output: a path, or a list of them)."""
    col = args.column
    series = uc.read_run(args.run, "timeseries.csv", ["rep", "hour", "region", col])
    if col in uc.TEXT_COLUMNS:
        raise uc.AnalysisError(f"timeseries.csv: column {col} is not numeric", uc.EX_USAGE)
    names = read_names(args.names)
    start = uc.start_time(series, uc.data_path(args.run, "timeseries.csv"), args.run)
    reps = series["rep"].nunique()
    # Regions in the order of the file (the scenario's), not pandas' sorted order.
    scenario_regions = list(dict.fromkeys(series["region"]))
    means = series.pivot_table(index="hour", columns="region", values=col,
                               aggfunc="mean", sort=True)[scenario_regions]
    order, onsets = region_order(means, args.order, args.onset)
    means = means[order]

    plt = uc.pyplot()
    import matplotlib.colors as mcolors
    import numpy as np

    hours = means.index.to_numpy(dtype=float)
    matrix = means.to_numpy(dtype=float).T
    cmap = plt.get_cmap("inferno_r").copy()
    cmap.set_bad("#e8e8e8")
    positive = matrix[matrix > 0]
    if args.scale == "log" and positive.size:
        norm = mcolors.LogNorm(vmin=max(positive.min(), 1e-9),
                               vmax=max(positive.max(), positive.min() * 10))
        shown = np.ma.masked_less_equal(matrix, 0.0)
    else:
        norm = mcolors.Normalize(vmin=0.0, vmax=max(float(np.nanmax(matrix)), 1.0))
        shown = np.ma.masked_invalid(matrix)

    # Rows a third of an inch high, and room for the labels of a two-region run.
    map_height = max(2.8, 0.32 * len(order))
    fig, (top, ax) = plt.subplots(
        2, 1, figsize=(12, 2.0 + 1.6 + map_height), sharex=True, layout="constrained",
        gridspec_kw={"height_ratios": [1.6, map_height]})
    total = means.sum(axis=1)
    top.plot(hours, total, color="tab:red", lw=1.4)
    top.fill_between(hours, 0, total, color="tab:red", alpha=0.15, lw=0)
    top.set_ylabel("persons", fontsize="small")
    top.set_title(f"sum over regions of the mean {col} persons", fontsize="small",
                  loc="left")
    top.set_ylim(bottom=0)
    top.grid(True, alpha=0.3)
    if args.time_axis in ("dates", "both"):
        uc.add_date_axis(top, start, hours.min(), hours.max())

    mesh = ax.pcolormesh(edges(hours), np.arange(len(order) + 1), shown, cmap=cmap,
                         norm=norm, shading="flat")
    ax.set_ylim(len(order), 0)
    labels = [f"{names[r]} ({r})" if r in names else r for r in order]
    ax.set_yticks(np.arange(len(order)) + 0.5)
    ax.set_yticklabels(labels, fontsize="small")
    if args.order == "onset":
        marks = [(onsets[r], i + 0.5) for i, r in enumerate(order)
                 if onsets[r] is not None]
        if marks:
            ax.scatter([m[0] for m in marks], [m[1] for m in marks], marker="|",
                       s=60, color="tab:cyan", lw=1.5,
                       label=f"onset: mean reaches {args.onset:g} persons")
            ax.legend(loc="lower right", fontsize="x-small", framealpha=0.85)
        ax.set_ylabel(f"region, by onset ({args.onset:g} persons)")
    else:
        ax.set_ylabel(f"region, by {args.order}")
    ax.set_xlabel(f"hours since {start.isoformat()}")
    ax.set_xlim(edges(hours)[0], edges(hours)[-1])
    bar = fig.colorbar(mesh, ax=[top, ax], pad=0.01, aspect=30)
    bar.set_label(f"mean {col} persons\n({reps} replication{'s' if reps != 1 else ''}"
                  + ("; log scale; grey: none)" if args.scale == "log" else ")"))
    name = os.path.basename(os.path.normpath(args.run))
    fig.suptitle(args.title or f"{name}: {col} persons by region and hour "
                               f"(mean of {reps} replication{'s' if reps != 1 else ''})")
    uc.save_figure(fig, args.output, args.dpi)
    plt.close(fig)

    if args.table:
        table = means.reset_index()
        table.insert(1, "time", uc.time_column(series, table["hour"], start))
        table.columns.name = None
        uc.write_table(table, args.table)


if __name__ == "__main__":
    sys.exit(uc.run_main(main))
