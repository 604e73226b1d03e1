#!/usr/bin/python3
"""Compare a run with the historical record.

Reads a run's folder (summary.csv and national.csv; timeseries.csv and events.csv when
present) and the historical record its scenario names (scenario.record, the facts with
their sources and grades, and scenario.regions_file, each region's first day of
protest: docs/record.md), found through the run's manifest.cfg (or its scenario.cfg),
and writes to the output folder:

- comparison.csv: one row per quantity of the record that the run can measure: the
  record's value and range, its grade and source, and across replications the model's
  median, its 90% interval (5th and 95th percentiles; --band changes them), and how
  many replications have a value. `overlap` says whether the record's range and the
  model's interval meet. Timings are in hours since the record's hour 0, which is the
  scenario's start (scenario.start) unless --record-start says otherwise, and a run
  that starts at another instant is shifted to it; first days of protest are days
  from hour 0's date in the region's own time zone.
- comparison.md: the same as a Markdown table, and the record's quantities left out,
  with the reason (not measured by the model, after the run's horizon, a region the
  run does not have, a file the run did not write).
- comparison.png: the national active persons (median and band) with the record's
  events marked; the timings of the record against the model's, on one hour axis;
  and each magnitude as the ratio model / record on a log axis.

What the model's side of each row is (the `model_measure` column):
- peak active persons at once against the official count of participants: the count
  is of everyone who took part at some time, so the peak is a lower bound of it;
- killed, security killed, injured, damage, CSTO troops: the summary's totals;
- detained by the record's hour (national.csv at that hour);
- first protest of a region: the hour at which its active persons reach
  --protest-threshold (default: the run's own outcomes.region_active, read from its
  scenario.cfg: the persons from which the model counts a region as joined; 100 when
  the run has no scenario.cfg), as a day of that region's calendar; regions with
  protests by an hour: the regions that reached it by then. At the run's own
  threshold both come from summary.csv's region_onsets, the exact instant of each
  region's onset; at another threshold (or in a run without the column), from the
  first sample at or past it in timeseries.csv;
- internet: first sample with a region throttled or off, first with a region off, the
  first after that with none off, and the hours with at least one region off;
- CSTO troops landing and leaving: national.csv's csto_troops first above 0, and first
  back at 0 afterwards; order restored: summary's order_restored_hour;
- government actions and other turns of the story: the first events.csv row whose
  event is named as in EVENT_ALIASES below (or as the record's quantity itself).
Timings read from the samples are at the run's sample resolution (the first sample at
or after the moment).

  record.py out/kazakhstan-2022 -o out/kazakhstan-2022-record

A run whose scenario names no record is refused (exit 65) rather than compared with
another case's: name one with --record FILE.csv --regions FILE.csv (and
--record-start when its hour 0 is not the scenario's start). When the record's bytes
changed since the run (the manifest's record_hash), a warning says so.

Exit status: 0 done, 64 usage, 65 the run lacks summary.csv or national.csv or their
columns, or names no record (or the record lacks its columns), 66 no such folder or
record file, 73 cannot write the output.

Debian packages: python3-pandas, python3-matplotlib (run with /usr/bin/python3).
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unrestcsv as uc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

RECORD_COLUMNS = ["quantity", "value", "low", "high", "unit", "hour", "hour_low",
                  "hour_high", "region", "source", "grade"]
RECORD_TEXT = ("quantity", "unit", "region", "source", "grade")

# Record quantities that events.csv may show, by the model's event names (those of
# ur_model_event_name in model.h, and the government action kinds of DESIGN.md): the
# first matching event of a replication is its time. `regions` from the record's
# row restrict the match to events in those regions (or naming them in `detail`);
# `detail` requires that text in the detail (events.csv's `action` rows carry
# "id=ID kind=KIND"); `all_regions` takes the first hour by which every region of the
# run has had such an event. A record quantity that is itself an event name matches
# too.
EVENT_ALIASES = {
    "mangystau_price_rollback_50": {"events": ["action"], "detail": "kind=price_rollback"},
    "first_presidential_address": {"events": ["action"], "detail": "kind=address"},
    "state_of_emergency_MAN_ALA": {"events": ["emergency"]},
    "government_dismissed": {"events": ["action"], "detail": "kind=dismiss_government"},
    "state_of_emergency_ALR": {"events": ["emergency"]},
    "state_of_emergency_NUR": {"events": ["emergency"]},
    "security_council_takeover": {"events": ["action"], "detail": "kind=security_council"},
    "almaty_akimat_burned": {"events": ["seizure"], "detail": "akimat"},
    "almaty_airport_seized": {"events": ["seizure"], "detail": "airport"},
    "csto_decision": {"events": ["csto_decision"]},
    "state_of_emergency_nationwide": {"events": ["emergency"], "all_regions": True},
    "lethal_force_order": {"events": ["action"], "detail": "kind=lethal_force"},
    "csto_withdrawal_announced": {"events": ["action"], "detail": "kind=announce_withdrawal"},
}

# Quantities of the record the model does not measure (said so in comparison.md).
NOT_MODELLED = {
    "lpg_price_before": "a price, an input of the scenario",
    "lpg_price_after": "a price, an input of the scenario",
    "lpg_vehicle_share": "an input of the scenario (regions' lpg_share)",
    "internet_shutdown_cost": "part of damage_usd, not reported apart",
    "csto_troops_armenia": "contingents are inputs of the scenario",
    "csto_troops_kyrgyzstan": "contingents are inputs of the scenario",
    "csto_troops_tajikistan": "contingents are inputs of the scenario",
    "csto_troops_belarus": "contingents are inputs of the scenario",
    "csto_troops_russia": "contingents are inputs of the scenario",
    "csto_flights": "flights are inputs of the scenario",
    "csto_sites_guarded": "not reported by the model",
    "security_personnel_freed_by_csto": "not reported by the model",
    "injured_security": "the model counts injured security personnel with the rest",
    "regions_with_violence_peak": "violence by region is not reported",
    "damage_business_usd": "damage is not split by kind",
    "buildings_burned": "not reported by the model",
    "vehicles_destroyed": "not reported by the model",
}


def parse_args(argv):
    parser = uc.ArgumentParser(
        prog="record.py",
        description="Compare a run with the historical record: a table (CSV and "
                    "Markdown) of model against record, and a picture.",
        epilog="Exit status: 64 usage, 65 missing file or column, 66 missing folder, "
               "73 cannot write.")
    parser.add_argument("run", metavar="RUN_DIR", help="a run's output folder")
    parser.add_argument("-o", "--output", default="record-comparison", metavar="DIR",
                        help="folder to write comparison.csv, comparison.md and "
                             "comparison.png to (default %(default)s)")
    uc.add_record_options(parser)
    parser.add_argument("--protest-threshold", type=float, default=None,
                        metavar="PERSONS",
                        help="active persons that make a protest in a region "
                             "(default: the run's outcomes.region_active, else 100)")
    parser.add_argument("--band", nargs=2, type=float, default=(5.0, 95.0),
                        metavar=("LOW", "HIGH"),
                        help="percentiles of the model's interval (default 5 95)")
    parser.add_argument("--title", help="the figure's title")
    parser.add_argument("--format", default="png", metavar="FMT[,FMT]",
                        help="format(s) of the picture: png, pdf, svg, or several "
                             "separated by commas (default png)")
    parser.add_argument("--dpi", type=int, default=100, help="PNG resolution")
    args = parser.parse_args(argv)
    uc.check_band(parser, args.band)
    args.format = uc.format_list(parser, args.format)
    uc.check_record_options(parser, args)
    return args


def default_args(folder, source):
    """record.py's arguments for the run in `folder`, its defaults but for the record
    options, taken from `source` (another script's arguments: --record, --regions,
    --record-start, checked by uc.check_record_options)."""
    args = parse_args(["--", folder])
    args.record, args.regions, args.record_start = (source.record, source.regions,
                                                    source.record_start)
    return args


def run_record(folder):
    """(record, regions) the run's scenario names: manifest.cfg's record and
    regions_file (a run's; scenario.cfg's absolute paths when the manifest's are
    relative), else scenario.cfg's scenario.record and .regions_file (a
    sweep's or calibration's folder); (None, None) when it names none. A file that
    is no longer there is an error (66); one whose bytes changed since the run, a
    warning."""
    facts = uc.manifest_text(folder, "record")
    regions = uc.manifest_text(folder, "regions_file")
    from_manifest = facts is not None
    if not from_manifest:
        facts = uc.scenario_text(folder, "scenario", "record")
        regions = uc.scenario_text(folder, "scenario", "regions_file")
    else:
        # The manifest names a file inside the folder the run was started from
        # relatively (docs/output.md); scenario.cfg names it absolutely.
        if facts and not os.path.isabs(facts):
            facts = uc.scenario_text(folder, "scenario", "record") or facts
        if regions and not os.path.isabs(regions):
            regions = uc.scenario_text(folder, "scenario", "regions_file") or regions
    facts = facts or None
    regions = regions or None
    for path, key in ((facts, "record"), (regions, "regions_file")):
        if path is None:
            continue
        if not os.path.isfile(path):
            raise uc.AnalysisError(
                f"{folder}: its scenario's {key} {path} is not there (moved, or the run "
                "was made elsewhere); name the record with --record and --regions",
                uc.EX_NOINPUT)
        want = uc.manifest_text(folder, key.replace("_file", "") + "_hash") \
            if from_manifest else None
        if want and uc.file_hash(path) != want.lower():
            print(f"warning: {path}: changed since the run was made (its hash was "
                  f"{want}, is {uc.file_hash(path)})", file=sys.stderr)
    return facts, regions


def chosen_record(args, folder):
    """(record, regions, start) to compare the run in `folder` with: --record (with
    --regions, or none) if given, else the record the run's scenario names; the start
    is --record-start, else the scenario's start. None when neither names a record."""
    if args.record:
        facts, regions = args.record, args.regions or ""
    else:
        facts, regions = run_record(folder)
        if not facts:
            return None
        regions = regions or ""
    start = args.record_start
    if start is None:
        start = uc.scenario_text(folder, "scenario", "start")
        if not start:
            raise uc.AnalysisError(f"{folder}: no scenario.cfg with scenario.start to "
                                   "count the record's hours from; give --record-start",
                                   uc.EX_DATAERR)
    return (facts, regions, start)


