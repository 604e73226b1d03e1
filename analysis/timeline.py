#!/usr/bin/python3
"""National timeline of a run, with replication bands.

Reads RUN_DIR/national.csv and draws, for each sample hour, the median across
replications and the band between two percentiles (5 and 95 by default) of: persons
active, killed (cumulative), detained (cumulative), damage (cumulative, millions of
US dollars), internet connectivity, and effective security persons with CSTO troops.
The bottom axis counts hours since the start; the top axis gives the calendar dates
in the run's own UTC offset, read from the `time` column. --columns draws any other
numeric columns of national.csv instead, one panel each. --table also writes the
quantiles as CSV (hour, time, reps, then COL_lo, COL_med, COL_hi per column).

Works on any run's folder: any scenario, any number of replications and regions.

  timeline.py out/kazakhstan-2022 -o timeline.png

Exit status: 0 done, 64 usage, 65 the folder lacks national.csv or its columns,
66 no such folder, 73 cannot write the output.

Debian packages: python3-pandas, python3-matplotlib (run with /usr/bin/python3).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import record  # noqa: E402
import unrestcsv as uc  # noqa: E402

# Panels: title, y label, and the series drawn in it (column, legend label, factor
# applied to the values, colour).
PANELS = [
    ("Protesters", "active persons",
     [("active", "active", 1.0, "tab:red")]),
    ("Deaths (cumulative)", "persons killed",
     [("killed", "killed", 1.0, "black")]),
    ("Detentions (cumulative)", "persons detained",
     [("detained", "detained", 1.0, "tab:purple")]),
    ("Damage (cumulative)", "million US$",
     [("damage_usd", "damage", 1e-6, "tab:brown")]),
    ("Internet connectivity", "share of population online",
     [("connectivity", "connectivity", 1.0, "tab:blue")]),
    ("Security forces", "persons",
     [("security", "effective security", 1.0, "tab:green"),
      ("csto_troops", "CSTO troops", 1.0, "tab:orange")]),
]

COLOURS = ["tab:red", "tab:blue", "tab:green", "tab:purple", "tab:orange", "tab:brown",
           "tab:pink", "tab:gray", "tab:olive", "tab:cyan"]


def parse_args(argv):
    parser = uc.ArgumentParser(
        prog="timeline.py",
        description="Draw a run's national timeline: the median across replications "
                    "and a percentile band, per sample hour, from national.csv.",
        epilog="Exit status: 64 usage, 65 missing file or column, 66 missing folder, "
               "73 cannot write.")
    parser.add_argument("run", metavar="RUN_DIR", help="a run's output folder")
    parser.add_argument("-o", "--output", default="timeline.png", metavar="FILE",
                        help="picture to write, .png, .pdf or .svg (default %(default)s)")
    parser.add_argument("--columns", metavar="COL,COL",
                        help="national.csv columns to draw, one panel each, instead of "
                             "the default six panels")
    parser.add_argument("--band", nargs=2, type=float, default=(5.0, 95.0),
                        metavar=("LOW", "HIGH"),
                        help="percentiles of the band (default 5 95)")
    parser.add_argument("--runs", action="store_true",
                        help="also draw each replication as a thin line")
    parser.add_argument("--time-axis", choices=["hours", "dates", "both"],
                        default="both",
                        help="hours since the start, calendar dates, or both "
                             "(default both)")
    parser.add_argument("--title", help="the figure's title")
    parser.add_argument("--table", metavar="FILE.csv",
                        help="also write the per-hour quantiles as CSV")
    parser.add_argument("--record", metavar="FILE.csv",
                        help="mark the events (rows of unit `event`) of this historical "
                             "record (docs/record.md) on every panel")
    uc.add_record_start_option(parser)
    parser.add_argument("--dpi", type=int, default=100, help="PNG resolution")
    args = parser.parse_args(argv)
    uc.check_band(parser, args.band)
    uc.check_record_options(parser, args)
    return args


def panels_for(args):
    if not args.columns:
        return PANELS
    columns = [c.strip() for c in args.columns.split(",") if c.strip()]
    if not columns:
        raise uc.AnalysisError("--columns: no column named", uc.EX_USAGE)
    return [(c, c, [(c, c, 1.0, COLOURS[i % len(COLOURS)])])
            for i, c in enumerate(columns)]


def recorded_events(args, start):
    """The record's events in run hours within the run: [(hour, low, high, name)]."""
    if not args.record:
        return []
    origin = args.record_start or uc.scenario_text(args.run, "scenario", "start")
    if not origin:
        raise uc.AnalysisError(f"{args.run}: no scenario.start in its scenario.cfg to "
                               "count the record's hours from; give --record-start",
                               uc.EX_USAGE)
    events = record.record_events(args.record, origin)
    shift = (start - uc.aware_time(origin, "--record-start")).total_seconds() / 3600.0
    return [(h - shift, lo - shift, hi - shift, q) for h, lo, hi, q in events]


