"""Reading a run's CSV files, and what every analysis script shares.

The analysis scripts (timeline.py, region_map.py, outcomes.py, record.py) import this
module from their own folder. It holds:

- the columns each CSV file of a run folder must have (docs/output.md), and a reader
  that checks them and reads counts, hours and text the way the files write them;
- the exit statuses of sysexits.h that the program itself uses (64 usage, 65 a folder
  without the expected files or columns, 66 a missing folder, 73 an output that cannot
  be written), raised as AnalysisError and turned into a one-line message on stderr by
  run_main(), never a traceback;
- per-sample quantiles across replications, the run's start time, and a date axis;
- the checks of the options more than one script takes (--band, --format, the record
  options --record, --regions and --record-start, one option that needs another), each
  a usage error (64) with the same message in every script;
- the run's manifest.cfg read a setting at a time, and the hash unrestsim records of
  the files it names.

Debian packages: python3-pandas, python3-matplotlib (run with /usr/bin/python3).
"""

import argparse
import csv
import datetime
import gzip
import math
import os
import re
import sys

EX_USAGE = 64
EX_DATAERR = 65
EX_NOINPUT = 66
EX_SOFTWARE = 70
EX_CANTCREAT = 73

# The columns each file has (docs/output.md). A reader asks only for the ones it uses,
# so that a file with more columns (the model grows) still reads.
COLUMNS = {
    "summary.csv": [
        "rep", "seed", "outcome", "peak_active", "peak_hour", "regions_joined", "killed",
        "killed_security", "injured", "detained", "damage_usd", "shutdown_region_hours",
        "csto_request_hour", "csto_troops_peak", "order_restored_hour", "events",
        "fingerprint", "region_onsets", "action_hours"],
    "national.csv": [
        "rep", "hour", "active", "held", "detained", "killed", "injured",
        "security", "csto_troops", "connectivity", "legitimacy", "facilities_held",
        "damage_usd"],
    "timeseries.csv": [
        "rep", "hour", "region", "active", "held", "detained", "killed",
        "injured", "security", "csto_troops", "internet"],
    "events.csv": ["rep", "hour", "time", "event", "region", "value", "detail"],
}

# Columns that hold text. Every other column is numeric, and only an empty field is a
# missing value there; text columns keep every field as written, so that a region whose
# id is "NA" or "NULL" stays a region and is not read as missing (pandas' default).
TEXT_COLUMNS = {"seed", "outcome", "fingerprint", "time", "region", "internet", "event",
                "detail", "label", "region_onsets", "action_hours"}


class AnalysisError(Exception):
    """A user-facing failure: a message for stderr and an exit status."""

    def __init__(self, message, status=EX_DATAERR):
        super().__init__(message)
        self.status = status


