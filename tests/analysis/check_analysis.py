"""check_analysis.py: runs the analysis scripts (analysis/*.py) on real runs and checks
what they write, printing TAP.

It makes three small runs with the built unrestsim (the minimal scenario; the
reference scenario and its early-rollback counterfactual cut to 100 hours at 100
persons per agent) and a two-point sweep of the minimal scenario, runs each script on
them, and checks that
- every picture is a PNG (its signature, an IHDR chunk of a plausible size, some KB);
- the numbers the scripts write (timeline quantiles, region means and order, outcome
  shares and Wilson intervals, the record comparison's medians and intervals, first
  days of protest) equal those computed here from the CSV files with the csv and
  statistics modules, independently of pandas;
- errors give the documented exit status and a one-line message, never a traceback:
  64 usage, 65 a folder without the expected files or columns, 66 no folder.
The run's numbers themselves are not checked: the model changes, its columns do not.

Usage: /usr/bin/python3 check_analysis.py UNRESTSIM SOURCE_ROOT
Exit status: 0 all pass, 1 a check failed, 77 pandas or matplotlib missing.
"""

import csv
import datetime
import math
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import finish, ok, require_plotting, skip  # noqa: E402

require_plotting()

BIN, SRC = sys.argv[1], sys.argv[2]
ANALYSIS = os.path.join(SRC, "analysis")
PYTHON = sys.executable

# Medians and percentiles below interpolate linearly between order statistics, as the
# scripts do; the results are then the same doubles up to rounding, hence a relative
# tolerance far below any difference that matters.
REL_TOL = 1e-9


def close(a, b):
    if a is None or b is None:
        return a is b
    if math.isnan(a) and math.isnan(b):
        return True
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-9)


