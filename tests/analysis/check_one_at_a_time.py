"""check_one_at_a_time.py: analysis/one_at_a_time.py (the ±10% table of docs/model.md,
"Sensitivity") on a real sweep, printing TAP.

Runs the script on tests/model/monotone.cfg (a small scenario whose outcome varies
between replications, so that the numbers are not all alike) with 20 replications a
point, and checks that
- the sweep it makes starts from the scenario's own values (point 0) and moves one
  setting a point, by ±10% (the decision settings) or ±10% and ±20% (police and
  arrests), with common random numbers (replication k has one seed at every point);
- table.csv's numbers equal those computed here from sweep.csv: the median peak and its
  ratio to the own values', the mean killed and its paired change with its standard
  error, the share of order restored and its paired change;
- table.md's elasticities equal ln(peak_high / peak_low) / ln(1.1 / 0.9);
- a second run into the folder is refused without --resume and with it resumes the
  finished sweep (sweep.csv unchanged), and --no-run writes the same table.md;
- errors give the documented exit status and a one-line message, never a traceback.

Usage: /usr/bin/python3 check_one_at_a_time.py UNRESTSIM SOURCE_ROOT
Exit status: 0 all pass, 1 a check failed.
"""

import csv
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import finish, ok  # noqa: E402

BIN, SRC = sys.argv[1], sys.argv[2]
SCRIPT = os.path.join(SRC, "analysis", "one_at_a_time.py")
SCENARIO = os.path.join(SRC, "tests", "model", "monotone.cfg")
REL_TOL = 1e-9
OWN = {"agents.w_g": 1.0, "agents.w_s": 0.5, "agents.w_n": 1.0, "agents.legitimacy": 0.8,
       "agents.threshold.mean": 0.15, "security.police_scale": 2.75,
       "arrests.probability": 0.05}
FACTORS = {p: [0.9, 1.1] for p in OWN}
FACTORS["security.police_scale"] = FACTORS["arrests.probability"] = [0.8, 0.9, 1.1, 1.2]


def run(*args):
    done = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def close(a, b):
    return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-12)


def paired(base, other, key):
    d = [key(other[k]) - key(base[k]) for k in sorted(base)]
    return statistics.fmean(d), statistics.stdev(d) / math.sqrt(len(d))