class ArgumentParser(argparse.ArgumentParser):
    """argparse, exiting with 64 (EX_USAGE) on a usage error, as unrestsim does."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EX_USAGE, f"{self.prog}: error: {message}\n")


def add_record_options(parser):
    """--record, --regions, --record-start: a record other than the scenario's own
    (record.py, validation.py, figures.py); check_record_options checks them."""
    parser.add_argument("--record", metavar="FILE.csv",
                        help="compare with this record (docs/record.md) instead of the "
                             "one the run's scenario names (scenario.record)")
    parser.add_argument("--regions", metavar="FILE.csv",
                        help="with --record: its regions file (first_protest_day, "
                             "utc_offset)")
    add_record_start_option(parser)


def add_record_start_option(parser):
    """--record-start alone (timeline.py, which marks a record's events and takes no
    regions file)."""
    parser.add_argument("--record-start", metavar="ISO8601",
                        help="the instant the record's hours count from (default: "
                             "the scenario's start)")


def check_record_options(parser, args):
    """Usage errors for the options of add_record_options (or of
    add_record_start_option): a --record-start that is not an ISO 8601 time with a UTC
    offset, --regions without --record. The start stays text; aware_time reads it
    where it is used."""
    if args.record_start is not None:
        try:
            aware_time(args.record_start, "--record-start")
        except AnalysisError as err:
            parser.error(str(err))
    if getattr(args, "regions", None) and not args.record:
        parser.error("--regions: only with --record (a run's record comes with its "
                     "regions file)")


def aware_time(text, option):
    """An aware datetime from ISO 8601 text (an aware datetime is returned as it is);
    AnalysisError(64) naming `option` when the text is not one, or has no UTC offset."""
    if isinstance(text, datetime.datetime):
        stamp = text
    else:
        try:
            stamp = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise AnalysisError(f"{option}: not an ISO 8601 time: {text}",
                                EX_USAGE) from None
    if stamp.tzinfo is None:
        raise AnalysisError(f"{option}: needs a UTC offset, e.g. +06:00: {text}",
                            EX_USAGE)
    return stamp


def needs(parser, args, option, needed, why=None, dest=None):
    """A usage error "OPTION: needs NEEDED (WHY)" when `option` is given and `needed`
    is not: another option, or (with `dest`, the argument's name) a description of a
    positional argument."""
    def value(name):
        return getattr(args, name.lstrip("-").replace("-", "_"))
    if value(option) and not value(dest or needed):
        parser.error(f"{option}: needs {needed}" + (f" ({why})" if why else ""))


def check_band(parser, band):
    """--band LOW HIGH: percentiles with 0 <= LOW < 50 < HIGH <= 100."""
    low, high = band
    if not 0.0 <= low < 50.0 < high <= 100.0:
        parser.error("--band: need 0 <= LOW < 50 < HIGH <= 100")


def format_list(parser, text, allowed=("png", "pdf", "svg")):
    """--format FMT[,FMT]: the list of picture formats, each one of `allowed`."""
    formats = [f.strip() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in allowed]
    if bad or not formats:
        parser.error(f"--format: expected png, pdf or svg, found {','.join(bad) or 'none'}")
    return formats


def run_main(main):
    """Calls main(); turns AnalysisError and I/O errors into a message and a status."""
    prog = os.path.basename(sys.argv[0])
    try:
        status = main()
    except AnalysisError as err:
        print(f"{prog}: {err}", file=sys.stderr)
        return err.status
    except KeyboardInterrupt:
        return 130
    return 0 if status is None else status


def pandas_module():
    # Imported late so that --help works, and a missing package gives a clear message.
    try:
        import pandas
    except ImportError as err:
        raise AnalysisError(f"{err}: install the Debian package python3-pandas and run "
                            "with /usr/bin/python3", EX_SOFTWARE) from None
    return pandas


def pyplot():
    """matplotlib.pyplot on the Agg backend (files only, no display needed)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise AnalysisError(f"{err}: install the Debian package python3-matplotlib and "
                            "run with /usr/bin/python3", EX_SOFTWARE) from None
    return plt


def run_folder(path):
    """Checks that `path` is a folder; exit status 66 if it is not."""
    if not os.path.exists(path):
        raise AnalysisError(f"{path}: no such folder", EX_NOINPUT)
    if not os.path.isdir(path):
        raise AnalysisError(f"{path}: not a folder", EX_NOINPUT)
    return path


def manifest_text(folder, name):
    """A string setting `name` of the folder's manifest.cfg (written by unrestsim, one
    setting a line), or None when there is none or the file cannot be read."""
    path = os.path.join(folder, "manifest.cfg")
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r'\s*' + re.escape(name) + r'\s*=\s*"((?:[^"\\]|\\.)*)"\s*;',
                             line)
                if m:
                    return re.sub(r'\\(.)', r'\1', m.group(1))
    except (OSError, UnicodeDecodeError):
        pass
    return None


def file_hash(path):
    """The FNV-1a 64 hash of a file's bytes, as unrestsim writes it in manifest.cfg
    (sim/output/manifest.c, ur_file_hash): "0x" and 16 hex digits."""
    h = 14695981039346656037
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            for byte in chunk:
                h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"0x{h:016x}"