def require_record(args, folder):
    """chosen_record, or the error that the run names no record (exit 65)."""
    found = chosen_record(args, folder)
    if not found:
        raise uc.AnalysisError(
            f"{folder}: its scenario names no historical record (scenario.record), so "
            "there is nothing to compare it with; set scenario.record and "
            "scenario.regions_file in the scenario (docs/record.md), or name one with "
            "--record FILE.csv --regions FILE.csv", uc.EX_DATAERR)
    return found


def read_record(path):
    """The record's rows (docs/record.md), its text columns "" where empty."""
    frame = uc.read_csv(path, RECORD_COLUMNS, what=path, text=RECORD_TEXT)
    return frame.fillna({c: "" for c in RECORD_TEXT})


def record_events(path, start):
    """The record's events (rows of unit `event` with an hour), in record hours and
    time order: [(hour, hour_low, hour_high, quantity)]."""
    uc.aware_time(start, "--record-start")
    frame = read_record(path)
    rows = frame[(frame["unit"] == "event") & frame["hour"].notna()]
    events = []
    for _, r in rows.iterrows():
        hour = float(r["hour"])
        low = hour if math.isnan(r["hour_low"]) else float(r["hour_low"])
        high = hour if math.isnan(r["hour_high"]) else float(r["hour_high"])
        events.append((hour, low, high, r["quantity"]))
    return sorted(events)


