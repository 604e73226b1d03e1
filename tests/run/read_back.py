# read_back.py: reads a run's CSV files with pandas' defaults, as a user would, and
# checks what docs/output.md promises: the columns, their types (counts read as int64,
# not float; missing values as NaN), times that agree with hours, and that the last
# national sample of each replication holds that replication's totals in summary.csv.
# Usage: python3 read_back.py OUTPUT_DIR [SUFFIX [time]]   (exit 0 if all hold, 1 with
# a list if not); SUFFIX ".gz" reads the files of output.compress = "gzip" as they are;
# "time": the run asked for the time columns (output.*_columns), which are checked.
import sys

import numpy as np
import pandas as pd

out = sys.argv[1]
suffix = sys.argv[2] if len(sys.argv) > 2 else ""
timed = len(sys.argv) > 3 and sys.argv[3] == "time"
time = ["time"] if timed else []
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def columns(frame, name, expected):
    check(list(frame.columns) == expected,
          f"{name}: columns {list(frame.columns)}, expected {expected}")


def dtypes(frame, name, kind, cols):
    for col in cols:
        got = frame[col].dtype
        ok = {"int": got == np.int64, "float": got == np.float64,
              "text": got == object}[kind]
        check(ok, f"{name}.{col}: dtype {got}, expected {kind}")


# No options: pandas infers gzip from the name.
summary = pd.read_csv(f"{out}/summary.csv{suffix}")
national = pd.read_csv(f"{out}/national.csv{suffix}")
series = pd.read_csv(f"{out}/timeseries.csv{suffix}")
events = pd.read_csv(f"{out}/events.csv{suffix}")

columns(summary, "summary", [
    "rep", "seed", "outcome", "peak_active", "peak_hour", "regions_joined", "killed",
    "killed_security", "injured", "detained", "damage_usd", "shutdown_region_hours",
    "csto_request_hour", "csto_troops_peak", "order_restored_hour", "events",
    "fingerprint", "region_onsets", "action_hours"])
columns(national, "national", [
    "rep", "hour", "time", "active", "held", "detained", "killed", "injured",
    "security", "csto_troops", "connectivity", "legitimacy", "facilities_held",
    "damage_usd"])
# national.csv has a time column by default, timeseries.csv not (output.*_columns).
columns(series, "timeseries", [
    "rep", "hour"] + time + ["region", "active", "held", "detained", "killed",
    "injured", "security", "csto_troops", "internet"])
columns(events, "events", ["rep", "hour", "time", "event", "region", "value", "detail"])

# The scenario's agent_scale is a whole number, so every count is an integer.
dtypes(summary, "summary", "int", [
    "rep", "peak_active", "regions_joined", "killed", "killed_security", "injured",
    "detained", "csto_troops_peak", "events"])
dtypes(summary, "summary", "float", [
    "peak_hour", "damage_usd", "shutdown_region_hours", "csto_request_hour",
    "order_restored_hour"])
dtypes(summary, "summary", "text", ["seed", "outcome", "fingerprint"])
dtypes(national, "national", "int", [
    "rep", "active", "held", "detained", "killed", "injured", "csto_troops",
    "facilities_held"])
dtypes(national, "national", "float",
       ["hour", "security", "connectivity", "legitimacy", "damage_usd"])
dtypes(national, "national", "text", ["time"])
dtypes(series, "timeseries", "int",
       ["rep", "active", "held", "detained", "killed", "injured", "csto_troops"])
dtypes(series, "timeseries", "float", ["hour", "security"])
dtypes(series, "timeseries", "text", time + ["region", "internet"])

# Empty fields are missing values: the scenario asks for no troops.
check(summary["csto_request_hour"].isna().all(),
      "summary.csto_request_hour: expected all missing (no CSTO request)")
check(summary["seed"].str.match(r"^0x[0-9a-f]{16}$").all(), "summary.seed: not hex")
check(summary["fingerprint"].str.match(r"^0x[0-9a-f]{16}$").all(),
      "summary.fingerprint: not hex")
check(summary["fingerprint"].nunique() == len(summary),
      "summary.fingerprint: replications share a fingerprint")

# time is hour in ISO 8601 with the scenario's offset.
start = pd.Timestamp("2022-01-01T00:00:00+06:00")
for name, frame in (("national", national),) + ((("timeseries", series),) if timed else ()):
    t = pd.to_datetime(frame["time"])
    check(str(t.dt.tz) in ("UTC+06:00", "pytz.FixedOffset(360)"),
          f"{name}.time: offset {t.dt.tz}, expected +06:00")
    hours = (t - start) / pd.Timedelta(hours=1)
    check(np.allclose(hours, frame["hour"], atol=1 / 3600),
          f"{name}.time: does not match hour")

# The last sample of each replication holds its totals.
last = national.sort_values(["rep", "hour"]).groupby("rep").tail(1).set_index("rep")
totals = summary.set_index("rep")
check(list(last.index) == list(totals.index), "national and summary: other replications")
for col in ("killed", "injured", "detained"):
    check((last[col] == totals[col]).all(),
          f"last national {col} {list(last[col])} != summary {list(totals[col])}")
check(np.allclose(last["damage_usd"], totals["damage_usd"], rtol=1e-12, atol=0),
      "last national damage_usd != summary damage_usd")
check((national.groupby("rep")["hour"].max() == national["hour"].max()).all(),
      "national: replications end at different hours")

# The regions add up to the nation.
summed = ["active", "held", "detained", "killed", "injured"]
by_sample = series.groupby(["rep", "hour"])[summed].sum()
nat = national.set_index(["rep", "hour"])[summed]
check(by_sample.equals(nat.loc[by_sample.index]),
      "timeseries: regions do not add up to national")
check(set(series["internet"]) <= {"on", "throttled", "off"}, "timeseries.internet")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"pandas {pd.__version__}{' (gzip)' if suffix else ''}: {len(summary)} replications, "
      f"{len(national)} national rows, {len(series)} region rows read back")