def percentile(values, p):
    """Linear interpolation between order statistics (numpy's default)."""
    values = sorted(values)
    pos = p / 100.0 * (len(values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (pos - lo) * (values[hi] - values[lo])


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def num(text):
    return math.nan if text == "" else float(text)


def run(args):
    """Runs a command; returns (status, stdout, stderr)."""
    done = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr


def script(name, *args):
    return run([PYTHON, os.path.join(ANALYSIS, name), *args])


def check_png(path, name):
    """A PNG: the signature, an IHDR chunk first, at least 200x150 pixels, 5 KB."""
    try:
        with open(path, "rb") as f:
            head = f.read(24)
        size = os.path.getsize(path)
    except OSError as err:
        return ok(False, f"{name}: {path} exists", str(err))
    good = (head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR")
    width, height = struct.unpack(">II", head[16:24]) if good else (0, 0)
    return ok(good and width >= 200 and height >= 150 and size >= 5000,
              f"{name}: a PNG of {width}x{height}, {size} bytes",
              f"header {head!r}, size {size}")


def make_runs(tmp):
    runs = {}
    plan = {
        "minimal": ["scenarios/minimal.cfg", "-r", "4", "-s", "7",
                    "--set", 'output.events="all"'],
        "kz": ["scenarios/kazakhstan-2022.cfg", "-r", "3", "-s", "5",
               "--set", "scenario.horizon=100", "--set", "scenario.agent_scale=100"],
        "kz-early-rollback": ["scenarios/kazakhstan-2022-early-rollback.cfg", "-r", "3",
                              "-s", "5", "--set", "scenario.horizon=100",
                              "--set", "scenario.agent_scale=100"],
    }
    for name, args in plan.items():
        folder = os.path.join(tmp, name)
        status, _, err = run([BIN, "run", os.path.join(SRC, args[0]), *args[1:],
                              "-o", folder])
        if not ok(status == 0, f"unrestsim run {name}", err.strip()):
            return None
        runs[name] = folder
    return runs


def by_rep(table):
    out = {}
    for row in table:
        out.setdefault(int(row["rep"]), []).append(row)
    return out


def test_timeline(runs, tmp, jobs):
    out = os.path.join(tmp, "plots", "timeline.png")
    table_path = os.path.join(tmp, "plots", "timeline.csv")
    status, _, err = jobs["timeline"].result()
    if not ok(status == 0, "timeline.py runs", err.strip()):
        return
    check_png(out, "timeline.py")
    national = rows(os.path.join(runs["kz"], "national.csv"))
    table = {float(r["hour"]): r for r in rows(table_path)}
    hours = sorted({float(r["hour"]) for r in national})
    ok(sorted(table) == hours, "timeline table: one row per sample hour")
    bad = []
    for hour in hours[::7]:
        for col in ("active", "detained", "security"):
            values = [float(r[col]) for r in national if float(r["hour"]) == hour]
            want = (percentile(values, 5), statistics.median(values),
                    percentile(values, 95))
            got = tuple(float(table[hour][f"{col}_{k}"]) for k in ("lo", "med", "hi"))
            if not all(close(a, b) for a, b in zip(got, want)):
                bad.append(f"hour {hour} {col}: {got} != {want}")
    ok(not bad, "timeline table: 5th, 50th, 95th percentiles across replications",
       *bad[:5])
    # The minimal run too, and a custom column set.
    out2 = os.path.join(tmp, "plots", "timeline-min.png")
    status, _, err = jobs["timeline-columns"].result()
    ok(status == 0, "timeline.py --columns on the minimal run", err.strip())
    check_png(out2, "timeline.py --columns")


def test_region_map(runs, tmp, jobs):
    out = os.path.join(tmp, "plots", "regions.png")
    table_path = os.path.join(tmp, "plots", "regions.csv")
    status, _, err = jobs["region_map"].result()
    if not ok(status == 0, "region_map.py runs", err.strip()):
        return
    check_png(out, "region_map.py")
    series = rows(os.path.join(runs["kz"], "timeseries.csv"))
    means = {}
    for r in series:
        means.setdefault((r["region"], float(r["hour"])), []).append(float(r["active"]))
    regions = list(dict.fromkeys(r["region"] for r in series))
    table = rows(table_path)
    drawn = [c for c in table[0] if c not in ("hour", "time")]
    ok(sorted(drawn) == sorted(regions), "region map table: one column per region")
    bad = [f"{reg} at {row['hour']}: {row[reg]}"
           for row in table[::9] for reg in regions
           if not close(float(row[reg]),
                        statistics.mean(means[(reg, float(row["hour"]))]))]
    ok(not bad, "region map table: the mean across replications", *bad[:5])
    # Onset order: the first hour the mean reaches 100 persons never decreases down
    # the rows (regions that never reach it come last).
    hours = sorted({float(r["hour"]) for r in series})

    def onset(reg):
        for h in hours:
            if statistics.mean(means[(reg, h)]) >= 100.0:
                return h
        return math.inf
    onsets = [onset(reg) for reg in drawn]
    ok(onsets == sorted(onsets), "region map: regions ordered by onset", str(onsets))


def wilson(k, n, z=1.959963984540054):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, c - h), min(1.0, c + h)


def test_outcomes(runs, tmp, jobs):
    out = os.path.join(tmp, "plots", "outcomes.png")
    table_path = os.path.join(tmp, "plots", "outcomes.csv")
    folders = [runs["kz"], runs["kz-early-rollback"], runs["minimal"]]
    status, _, err = jobs["outcomes"].result()
    if not ok(status == 0, "outcomes.py on three run folders", err.strip()):
        return
    check_png(out, "outcomes.py")
    table = rows(table_path)
    ok([r["label"] for r in table] == ["reference", "early rollback", "minimal"],
       "outcomes table: one row per folder, labelled", str([r["label"] for r in table]))
    bad = []
    for row, folder in zip(table, folders):
        summary = rows(os.path.join(folder, "summary.csv"))
        n = len(summary)
        if int(row["reps"]) != n:
            bad.append(f"{folder}: reps {row['reps']} != {n}")
        for outcome in ("order_restored", "elite_prevails", "regime_collapse",
                        "unresolved"):
            k = sum(1 for r in summary if r["outcome"] == outcome)
            low, high = wilson(k, n)
            got = (num(row[f"{outcome}_share"]), num(row[f"{outcome}_low"]),
                   num(row[f"{outcome}_high"]))
            if not all(close(a, b) for a, b in zip(got, (k / n, low, high))):
                bad.append(f"{folder} {outcome}: {got} != {(k / n, low, high)}")
        killed = [float(r["killed"]) for r in summary]
        if not close(num(row["killed_median"]), statistics.median(killed)):
            bad.append(f"{folder} killed median {row['killed_median']}")
        restored = [float(r["order_restored_hour"]) for r in summary
                    if r["order_restored_hour"] != ""]
        if int(row["order_restored_hour_n"]) != len(restored):
            bad.append(f"{folder} order_restored_hour_n {row['order_restored_hour_n']}")
    ok(not bad, "outcomes table: shares, Wilson intervals, medians, counts", *bad[:5])
    # Wilson's interval for 0 of 4 at 95%: [0, z^2 / (n + z^2)] = [0, 0.48989...].
    low, high = wilson(0, 4)
    ok(close(high, 1.959963984540054 ** 2 / (4 + 1.959963984540054 ** 2)) and low == 0,
       "Wilson interval of 0 of 4 (the known closed form)")

    sweep = os.path.join(tmp, "sweep")
    out = os.path.join(tmp, "plots", "sweep.png")
    table_path = os.path.join(tmp, "plots", "sweep-outcomes.csv")
    status, _, err = jobs["outcomes-sweep"].result()
    if not ok(status == 0, "outcomes.py on a sweep.csv", err.strip()):
        return
    check_png(out, "outcomes.py on a sweep")
    table = rows(table_path)
    path = "government.actions.[rollback].delay.median"
    want = [float(r["peak_active"]) for r in rows(os.path.join(sweep, "sweep.csv"))
            if r["point"] == "1"]
    ok(len(table) == 2 and table[1]["point"] == "1" and float(table[1][path]) == 6.0
       and len(want) == 4
       and close(num(table[1]["peak_active_median"]), statistics.median(want)),
       "sweep table: a row per point with its parameter and its metrics",
       str(table[1] if len(table) > 1 else table))
    # The same median as unrestsim's own sweep_stats.csv (GSL's quantile).
    p50 = [num(r["p50"]) for r in rows(os.path.join(sweep, "sweep_stats.csv"))
           if r["point"] == "1" and r["metric"] == "peak_active"]
    ok(len(p50) == 1 and len(table) == 2
       and close(p50[0], num(table[1]["peak_active_median"])),
       "sweep table: its median is sweep_stats.csv's p50", str(p50))


def test_record(runs, tmp, jobs):
    # The reference scenario cut to 100 hours: national quantities and the record's
    # regions; timings after hour 100 are left out.
    out = os.path.join(tmp, "record-kz")
    status, _, err = jobs["record-kz"].result()
    if not ok(status == 0, "record.py on the reference scenario", err.strip()):
        return
    check_png(os.path.join(out, "comparison.png"), "record.py picture")
    table = {(r["quantity"], r["region"]): r
             for r in rows(os.path.join(out, "comparison.csv"))}
    summary = rows(os.path.join(runs["kz"], "summary.csv"))
    bad = []
    for quantity, column in (("participants_total", "peak_active"),
                             ("deaths_total", "killed"), ("injured_total", "injured"),
                             ("damage_total_usd", "damage_usd")):
        values = [float(r[column]) for r in summary]
        row = table.get((quantity, ""))
        want = (statistics.median(values), percentile(values, 5),
                percentile(values, 95))
        got = (row and (num(row["model_median"]), num(row["model_p5"]),
                        num(row["model_p95"])))
        if not got or not all(close(a, b) for a, b in zip(got, want)):
            bad.append(f"{quantity}: {got} != {want}")
    ok(not bad, "record table: the model's median and 90% interval from summary.csv",
       *bad)
    row = table.get(("participants_total", ""))
    ok(row is not None and num(row["record"]) == 50000 and row["grade"] == "A",
       "record table: the record's official count of participants, grade A")
    # Regions with protests by hour 72: regions whose active persons reached the run's
    # own outcomes.region_active, record.py's default threshold.
    # Counted from summary.csv's exact onsets, as record.py does at that threshold.
    counts = [sum(h <= 72 for h in hours.values())
              for _, hours in sorted(onsets(runs["kz"]).items())]
    row = table.get(("regions_with_protests_by_hour_72", ""))
    ok(row is not None and close(num(row["model_median"]), statistics.median(counts)),
       "record table: regions with protests by hour 72", str(row), str(counts))
    with open(os.path.join(out, "comparison.md"), encoding="utf-8") as f:
        md = f.read()
    ok("| participants_total |" in md and "csto_request: at hour 118" in md,
       "record Markdown: the table, and a timing after the horizon left out")

    # Mangystau is on UTC+5, the record's hours on UTC+6: its local day is
    # floor((hour - 1) / 24). Almaty city is on UTC+6: floor(hour / 24). The hours
    # are the exact onsets of summary.csv's region_onsets.
    bad = []
    for region, shift in (("MAN", -1.0), ("ALA", 0.0)):
        days = [math.floor((h + shift) / 24.0)
                for _, h in sorted(first_hours(runs["kz"], region).items())]
        row = table.get(("first_protest_day", region))
        want = statistics.median(days) if days else math.nan
        if row is None or not close(num(row["model_median"]), want) \
                or int(row["model_n"]) != len(days):
            bad.append(f"{region}: {row and row['model_median']} != {want} "
                       f"({len(days)} replications)")
    ok(not bad, "record table: first day of protest per region, local time", *bad)

    # The record's origin moved so that Mangystau's median first protest falls half
    # an hour before local midnight: its day is 0 in its own zone (UTC+5).
    shift = record_shift(runs)
    if shift is None:
        # The check needs a first protest in Mangystau in each replication: a model
        # matter, not the tool's, so it is skipped rather than failed.
        skip("first days with --record-start", "no protest in Mangystau in some "
             "replication")
        return
    status, _, err = jobs["record-shifted"].result()
    table = {(r["quantity"], r["region"]): r
             for r in rows(os.path.join(tmp, "record-shifted", "comparison.csv"))}
    bad = []
    for region, to_local in (("MAN", -1.0), ("ALA", 0.0)):
        hours = first_hours(runs["kz"], region)
        want = statistics.median(math.floor((h + shift + to_local) / 24.0)
                                 for h in hours.values()) if hours else math.nan
        row = table.get(("first_protest_day", region))
        if row is None or not close(num(row["model_median"]), want):
            bad.append(f"{region}: {row and row['model_median']} != {want}")
    ok(status == 0 and not bad and num(table[("first_protest_day", "MAN")]
                                      ["model_median"]) == 0,
       "record table: a run starting later than the record (--record-start), "
       "first days in local time", err.strip(), *bad)
    ok(("detained_by_11_jan", "") not in table,
       "record table: no detentions at hour 252 from a run of 100 hours")
    row = table.get(("first_protest_day", "MAN"))
    ok(row is not None and num(row["record"]) == 1 and row["grade"] == "A",
       "record table: Mangystau's recorded first day (1) and grade (A)")


def error_cases(runs, tmp):
    """(script, arguments, expected exit status); makes the folders they read."""
    empty = os.path.join(tmp, "empty")
    os.makedirs(empty)
    # A folder whose files lack a column.
    broken = os.path.join(tmp, "broken")
    os.makedirs(broken)
    for name in ("national.csv", "timeseries.csv", "summary.csv"):
        with open(os.path.join(runs["minimal"], name)) as f, \
                open(os.path.join(broken, name), "w") as g:
            lines = f.read().splitlines()
            header = lines[0].split(",")
            drop = header.index("active" if name != "summary.csv" else "outcome")
            for line in lines[:5]:
                fields = line.split(",")
                g.write(",".join(fields[:drop] + fields[drop + 1:]) + "\n")
    missing = os.path.join(tmp, "no-such-run")
    out = os.path.join(tmp, "plots", "x.png")
    return [
        ("timeline.py", [missing, "-o", out], 66),
        ("region_map.py", [missing, "-o", out], 66),
        ("outcomes.py", [missing, "-o", out], 66),
        ("record.py", [missing, "-o", os.path.join(tmp, "x")], 66),
        ("timeline.py", [empty, "-o", out], 65),
        ("region_map.py", [empty, "-o", out], 65),
        ("outcomes.py", [empty, "-o", out], 65),
        ("record.py", [empty, "-o", os.path.join(tmp, "x")], 65),
        ("timeline.py", [broken, "-o", out], 65),
        ("region_map.py", [broken, "-o", out], 65),
        ("outcomes.py", [broken, "-o", out], 65),
        ("record.py", [broken, "-o", os.path.join(tmp, "x")], 65),
        ("timeline.py", ["--no-such-option", runs["minimal"]], 64),
        ("timeline.py", [runs["minimal"], "-o", os.path.join(tmp, "x.txt")], 64),
    ] + [(name, ["--help"], 0) for name in ("timeline.py", "region_map.py",
                                             "outcomes.py", "record.py")]


def test_errors(cases, jobs):
    for k, (name, args, want) in enumerate(cases):
        status, text, err = jobs[f"error-{k}"].result()
        if want == 0:
            ok(status == 0 and "usage:" in text, f"{name} --help")
            continue
        ok(status == want and err.strip() and "Traceback" not in err,
           f"{name} {' '.join(os.path.basename(a) for a in args)}: exit {want}",
           f"exit {status}", err.strip()[-300:])


def make_sweep(tmp):
    """A real sweep's folder: the minimal scenario at two rollback delays (24 and 6
    hours), 4 replications each. None when unrestsim sweep fails."""
    spec = os.path.join(tmp, "sweep.cfg")
    with open(spec, "w", encoding="utf-8") as f:
        f.write(f'scenario = "{os.path.join(SRC, "scenarios", "minimal.cfg")}";\n'
                'replications = 4;\nseed = 7;\ndesign = "list";\n'
                'parameters = [ "government.actions.[rollback].delay.median" ];\n'
                'points = ( ( 24.0 ), ( 6.0 ) );\n')
    sweep = os.path.join(tmp, "sweep")
    status, _, err = run([BIN, "sweep", spec, "-o", sweep])
    if not ok(status == 0, "unrestsim sweep of two points", err.strip()):
        return None
    return sweep


def region_active(folder):
    """outcomes.region_active of the run's scenario.cfg: the one line that sets it."""
    with open(os.path.join(folder, "scenario.cfg"), encoding="utf-8") as f:
        values = [float(line.split("=")[1].split(";")[0]) for line in f
                  if line.strip().startswith("region_active")]
    assert len(values) == 1, values
    return values[0]


def onsets(folder):
    """{rep: {region: hour}} from summary.csv's region_onsets: the exact hour each
    region first had region_active persons (record.py's source at the run's own
    threshold)."""
    result = {}
    for r in rows(os.path.join(folder, "summary.csv")):
        pairs = [p.split("=") for p in r["region_onsets"].split(";") if p]
        result[int(r["rep"])] = {k: float(v) for k, v in pairs}
    return result


def first_hours(folder, region):
    """Per replication, the exact hour region first had region_active persons."""
    return {rep: hours[region] for rep, hours in onsets(folder).items()
            if region in hours}


def record_shift(runs):
    """A shift of the record's origin that puts Mangystau's median first protest at
    23.5 local hours (UTC+5) after it, 24.5 on the record's clock (UTC+6): a tool
    that forgot the region's time zone would count day 1 instead of day 0."""
    hours = first_hours(runs["kz"], "MAN")
    if len(hours) != 3:
        return None
    return 24.5 - statistics.median(hours.values())


def start_jobs(pool, runs, tmp):
    """Starts every script run at once (they take a second or two each, most of it
    importing matplotlib); the checks then wait for the ones they read."""
    plots = os.path.join(tmp, "plots")
    os.makedirs(plots)
    # A failed sweep is already a failed check; the script then fails on no folder.
    sweep = make_sweep(tmp) or os.path.join(tmp, "sweep")
    names = os.path.join(ANALYSIS, "data", "regions-2022.csv")
    plan = {
        "timeline": ("timeline.py", runs["kz"], "-o", f"{plots}/timeline.png",
                     "--table", f"{plots}/timeline.csv"),
        "timeline-columns": ("timeline.py", runs["minimal"], "-o",
                             f"{plots}/timeline-min.png", "--columns",
                             "held,legitimacy", "--runs", "--time-axis", "hours"),
        "region_map": ("region_map.py", runs["kz"], "-o", f"{plots}/regions.png",
                       "--table", f"{plots}/regions.csv", "--names", names),
        "outcomes": ("outcomes.py", runs["kz"], runs["kz-early-rollback"],
                     runs["minimal"], "-o", f"{plots}/outcomes.png", "--table",
                     f"{plots}/outcomes.csv", "--label", "reference", "--label",
                     "early rollback"),
        "outcomes-sweep": ("outcomes.py", sweep, "-o", f"{plots}/sweep.png",
                           "--table", f"{plots}/sweep-outcomes.csv"),
        "record-kz": ("record.py", runs["kz"], "-o", f"{tmp}/record-kz", "--format",
                      "png"),
    }
    shift = record_shift(runs)
    if shift is not None:
        start = datetime.datetime.fromisoformat("2022-01-01T00:00:00+06:00")
        origin = (start - datetime.timedelta(hours=shift)).isoformat()
        plan["record-shifted"] = ("record.py", runs["kz"], "-o",
                                  f"{tmp}/record-shifted", "--record-start", origin)
    cases = error_cases(runs, tmp)
    for k, (name, args, _) in enumerate(cases):
        plan[f"error-{k}"] = (name, *args)
    return {key: pool.submit(script, *job) for key, job in plan.items()}, cases


def main():
    tmp = tempfile.mkdtemp(prefix="unrest-analysis-")
    try:
        runs = make_runs(tmp)
        if runs:
            with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
                jobs, cases = start_jobs(pool, runs, tmp)
                test_timeline(runs, tmp, jobs)
                test_region_map(runs, tmp, jobs)
                test_outcomes(runs, tmp, jobs)
                test_record(runs, tmp, jobs)
                test_errors(cases, jobs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