def offset_hours(text, default):
    """'+05:00' -> 5.0; `default` when empty or unreadable."""
    try:
        sign = -1.0 if text.strip().startswith("-") else 1.0
        hh, mm = text.strip().lstrip("+-").split(":")
        return sign * (int(hh) + int(mm) / 60.0)
    except (ValueError, AttributeError):
        return default


def parse_onsets(field, path, line):
    """{region: hour} from a region_onsets field (`ID=HOUR;...`, docs/output.md);
    empty when no region reached the threshold. A malformed field is refused."""
    text = "" if field is None or (isinstance(field, float) and math.isnan(field)) \
        else str(field)
    onsets = {}
    for pair in filter(None, text.split(";")):
        region, sep, hour = pair.partition("=")
        try:
            value = float(hour) if sep and region else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or region in onsets:
            raise uc.AnalysisError(f"{path}:{line}: region_onsets: expected ID=HOUR "
                                   f"pairs joined by ';', each region once, found "
                                   f"{pair!r}", uc.EX_DATAERR)
        onsets[region] = value
    return onsets


class Run:
    """A run's files, and the measures the comparison takes from them, per replication.

    Every measure returns a pandas Series indexed by the summary's replications: NaN
    where the replication has no value (no CSTO request made).
    """

    def __init__(self, folder, args):
        self.folder = folder
        self.summary = uc.read_run(folder, "summary.csv", uc.COLUMNS["summary.csv"][:16])
        self.national = uc.read_run(folder, "national.csv", [
            "rep", "hour", "active", "detained", "csto_troops", "connectivity"])
        self.series = None
        self.events = None
        if uc.has_file(folder, "timeseries.csv"):
            self.series = uc.read_run(folder, "timeseries.csv",
                                      ["rep", "hour", "region", "active", "internet"])
        if uc.has_file(folder, "events.csv"):
            self.events = uc.read_run(folder, "events.csv", uc.COLUMNS["events.csv"],
                                      allow_empty=True)
        self.reps = sorted(self.summary["rep"].unique())
        self.start = uc.start_time(self.national, uc.data_path(folder, "national.csv"),
                                   folder)
        # Record hour h is run hour h - shift.
        self.shift = (self.start - args.record_start).total_seconds() / 3600.0
        self.horizon = float(self.national["hour"].max())
        self.regions = (list(dict.fromkeys(self.series["region"]))
                        if self.series is not None else [])
        region_active = uc.scenario_setting(folder, "outcomes", "region_active", None)
        if args.protest_threshold is None:
            args.protest_threshold = 100.0 if region_active is None else region_active
        self.threshold = args.protest_threshold
        # Each region's onset, exact, from summary.csv's region_onsets (the instant
        # its active persons first reached outcomes.region_active): used whenever the
        # threshold asked for is the run's own; the samples are the fallback (older
        # runs, or another threshold), at their resolution.
        self.onsets = None
        self.onset_source = "timeseries.csv: the first sample at or past it"
        summary_path = uc.data_path(folder, "summary.csv")
        if "region_onsets" in uc.read_header(summary_path) and \
                region_active is not None and self.threshold == region_active:
            frame = uc.read_run(folder, "summary.csv", ["rep", "region_onsets"])
            self.onsets = {
                int(rep): parse_onsets(field, summary_path, line)
                for line, (rep, field) in enumerate(
                    zip(frame["rep"], frame["region_onsets"]), start=2)}
            self.onset_source = "summary.csv region_onsets: exact"

    def per_rep(self, values, fill=math.nan):
        """A {rep: value} map or Series, over every replication of the summary."""
        series = uc.pandas_module().Series(values, dtype=float)
        return series.reindex(self.reps, fill_value=fill).astype(float)

    def summary_column(self, column):
        return self.per_rep(self.summary.set_index("rep")[column])

    def national_at(self, column, run_hour):
        """Each replication's value at its last sample at or before run_hour."""
        rows = self.national[self.national["hour"] <= run_hour + 1e-9]
        return self.per_rep(rows.groupby("rep")[column].last())

    def first_national(self, condition):
        """The first sample hour (run hours) at which condition(national) holds."""
        rows = self.national[condition(self.national)]
        return self.per_rep(rows.groupby("rep")["hour"].min())

    def csto_leaving(self):
        """First sample after troops arrived at which none are left."""
        result = {}
        for rep, rows in self.national.groupby("rep"):
            present = rows[rows["csto_troops"] > 0]
            if present.empty:
                continue
            after = rows[(rows["hour"] > present["hour"].min())
                         & (rows["csto_troops"] <= 0)]
            if not after.empty:
                result[rep] = after["hour"].min()
        return self.per_rep(result)

    def first_protest(self, region):
        """The hour (run hours) at which the region first reached the threshold: exact
        from region_onsets when the run has it, else the first sample at or past it."""
        if self.onsets is not None:
            return self.per_rep({rep: hours[region] for rep, hours in self.onsets.items()
                                 if region in hours})
        rows = self.series[(self.series["region"] == region)
                           & (self.series["active"] >= self.threshold)]
        return self.per_rep(rows.groupby("rep")["hour"].min())

    def regions_protesting_by(self, run_hour):
        if self.onsets is not None:
            return self.per_rep({rep: float(sum(h <= run_hour + 1e-9
                                                for h in hours.values()))
                                 for rep, hours in self.onsets.items()}, fill=0.0)
        rows = self.series[(self.series["hour"] <= run_hour + 1e-9)
                           & (self.series["active"] >= self.threshold)]
        return self.per_rep(rows.groupby("rep")["region"].nunique(), fill=0.0)

    def region_peak_between(self, region, low, high):
        rows = self.series[(self.series["region"] == region)
                           & (self.series["hour"] >= low - 1e-9)
                           & (self.series["hour"] <= high + 1e-9)]
        return self.per_rep(rows.groupby("rep")["active"].max())

    def internet(self):
        """Per replication: first throttled-or-off, first off, first none off after
        that, and hours with some region off (run hours)."""
        throttled, off, back, hours_off = {}, {}, {}, {}
        hours = sorted(self.series["hour"].unique())
        # A sample's state holds until the next sample (the horizon's has no length).
        length = {h: (hours[i + 1] - h if i + 1 < len(hours) else 0.0)
                  for i, h in enumerate(hours)}
        by_sample = self.series.assign(
            off=self.series["internet"] == "off",
            cut=self.series["internet"] != "on").groupby(["rep", "hour"])[
                ["off", "cut"]].any().reset_index()
        for rep, rows in by_sample.groupby("rep"):
            cut = rows[rows["cut"]]
            if not cut.empty:
                throttled[rep] = cut["hour"].min()
            offs = rows[rows["off"]]
            hours_off[rep] = float(sum(length[h] for h in offs["hour"]))
            if not offs.empty:
                off[rep] = offs["hour"].min()
                later = rows[(rows["hour"] > off[rep]) & ~rows["off"]]
                if not later.empty:
                    back[rep] = later["hour"].min()
        return (self.per_rep(throttled), self.per_rep(off), self.per_rep(back),
                self.per_rep(hours_off, fill=0.0))

    def first_event(self, names, regions=(), detail=None, all_regions=False):
        """First hour (run hours) of an event named in `names`, per replication; None
        when no replication has one (the model does not report it)."""
        if self.events is None or self.events.empty:
            return None
        rows = self.events[self.events["event"].isin(names)]
        if regions:
            words = rows["detail"].fillna("").str.split()
            in_detail = words.map(lambda ws: bool(set(ws) & set(regions)))
            # events without a region (government actions) are national: they
            # stand for every region
            national = rows["region"].fillna("") == ""
            rows = rows[rows["region"].isin(regions) | in_detail | national]
        if detail:
            rows = rows[rows["detail"].fillna("").str.contains(detail, regex=False)]
        if rows.empty:
            return None
        if all_regions:
            # the hour of each region's first such event; the latest of them, when
            # every region of the run has one
            firsts = rows.groupby(["rep", "region"])["hour"].min().reset_index()
            covered = firsts.groupby("rep").filter(
                lambda g: g["region"].nunique() >= len(self.regions))
            if covered.empty:
                return None
            return self.per_rep(covered.groupby("rep")["hour"].max())
        return self.per_rep(rows.groupby("rep")["hour"].min())