def scenario_line(folder, group, name, pattern):
    """The first match of `pattern` (the value's regular expression, one group) on the
    line `name = VALUE;` inside the top-level group `group` of the run's resolved
    scenario (scenario.cfg), or None when the run has none. The resolved file is
    written by unrestsim itself, one setting a line inside its top-level groups
    (`group = {` ... `};`), so reading that one line needs no libconfig parser."""
    path = os.path.join(folder, "scenario.cfg")
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    inside = False
    for line in lines:
        text = line.strip()
        if re.match(r"^%s\s*=\s*\{$" % re.escape(group), text):
            inside = True
        elif inside and text.startswith("};"):
            inside = False
        elif inside:
            m = re.match(r"^%s\s*=\s*%s\s*;" % (re.escape(name), pattern), text)
            if m:
                return m.group(1)
    return None


def scenario_setting(folder, group, name, default):
    """A real setting `group.name` of the run's scenario.cfg, or `default`."""
    value = scenario_line(folder, group, name, r"([-+0-9.eE]+)")
    return default if value is None else float(value)


def scenario_text(folder, group, name):
    """A string setting `group.name` of the run's scenario.cfg, or None."""
    return scenario_line(folder, group, name, r'"([^"\\]*)"')


def data_path(folder, name):
    """The path of a run's file NAME: NAME itself, or NAME.gz when only the compressed
    copy is there (unrestsim may write its CSV files gzip-compressed, docs/output.md)."""
    path = os.path.join(folder, name)
    if not os.path.isfile(path) and os.path.isfile(path + ".gz"):
        return path + ".gz"
    return path


def has_file(folder, name):
    return os.path.isfile(data_path(folder, name))


def open_text(path):
    """A text stream of a file, decompressed when its name ends in .gz."""
    if path.endswith(".gz"):
        return gzip.open(path, "rt", newline="", encoding="utf-8")
    return open(path, newline="", encoding="utf-8")


def read_csv(path, columns=None, what=None, allow_empty=False, text=(), optional=()):
    """Reads a CSV file of a run, checking that it holds `columns` (all if None).

    Columns named in `optional` are read when the file has them and left out when
    not (a run may choose its columns: `time` is not written by default).
    A file whose name ends in .gz is decompressed (pandas does it by the name).

    Numeric columns: an empty field is NaN, `inf` is infinity. Text columns (above)
    are read as written, and so are the columns named in `text`. Only the asked
    columns are read, to spare memory on large timeseries files. Raises
    AnalysisError(65) for a missing file, a missing column, a file that is not CSV,
    or one without rows (unless allow_empty).
    """
    what = what or path
    header = read_header(path, what)
    wanted = header if columns is None else list(columns)
    wanted = [c for c in wanted if c not in optional or c in header]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise AnalysisError(f"{what}: missing column(s) {', '.join(missing)} "
                            f"(has {', '.join(header)})", EX_DATAERR)
    pd = pandas_module()
    texts = TEXT_COLUMNS.union(text)
    na_values = {c: [""] for c in wanted if c not in texts}
    dtypes = {c: str for c in wanted if c in texts}
    try:
        frame = pd.read_csv(path, usecols=wanted, keep_default_na=False,
                            na_values=na_values, dtype=dtypes)
    except (ValueError, UnicodeDecodeError, OSError, EOFError) as err:
        raise AnalysisError(f"{what}: cannot read as CSV: {err}", EX_DATAERR) from None
    if len(frame) == 0:
        if not allow_empty:
            raise AnalysisError(f"{what}: no rows (did every replication fail?)",
                                EX_DATAERR)
        return frame
    for col in wanted:
        if col not in texts and frame[col].dtype == object:
            raise AnalysisError(f"{what}: column {col} is not numeric", EX_DATAERR)
    return frame


