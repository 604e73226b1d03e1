"""point_series_check.py: checks a sweep folder's point_series.csv and
sweep_national.csv against the national.csv of `unrestsim run` at each point, computed
here without unrestsim's code: the mean as a plain sum over n, the percentiles by linear
interpolation between order statistics (position q (n - 1) in the sorted values, as
GSL's gsl_stats_quantile_from_sorted_data defines them).

Both files being compared write reals to within 1e-9 of the computed value, relatively
(docs/output.md, CSV format), so values agree to within TOL of the largest magnitude of
the values they come from; anything further off is an error.

Usage: /usr/bin/python3 point_series_check.py SWEEP_DIR RUN_DIR_OF_POINT_0 ...
Only the standard library: runs under Debian's /usr/bin/python3 without pandas.
"""
import csv
import math
import sys

TOL = 4e-9


def quantile(sorted_values, q):
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    frac = pos - lo
    return (1 - frac) * sorted_values[lo] + frac * sorted_values[hi]


def close(a, b, scale):
    return abs(a - b) <= TOL * max(1.0, scale)


def main():
    sweep, runs = sys.argv[1], sys.argv[2:]
    with open(f"{sweep}/point_series.csv", newline="") as f:
        series = list(csv.DictReader(f))
    with open(f"{sweep}/sweep_national.csv", newline="") as f:
        units = list(csv.DictReader(f))
    metrics = [c[:-5] for c in series[0].keys() if c.endswith("_mean")]
    checked = 0
    for p, run in enumerate(runs):
        with open(f"{run}/national.csv", newline="") as f:
            national = list(csv.DictReader(f))
        hours = sorted({float(r["hour"]) for r in national})
        reps = sorted({int(r["rep"]) for r in national})
        rows = [r for r in series if int(r["point"]) == p]
        if [float(r["hour"]) for r in rows] != hours:
            sys.exit(f"point {p}: point_series.csv's hours differ from national.csv's")
        by_hour = {}
        for r in national:
            by_hour.setdefault(float(r["hour"]), []).append(r)
        for r in rows:
            h = float(r["hour"])
            if int(r["count"]) != len(reps):
                sys.exit(f"point {p} hour {h}: count {r['count']}, runs {len(reps)}")
            for m in metrics:
                values = sorted(float(x[m]) for x in by_hour[h])
                scale = max(abs(v) for v in values)
                want = {"mean": sum(values) / len(values), "p5": quantile(values, 0.05),
                        "p50": quantile(values, 0.5), "p95": quantile(values, 0.95)}
                for stat, w in want.items():
                    got = float(r[f"{m}_{stat}"])
                    if not close(got, w, scale):
                        sys.exit(f"point {p} hour {h}: {m}_{stat} = {got}, computed {w}")
                    checked += 1
        # sweep_national.csv holds the same series, rep by rep, exactly written.
        mine = [u for u in units if int(u["point"]) == p]
        if len(mine) != len(national):
            sys.exit(f"point {p}: {len(mine)} rows in sweep_national.csv, "
                     f"{len(national)} in national.csv")
        for u, r in zip(mine, national):
            if u["rep"] != r["rep"] or float(u["hour"]) != float(r["hour"]):
                sys.exit(f"point {p}: rep {u['rep']} hour {u['hour']} against "
                         f"rep {r['rep']} hour {r['hour']}")
            for m in metrics:
                a, b = float(u[m]), float(r[m])
                if not close(a, b, abs(a)):
                    sys.exit(f"point {p} rep {r['rep']} hour {r['hour']}: {m} {a} "
                             f"in sweep_national.csv, {b} in national.csv")
    print(f"{checked} statistics of {len(runs)} points checked")


main()