def quantiles(values, low, high):
    present = values.dropna()
    if present.empty:
        return (math.nan, math.nan, math.nan, 0)
    return (float(present.quantile(0.5)), float(present.quantile(low / 100.0)),
            float(present.quantile(high / 100.0)), int(len(present)))


def overlap(rec_low, rec_high, mod_low, mod_high):
    if any(math.isnan(v) for v in (rec_low, rec_high, mod_low, mod_high)):
        return ""
    return "yes" if rec_low <= mod_high and mod_low <= rec_high else "no"


def number(value):
    return float(value) if value is not None and value == value else math.nan


def compare(run, record, regions, args):
    """The comparison rows, and the record's quantities left out with the reason."""
    rows, left_out = [], []
    lo, hi = args.band
    shift = run.shift

    def add(rec, kind, unit, measure, values, record_value, record_low, record_high,
            region="", plot_low=math.nan, plot_high=math.nan):
        med, q_lo, q_hi, n = quantiles(values, lo, hi)
        if math.isnan(record_low):
            record_low = record_value
        if math.isnan(record_high):
            record_high = record_value
        rows.append({
            "quantity": rec["quantity"], "region": region, "kind": kind, "unit": unit,
            "model_measure": measure, "record": record_value,
            "record_low": record_low, "record_high": record_high,
            "grade": rec.get("grade", ""), "model_median": med, "model_p5": q_lo,
            "model_p95": q_hi, "model_n": n, "reps": len(run.reps),
            "overlap": overlap(record_low, record_high, q_lo, q_hi),
            "source": rec.get("source", ""),
            # For the picture only: the record's window in record hours.
            "_plot_low": plot_low, "_plot_high": plot_high,
        })

    def timing(rec, measure, run_hours):
        """A timing row: run hours -> record hours."""
        add(rec, "timing", "h", measure, run_hours + shift, number(rec["hour"]),
            number(rec["hour_low"]), number(rec["hour_high"]))

    def magnitude(rec, measure, values):
        add(rec, "magnitude", rec["unit"], measure, values, number(rec["value"]),
            number(rec["low"]), number(rec["high"]))

    need_series = "needs timeseries.csv, which the run did not write"
    threshold = f"{args.protest_threshold:g}"
    for _, rec in record.iterrows():
        q = rec["quantity"]
        rec_regions = [r for r in str(rec["region"] or "").split(";") if r]
        rec_hour = number(rec["hour"])
        first_hour = number(rec["hour_low"])
        if math.isnan(first_hour):
            first_hour = rec_hour
        if not math.isnan(first_hour) and first_hour - shift > run.horizon:
            left_out.append((q, f"at hour {first_hour:g}, after the run's horizon "
                                f"({run.horizon + shift:g} in record hours)"))
            continue
        if q in NOT_MODELLED:
            left_out.append((q, NOT_MODELLED[q]))
            continue
        if q == "participants_total":
            magnitude(rec, "peak active persons at once (a lower bound of all who "
                           "took part)", run.summary_column("peak_active"))
        elif q == "deaths_total":
            magnitude(rec, "killed (summary)", run.summary_column("killed"))
        elif q == "deaths_security":
            magnitude(rec, "security killed (summary)",
                      run.summary_column("killed_security"))
        elif q == "injured_total":
            magnitude(rec, "injured (summary)", run.summary_column("injured"))
        elif q == "damage_total_usd":
            magnitude(rec, "damage_usd (summary)", run.summary_column("damage_usd"))
        elif q == "csto_troops_total":
            magnitude(rec, "CSTO troops at the peak (summary)",
                      run.summary_column("csto_troops_peak"))
        elif q.startswith("detained") and not math.isnan(rec_hour):
            magnitude(rec, f"detained by hour {rec_hour:g} (national.csv)",
                      run.national_at("detained", rec_hour - shift))
        elif q == "csto_request":
            timing(rec, "csto_request_hour (summary)",
                   run.summary_column("csto_request_hour"))
        elif q == "order_largely_restored":
            timing(rec, "order_restored_hour (summary)",
                   run.summary_column("order_restored_hour"))
        elif q == "csto_first_troops_landed":
            timing(rec, "first sample with CSTO troops (national.csv)",
                   run.first_national(lambda n: n["csto_troops"] > 0))
        elif q == "csto_withdrawal_completed":
            timing(rec, "first sample with no CSTO troops after they came "
                        "(national.csv)", run.csto_leaving())
        elif q in ("mobile_internet_throttled", "national_internet_blackout",
                   "internet_largely_restored", "internet_shutdown_total"):
            if run.series is None:
                left_out.append((q, need_series))
                continue
            throttled, off, back, hours_off = run.internet()
            if q == "mobile_internet_throttled":
                timing(rec, "first sample with a region throttled or off "
                            "(timeseries.csv)", throttled)
            elif q == "national_internet_blackout":
                timing(rec, "first sample with a region off (timeseries.csv)", off)
            elif q == "internet_largely_restored":
                timing(rec, "first sample with no region off after one was "
                            "(timeseries.csv)", back)
            else:
                magnitude(rec, "hours with at least one region off (timeseries.csv)",
                          hours_off)
        elif q.startswith("regions_with_protests_by_hour_") and not math.isnan(rec_hour):
            if run.series is None:
                left_out.append((q, need_series))
                continue
            magnitude(rec, f"regions with at least {threshold} active persons by hour "
                           f"{rec_hour:g} ({run.onset_source})",
                      run.regions_protesting_by(rec_hour - shift))
        elif q in ("first_gathering", "zhanaozen_rally_size"):
            if run.series is None:
                left_out.append((q, need_series))
                continue
            region = rec_regions[0] if rec_regions else ""
            if region not in run.regions:
                left_out.append((q, f"the run has no region {region}"))
                continue
            if q == "first_gathering":
                add(rec, "timing", "h", f"first hour with {threshold} active persons "
                                        f"in {region} ({run.onset_source})",
                    run.first_protest(region) + shift, rec_hour,
                    number(rec["hour_low"]), number(rec["hour_high"]), region)
            else:
                # Unlike things: the record counts one town's rally (Zhanaozen); the
                # reference scenario has Mangystau as one region, whose crowd includes
                # Aktau, the regional centre, which rallied the same days (no count in
                # the record). The region's crowd bounds the town's from above; the
                # description says so wherever the row is printed.
                low = number(rec["hour_low"]) - shift
                high = number(rec["hour_high"]) - shift
                add(rec, "magnitude", rec["unit"],
                    f"largest active persons in {region} between hours "
                    f"{low + shift:g} and {high + shift:g} (timeseries.csv; the whole "
                    f"region, Aktau's rallies included, against one town's rally: "
                    f"an upper bound, not a like measure)",
                    run.region_peak_between(region, low, high), number(rec["value"]),
                    number(rec["low"]), number(rec["high"]), region)
        else:
            alias = EVENT_ALIASES.get(q, {})
            names = list(alias.get("events", [])) + [q]
            values = run.first_event(names, rec_regions, alias.get("detail"),
                                     alias.get("all_regions", False))
            if values is None:
                left_out.append((q, "not in the run's events.csv"
                                 if run.events is not None
                                 else "no events.csv in the run"))
                continue
            with_detail = f" with {alias['detail']}" if alias.get("detail") else ""
            timing(rec, f"first event {' or '.join(names[:-1] or names)}{with_detail} "
                        "(events.csv)", values)

    # First day of protest, region by region, in each region's calendar.
    if regions is not None:
        origin = args.record_start.utcoffset().total_seconds() / 3600.0
        for _, reg in regions.iterrows():
            region = reg["id"]
            rec = {"quantity": "first_protest_day", "grade": reg.get(
                "first_protest_grade", ""), "source": os.path.basename(args.regions)
                + " (first_protest_day)"}
            if run.series is None:
                continue
            if region not in run.regions:
                continue
            # Local hour = record hour + (region offset - record offset).
            to_local = offset_hours(str(reg.get("utc_offset", "")), origin) - origin
            hours = run.first_protest(region) + shift
            days = (hours + to_local).floordiv(24.0)
            day = number(reg["first_protest_day"])
            plot_low = day * 24.0 - to_local if not math.isnan(day) else math.nan
            add(rec, "timing", "day", f"day of the first hour with {threshold} "
                                      "active persons, in the region's time zone "
                                      f"({run.onset_source})", days, day, day, day,
                region, plot_low, plot_low + 24.0)
            rows[-1]["_hours"] = hours
        missing = [r for r in run.regions if r not in set(regions["id"])]
        if missing:
            left_out.append(("first_protest_day", "regions not in the regions file: "
                             + ", ".join(missing)))
    elif run.series is not None:
        left_out.append(("first_protest_day", "no regions file"))
    return rows, left_out