def read_header(path, what=None):
    """The column names of a CSV file; AnalysisError(65) if it cannot be read.

    Read with the csv module, so that a folder without the expected files or columns
    is refused before pandas is even imported (a second saved on every mistake).
    """
    what = what or path
    if not os.path.isfile(path):
        raise AnalysisError(f"{what}: no such file", EX_DATAERR)
    try:
        with open_text(path) as f:
            header = next(csv.reader(f), [])
    except (csv.Error, UnicodeDecodeError, OSError, EOFError) as err:
        raise AnalysisError(f"{what}: cannot read as CSV: {err}", EX_DATAERR) from None
    if not header:
        raise AnalysisError(f"{what}: empty file, no header", EX_DATAERR)
    return header


def read_run(folder, name, columns=None, allow_empty=False, optional=("time",)):
    """Reads NAME (e.g. "national.csv", or NAME.gz) of a run folder; see read_csv.
    The `time` column is optional: start_time() falls back on scenario.cfg."""
    run_folder(folder)
    path = data_path(folder, name)
    return read_csv(path, columns, what=path, allow_empty=allow_empty,
                    optional=optional)


def start_time(frame, what="the run", folder=None):
    """The run's start (hour 0) as an aware datetime.

    From the frame's hour and time when it has a time column (the first row is
    enough: every row writes the same instant twice, docs/output.md); otherwise from
    scenario.start of the run's scenario.cfg in `folder`.
    """
    if "time" not in frame.columns:
        text = scenario_text(folder, "scenario", "start") if folder else None
        if text is None:
            raise AnalysisError(f"{what}: no time column, and no scenario.start in "
                                f"{os.path.join(folder or '.', 'scenario.cfg')}",
                                EX_DATAERR)
        try:
            stamp = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise AnalysisError(f"{folder}/scenario.cfg: scenario.start: expected an "
                                f"ISO 8601 time, found {text!r}", EX_DATAERR) from None
        if stamp.tzinfo is None:
            raise AnalysisError(f"{folder}/scenario.cfg: scenario.start {text} has no "
                                "UTC offset", EX_DATAERR)
        return stamp
    try:
        stamp = datetime.datetime.fromisoformat(str(frame["time"].iloc[0]))
        hour = float(frame["hour"].iloc[0])
    except (ValueError, KeyError, IndexError) as err:
        raise AnalysisError(f"{what}: cannot read the time column: {err}",
                            EX_DATAERR) from None
    if stamp.tzinfo is None:
        raise AnalysisError(f"{what}: time {frame['time'].iloc[0]} has no UTC offset",
                            EX_DATAERR)
    return stamp - datetime.timedelta(hours=hour)


def time_column(frame, hours, start):
    """The `time` text of each of `hours`: from the frame's time column when it has
    one (as the run wrote it), else computed from the start."""
    if "time" in frame.columns:
        times = frame.drop_duplicates("hour").set_index("hour")["time"]
        return hours.map(times)
    return hours.map(lambda h: (start + datetime.timedelta(hours=float(h))).isoformat())


def quantile_bands(frame, columns, low=5.0, high=95.0, by="hour"):
    """Per sample (`by`), the low, median and high percentiles across replications.

    Returns a frame indexed by `by` with columns COL_lo, COL_med, COL_hi and `reps`
    (how many replications have that sample). Percentiles interpolate linearly between
    order statistics (pandas' and numpy's default), so the median of an even count is
    the mean of the middle two.
    """
    pd = pandas_module()
    groups = frame.groupby(by)
    parts = {"reps": groups.size()}
    for col in columns:
        q = groups[col].quantile([low / 100.0, 0.5, high / 100.0]).unstack()
        parts[f"{col}_lo"] = q[low / 100.0]
        parts[f"{col}_med"] = q[0.5]
        parts[f"{col}_hi"] = q[high / 100.0]
    return pd.DataFrame(parts)