def main():
    tmp = tempfile.mkdtemp(prefix="oat-")
    try:
        return checks(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def checks(tmp):
    out = os.path.join(tmp, "oat")
    status, text, err = run(SCENARIO, "-o", out, "--unrestsim", BIN, "-r", "20", "-j", "2")
    if not ok(status == 0, "one_at_a_time.py runs", err):
        return finish()
    sweep = rows(os.path.join(out, "sweep", "sweep.csv"))
    paths = list(sweep[0].keys())[1:list(sweep[0].keys()).index("rep")]
    ok(paths == list(OWN), "the sweep varies the seven settings", str(paths))
    points = {}
    for r in sweep:
        points.setdefault(int(r["point"]), []).append(r)
    want = [dict(OWN)]
    for p in OWN:
        for f in FACTORS[p]:
            want.append(dict(OWN, **{p: OWN[p] * f}))
    ok(len(points) == len(want) and all(
        all(close(points[k][0][p], want[k][p]) for p in OWN) for k in range(len(want))),
        "point 0 is the own values, each other point moves one setting by its factor")
    seeds = {r["rep"]: r["seed"] for r in points[0]}
    ok(all(len(v) == 20 and all(seeds[r["rep"]] == r["seed"] for r in v)
           for v in points.values()),
       "common random numbers: replication k has one seed at every point")

    def reps(k):
        return {int(r["rep"]): (float(r["peak_active"]), float(r["killed"]),
                                r["outcome"] == "order_restored") for r in points[k]}
    base = reps(0)
    base_peak = statistics.median(v[0] for v in base.values())
    table = rows(os.path.join(out, "table.csv"))
    ok(len(table) == len(want) and close(table[0]["median_peak"], base_peak),
       "table.csv: a row per point, the own values' median peak first")
    bad = []
    for k in range(1, len(want)):
        row, r = table[k], reps(k)
        peak = statistics.median(v[0] for v in r.values())
        dk, dk_se = paired(base, r, lambda v: v[1])
        dr, dr_se = paired(base, r, lambda v: float(v[2]))
        share = sum(v[2] for v in r.values()) / len(r)
        moved = [p for p in OWN if not close(want[k][p], OWN[p])][0]
        checks = [row["path"] == moved, close(row["value"], want[k][moved]),
                  close(row["median_peak"], peak), close(row["ratio"], peak / base_peak),
                  close(row["killed_change"], dk), close(row["killed_change_se"], dk_se),
                  close(row["order_restored"], share),
                  close(row["order_restored_change"], dr),
                  close(row["order_restored_change_se"], dr_se),
                  float(row["ratio_p5"]) <= float(row["ratio_p95"])]
        if not all(checks):
            bad.append(f"point {k}: {row} against peak {peak} killed {dk} ({dk_se}) "
                       f"restored {share} {dr} ({dr_se})")
    ok(not bad, "table.csv's numbers equal those of sweep.csv", *bad)

    md = open(os.path.join(out, "table.md"), encoding="utf-8").read()
    bad = []
    for p in OWN:
        lo_k = 1 + [q for q in OWN].index(p) * 2 if p not in (
            "security.police_scale", "arrests.probability") else None
        if lo_k is None:
            first = 1 + 2 * 5 + (0 if p == "security.police_scale" else 4)
            lo_k, hi_k = first + 1, first + 2   # the ±10% pair
        else:
            hi_k = lo_k + 1
        lo = statistics.median(v[0] for v in reps(lo_k).values())
        hi = statistics.median(v[0] for v in reps(hi_k).values())
        el = math.log(hi / lo) / math.log(1.1 / 0.9)
        m = re.search(r"^\| `" + re.escape(p) + r"` .*?\| ([+−][0-9.]+) \|", md, re.M)
        shown = float(m.group(1).replace("−", "-")) if m else math.nan
        if not (m and abs(shown - el) <= 0.005 + 1e-9):
            bad.append(f"{p}: table.md {m.group(1) if m else 'no row'}, computed {el:.4f}")
    ok(not bad, "table.md's elasticities are ln(peak_high / peak_low) / ln(1.1 / 0.9)", *bad)
    ok(text == md, "the table is printed as table.md holds it")

    before = open(os.path.join(out, "sweep", "sweep.csv"), encoding="utf-8").read()
    status, _, err = run(SCENARIO, "-o", out, "--unrestsim", BIN, "-r", "20", "-j", "2")
    ok(status == 73 and err.startswith("one_at_a_time.py: ") and "--resume" in err,
       "a second run into the folder without --resume is refused (73)", err)
    status, text2, err = run(SCENARIO, "-o", out, "--unrestsim", BIN, "-r", "20", "-j", "2",
                             "--resume")
    after = open(os.path.join(out, "sweep", "sweep.csv"), encoding="utf-8").read()
    ok(status == 0 and "--resume" in err and before == after and text2 == md,
       "with --resume it resumes the finished sweep and writes the same table", err)
    status, text3, err = run("--no-run", "-o", out)
    ok(status == 0 and text3 == md, "--no-run reads the folder as it is", err)

    cases = [
        ("a missing scenario", [os.path.join(tmp, "none.cfg"), "-o", os.path.join(tmp, "x"),
                                "--unrestsim", BIN], 66),
        ("a step out of (0, 1)", [SCENARIO, "-o", os.path.join(tmp, "y"), "--step", "1.5"],
         64),
        ("--no-run on a folder without a sweep", ["--no-run", "-o", os.path.join(tmp, "z")],
         66),
        ("a bad scenario", [os.path.join(SRC, "tests", "model", "monotone-sweep.cfg"),
                            "-o", os.path.join(tmp, "w"), "--unrestsim", BIN], 65),
    ]
    for name, args, want_status in cases:
        status, _, err = run(*args)
        ok(status == want_status and "Traceback" not in err
           and err.startswith("one_at_a_time.py: "),
           f"{name}: status {want_status} and a message", f"status {status}: {err}")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