def fmt(value, unit=""):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "USD" and abs(value) >= 1e6:
        return f"{value / 1e6:,.4g} M"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


def row_texts(r):
    """A comparison row's record ("value (low–high)") and model ("median [p5, p95]")
    as text."""
    unit = r["unit"]
    rec = fmt(r["record"], unit)
    if r["record_low"] != r["record_high"] and not math.isnan(r["record_low"]):
        rec += f" ({fmt(r['record_low'], unit)}–{fmt(r['record_high'], unit)})"
    model = fmt(r["model_median"], unit)
    if r["model_n"]:
        model += f" [{fmt(r['model_p5'], unit)}, {fmt(r['model_p95'], unit)}]"
    return rec, model


def markdown(run, rows, left_out, args):
    lo, hi = args.band
    name = os.path.basename(os.path.normpath(run.folder))
    lines = [
        f"# {name} against the historical record", "",
        f"Model: {len(run.reps)} replications; median and {lo:g}–{hi:g}% interval "
        "across them (n: replications with a value). Record: value (range), grade "
        "A well-sourced, B single source, C uncertain. Timings in hours since "
        f"{args.record_start.isoformat()}"
        + (f" (the run starts {run.shift:+g} h from it)" if run.shift else "")
        + "; first days of protest in days from hour 0's date, local time.", "",
        "| quantity | region | unit | record | model median [interval] | n | overlap "
        "| grade | model measure |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        unit = r["unit"]
        rec, model = row_texts(r)
        lines.append(f"| {r['quantity']} | {r['region']} | {unit} | {rec} | {model} "
                     f"| {r['model_n']}/{r['reps']} | {r['overlap'] or '—'} "
                     f"| {r['grade']} | {r['model_measure']} |")
    lines += ["", "Not compared:", ""]
    lines += [f"- {q}: {why}" for q, why in left_out] or ["- nothing"]
    return "\n".join(lines) + "\n"


def ratio_label(r):
    unit = r["unit"]
    text = r["quantity"] + (f" {r['region']}" if r["region"] else "")
    return f"{text}\n(record {fmt(r['record'], unit)} {unit})"


def draw(run, rows, args, path):
    plt = uc.pyplot()

    lo, hi = args.band
    shift = run.shift
    timings = [r for r in rows if r["kind"] == "timing"]
    sizes = [r for r in rows if r["kind"] == "magnitude" and r["record"] > 0]
    h_a = 3.2
    h_b = max(1.6, 0.26 * len(timings) + 0.9)
    h_c = max(1.6, 0.42 * len(sizes) + 0.9)
    fig, (ax_a, ax_b, ax_c) = plt.subplots(
        3, 1, figsize=(12, h_a + h_b + h_c + 1.0), layout="constrained",
        gridspec_kw={"height_ratios": [h_a, h_b, h_c]})

    # A: the national active persons in record hours, with the record's events.
    bands = uc.quantile_bands(run.national, ["active"], lo, hi)
    hours = bands.index.to_numpy(dtype=float) + shift
    ax_a.fill_between(hours, bands["active_lo"], bands["active_hi"], color="tab:red",
                      alpha=0.25, lw=0, label=f"model: {lo:g}–{hi:g}% of replications")
    ax_a.plot(hours, bands["active_med"], color="tab:red", lw=1.5,
              label="model: median")
    span = (hours.min(), hours.max())
    events = [r for r in timings if r["unit"] == "h" and not math.isnan(r["record"])]
    events.sort(key=lambda r: r["record"])
    for k, r in enumerate(events):
        low, high = r["record_low"], r["record_high"]
        if high > low:
            ax_a.axvspan(low, high, color="0.5", alpha=0.12, lw=0)
        ax_a.axvline(r["record"], color="0.25", lw=0.8, ls="--")
        # Labels in three staggered rows so that neighbouring events stay legible.
        ax_a.text(r["record"], 0.97 - 0.1 * (k % 3), f" {k + 1}", fontsize="x-small",
                  transform=ax_a.get_xaxis_transform(), va="top", ha="left")
    if events:
        ax_a.plot([], [], color="0.25", lw=0.8, ls="--",
                  label="record: events (numbered as below), grey: their range")
    ax_a.set_xlim(*span)
    ax_a.set_ylim(bottom=0)
    ax_a.set_ylabel("active persons")
    ax_a.set_xlabel(f"hours since {args.record_start.isoformat()}")
    ax_a.set_title("National active persons and the record's events", loc="left",
                   fontsize="medium")
    ax_a.legend(loc="upper right", fontsize="x-small")
    ax_a.grid(True, alpha=0.3)
    uc.add_date_axis(ax_a, args.record_start, *span)

    # B: timings, record against model, in record hours.
    ax_b.set_title(f"Timings: record (grey range, black diamond) and model (median, "
                   f"{lo:g}–{hi:g}% interval)", loc="left", fontsize="medium")
    order = {id(r): k + 1 for k, r in enumerate(events)}
    labels = []
    for y, r in enumerate(timings):
        if r["unit"] == "day":
            rec_low, rec_high, rec = r["_plot_low"], r["_plot_high"], math.nan
            model = r.get("_hours")
            med, q_lo, q_hi, n = quantiles(model, lo, hi)
            labels.append(f"first protest {r['region']}"
                          + (" (none recorded)" if math.isnan(r["record"]) else ""))
        else:
            rec_low, rec_high, rec = r["record_low"], r["record_high"], r["record"]
            med, q_lo, q_hi, n = r["model_median"], r["model_p5"], r["model_p95"], \
                r["model_n"]
            prefix = f"{order[id(r)]}. " if id(r) in order else ""
            labels.append(prefix + r["quantity"].replace("_", " "))
        if not math.isnan(rec_low):
            ax_b.plot([rec_low, max(rec_high, rec_low + 0.5)], [y, y], color="0.6",
                      lw=6, solid_capstyle="butt")
        if not math.isnan(rec):
            ax_b.plot([rec], [y], marker="D", color="black", ms=4)
        if n:
            ax_b.errorbar([med], [y], xerr=[[med - q_lo], [q_hi - med]], fmt="o",
                          color="tab:blue", ms=4, capsize=2, lw=1)
        if n < len(run.reps):
            ax_b.text(1.0, y, f" {n} of {len(run.reps)}", va="center",
                      fontsize="x-small", color="0.35",
                      transform=ax_b.get_yaxis_transform())
    if timings:
        ax_b.set_yticks(range(len(timings)))
        ax_b.set_yticklabels(labels, fontsize="x-small")
        ax_b.set_ylim(len(timings) - 0.5, -0.5)
    ax_b.set_xlim(*span)
    ax_b.set_xlabel(f"hours since {args.record_start.isoformat()} "
                    "(k of n: replications where it happened)")
    ax_b.grid(True, axis="x", alpha=0.3)
    if not timings:
        ax_b.text(0.5, 0.5, "no timing of the record within this run",
                  transform=ax_b.transAxes, ha="center", va="center")
        ax_b.set_yticks([])

    # C: magnitudes as model / record, log scale.
    ax_c.set_title(f"Magnitudes: model / record (1 = the record; grey: the record's "
                   f"range; dot: model median, bar: {lo:g}–{hi:g}%)", loc="left",
                   fontsize="medium")
    floor = 1e-3  # a model value of 0 has no logarithm: drawn at the floor, marked
    for y, r in enumerate(sizes):
        rec = r["record"]
        ax_c.plot([r["record_low"] / rec, r["record_high"] / rec], [y, y], color="0.6",
                  lw=6, solid_capstyle="butt")
        if r["model_n"]:
            med, q_lo, q_hi = (max(v / rec, floor) for v in
                               (r["model_median"], r["model_p5"], r["model_p95"]))
            ax_c.errorbar([med], [y], xerr=[[med - q_lo], [q_hi - med]], fmt="o",
                          color="tab:blue", ms=4, capsize=2, lw=1)
            if r["model_median"] <= 0:
                ax_c.annotate("0", (med, y), textcoords="offset points",
                              xytext=(6, -3), fontsize="x-small")
    ax_c.axvline(1.0, color="black", lw=0.8)
    ax_c.set_xscale("log")
    if sizes:
        ax_c.set_yticks(range(len(sizes)))
        ax_c.set_yticklabels([ratio_label(r) for r in sizes], fontsize="x-small")
        ax_c.set_ylim(len(sizes) - 0.5, -0.5)
    ax_c.set_xlabel("model / record (log scale)")
    ax_c.grid(True, axis="x", alpha=0.3)
    if not sizes:
        ax_c.text(0.5, 0.5, "no magnitude of the record within this run",
                  transform=ax_c.transAxes, ha="center", va="center")
        ax_c.set_yticks([])
    else:
        low, high = ax_c.get_xlim()
        ax_c.set_xlim(min(low, 0.1), max(high, 10.0))

    name = os.path.basename(os.path.normpath(run.folder))
    fig.suptitle(args.title or f"{name} against the historical record "
                               f"({len(run.reps)} replications)")
    uc.save_figure(fig, path, args.dpi)
    plt.close(fig)


def main(argv=None):
    render(parse_args(sys.argv[1:] if argv is None else argv))
    return 0


def comparison(args):
    """Reads the run, the record and its regions and compares them:
    (run, rows, left out)."""
    folder = uc.run_folder(args.run)
    args.record, args.regions, start = require_record(args, folder)
    args.record_start = uc.aware_time(start, "--record-start")
    run = Run(folder, args)
    record = read_record(args.record)
    regions = None
    if args.regions:
        regions = uc.read_csv(args.regions, ["id", "utc_offset", "first_protest_day"],
                              what=args.regions, text=("id", "utc_offset",
                                                       "first_protest_grade"))
        header = uc.read_header(args.regions)
        if "first_protest_grade" in header:
            grades = uc.read_csv(args.regions, ["first_protest_grade"],
                                 text=("first_protest_grade",))
            regions["first_protest_grade"] = grades["first_protest_grade"].fillna("")
    rows, left_out = compare(run, record, regions, args)
    return run, rows, left_out


def render(args):
    """Compares the run with the record and writes the table and the picture."""
    pd = uc.pandas_module()
    run, rows, left_out = comparison(args)
    table = pd.DataFrame(rows, columns=[
        "quantity", "region", "kind", "unit", "model_measure", "record", "record_low",
        "record_high", "grade", "model_median", "model_p5", "model_p95", "model_n",
        "reps", "overlap", "source"])
    uc.write_table(table, os.path.join(args.output, "comparison.csv"))
    uc.write_text(os.path.join(args.output, "comparison.md"),
                  markdown(run, rows, left_out, args))
    draw(run, rows, args, [os.path.join(args.output, f"comparison.{f}")
                           for f in args.format])


if __name__ == "__main__":
    sys.exit(uc.run_main(main))