def add_date_axis(ax, start, hour_min, hour_max, max_labels=16):
    """Adds the calendar dates of the run's time zone on the top edge of `ax`.

    The bottom axis stays in hours since the start; the top one marks each local
    midnight (in the offset the run's time column is written in) with its date, every
    day or every few days so that at most max_labels are drawn.
    """
    first = start + datetime.timedelta(hours=hour_min)
    midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
    if midnight < first:
        midnight += datetime.timedelta(days=1)
    days = []
    while True:
        h = (midnight - start).total_seconds() / 3600.0
        if h > hour_max:
            break
        days.append((h, midnight))
        midnight += datetime.timedelta(days=1)
    top = ax.secondary_xaxis("top")
    if not days:
        top.set_xticks([hour_min])
        top.set_xticklabels([first.strftime("%d %b %Y %H:%M")])
        return top
    step = max(1, math.ceil(len(days) / max_labels))
    shown = days[::step]
    top.set_xticks([h for h, _ in shown])
    top.set_xticklabels([d.strftime("%-d %b") for _, d in shown], fontsize="small")
    return top


def panel_grid(plt, panels, ncols=3, width=4.2, height=2.9, constrained=False):
    """A figure of `panels` axes in rows of at most `ncols` (the unused ones hidden):
    (figure, the list of the axes used). Each panel is width x height inches, with
    0.8 inch for the title on top. The margins are fixed, in inches, unless
    `constrained` (matplotlib's constrained layout, for long tick labels): measuring
    every label of a dozen panels costs more than drawing them."""
    ncols = max(1, min(ncols, panels))
    nrows = max(1, math.ceil(panels / ncols))
    fig_w, fig_h = width * ncols, height * nrows + 0.8
    fig, axes = plt.subplots(nrows, ncols, figsize=(fig_w, fig_h), squeeze=False,
                             layout="constrained" if constrained else None)
    if not constrained:
        fig.subplots_adjust(left=0.75 / fig_w, right=1.0 - 0.2 / fig_w,
                            bottom=0.6 / fig_h, top=1.0 - 0.85 / fig_h,
                            wspace=0.95 / (width - 0.95), hspace=1.0 / (height - 1.0))
    flat = [ax for row in axes for ax in row]
    for ax in flat[panels:]:
        ax.set_visible(False)
    return fig, flat[:panels]


def utc_offset_text(start):
    """"+06:00" for the start's offset."""
    text = start.strftime("%z")
    return f"{text[:3]}:{text[3:]}" if len(text) == 5 else text


def save_figure(fig, path, dpi=100):
    """Writes the figure (format from the file name's extension); 73 if it cannot.
    `path` may be a list of paths: the same figure in several formats."""
    for one in ([path] if isinstance(path, str) else path):
        folder = os.path.dirname(one)
        try:
            if folder:
                os.makedirs(folder, exist_ok=True)
            fig.savefig(one, dpi=dpi)
        except (OSError, ValueError) as err:
            raise AnalysisError(f"{one}: cannot write: {err}", EX_CANTCREAT) from None


def write_text(path, text):
    """Writes a text file; 73 if it cannot."""
    folder = os.path.dirname(path)
    try:
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except OSError as err:
        raise AnalysisError(f"{path}: cannot write: {err}", EX_CANTCREAT) from None


def write_table(frame, path):
    """Writes a frame as CSV in the project's format (comma, `.`, LF, empty = NaN)."""
    write_text(path, frame.to_csv(index=False, lineterminator="\n",
                                  float_format=_float_repr))


def _float_repr(value):
    # repr() gives the shortest text that reads back to the same double, with a
    # decimal point or an exponent, as unrestsim writes reals (docs/output.md).
    return repr(float(value))


def check_output_format(path, allowed=(".png", ".pdf", ".svg")):
    """Raises a usage error if the output file's extension is not a known format."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in allowed:
        raise AnalysisError(f"{path}: output must end in {', '.join(allowed)}", EX_USAGE)