def draw(args, national, panels):
    plt = uc.pyplot()
    series = [s for _, _, group in panels for s in group]
    columns = list(dict.fromkeys(col for col, _, _, _ in series))
    lo, hi = args.band
    bands = uc.quantile_bands(national, columns, lo, hi)
    hours = bands.index.to_numpy()
    reps = national["rep"].nunique()
    start = uc.start_time(national, uc.data_path(args.run, "national.csv"), args.run)
    events = [e for e in recorded_events(args, start)
              if hours.min() <= e[0] <= hours.max()]

    ncols = 2 if len(panels) > 1 else 1
    nrows = (len(panels) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 2.9 * nrows + 0.9),
                             sharex=True, squeeze=False)
    band_label = f"{lo:g}–{hi:g}% of replications"
    for i, (title, ylabel, group) in enumerate(panels):
        ax = axes[i // ncols][i % ncols]
        for col, label, factor, colour in group:
            if args.runs:
                for _, one in national.groupby("rep"):
                    ax.plot(one["hour"], one[col] * factor, color=colour, lw=0.4,
                            alpha=0.35)
            ax.fill_between(hours, bands[f"{col}_lo"] * factor,
                            bands[f"{col}_hi"] * factor, color=colour, alpha=0.25,
                            lw=0, label=f"{label}: {band_label}")
            ax.plot(hours, bands[f"{col}_med"] * factor, color=colour, lw=1.6,
                    label=f"{label}: median")
        for k, (hour, low, high, _) in enumerate(events):
            if high > low:
                ax.axvspan(low, high, color="0.5", alpha=0.10, lw=0)
            ax.axvline(hour, color="0.3", lw=0.7, ls="--")
            if i < ncols:
                ax.text(hour, 0.98 - 0.09 * (k % 3), f" {k + 1}", fontsize="xx-small",
                        transform=ax.get_xaxis_transform(), va="top", ha="left")
        if events and i == 0:
            ax.plot([], [], color="0.3", lw=0.7, ls="--",
                    label="record: events (numbered below)")
        ax.set_title(title, fontsize="medium", loc="left")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.set_xlim(hours.min(), hours.max())
        if any(s[0] == "connectivity" for s in group):
            ax.set_ylim(-0.03, 1.03)
        else:
            # Counts, money and forces are never negative: start the axis at 0, and
            # give a series that stays at 0 a unit axis rather than +-0.04.
            values = [bands[f"{s[0]}_{k}"] * s[2] for s in group for k in ("lo", "hi")]
            low = min(v.min() for v in values)
            high = max(v.max() for v in values)
            if low >= 0.0:
                top = max(ax.get_ylim()[1], 1.0) if high > 0.0 else 1.0
                ax.set_ylim(-0.02 * top, top)  # a line at 0 stays above the frame
        ax.legend(fontsize="x-small", loc="best")
        if args.time_axis in ("dates", "both") and i < ncols:
            uc.add_date_axis(ax, start, hours.min(), hours.max())
    for j in range(len(panels), nrows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)
    for ax in axes[-1]:
        if args.time_axis == "dates":
            ax.set_xlabel(f"hours since {start.isoformat()}\n(dates on the top axis)")
        else:
            ax.set_xlabel(f"hours since {start.isoformat()}")
    if len(panels) % ncols:
        axes[-2][-1].tick_params(labelbottom=True)
        axes[-2][-1].set_xlabel(f"hours since {start.isoformat()}")
    name = os.path.basename(os.path.normpath(args.run))
    title = args.title or (f"{name}: national timeline, median and {lo:g}–{hi:g}% band "
                           f"across {reps} replication{'s' if reps != 1 else ''}")
    fig.suptitle(title)
    if events:
        names = "; ".join(f"{k + 1} {q.replace('_', ' ')}"
                          for k, (_, _, _, q) in enumerate(events))
        fig.text(0.01, 0.005, f"Record ({os.path.basename(args.record)}): {names}",
                 fontsize="xx-small", wrap=True, va="bottom")
        fig.tight_layout(rect=(0, 0.02 + 0.012 * (len(names) // 160), 1, 1))
    else:
        fig.tight_layout()
    uc.save_figure(fig, args.output, args.dpi)
    plt.close(fig)
    return bands, start


def render(args):
    """Reads the run and draws (args.output: a path, or a list of them)."""
    panels = panels_for(args)
    columns = ["rep", "hour"] + list(dict.fromkeys(
        col for _, _, group in panels for col, _, _, _ in group))
    national = uc.read_run(args.run, "national.csv", columns)
    for col in columns[2:]:
        if national[col].dtype == object:
            raise uc.AnalysisError(f"national.csv: column {col} is not numeric")
    bands, start = draw(args, national, panels)
    if args.table:
        table = bands.reset_index()
        table.insert(1, "time", uc.time_column(national, table["hour"], start))
        uc.write_table(table, args.table)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    uc.check_output_format(args.output)
    render(args)
    return 0


if __name__ == "__main__":
    sys.exit(uc.run_main(main))
