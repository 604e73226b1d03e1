#!/usr/bin/python3
"""check_validation.py: analysis/validation.py and the record each run carries, in TAP.

- A synthetic run folder whose answers are known: a record of five facts, summary
  values chosen so that one target passes, one misses by its interval, one has the
  record inside the interval but a median 40% off (a miss by the 25% rule alone), one
  fact given only as "at least" passes by meeting it; timings and onset days likewise;
  every miss is listed.
- Counterfactual runs paired by replication: a run whose killed are the reference's
  plus 10 gives +10 [+10, +10]; the table replaces the README's between its markers
  and nothing else; a run with other seeds is refused (65) and leaves the README
  untouched.
- The analytic checks read from test_model's output; a line off by more than 0.01 is
  a miss.
- The scale convergence from a synthetic sweep over scenario.agent_scale and from run
  folders at two scales: medians by scale, the two-sample p of each coarser scale
  (1 for the same values, "apart" for a doubled peak or a changed outcome), a
  quantity told apart at the run's own scale listed with the misses; runs at one scale
  twice and a sweep over another setting refused (65).
- A real tiny Sobol analysis of the reference (`unrestsim sensitivity`) and its figure
  by figures.py in the report: S1 and ST with intervals for the peak, killed,
  detained and every outcome share, the figure linked from the report's folder, a
  missing figure refused (66).
- Held-out facts (--holdout, the record's sibling NAME-holdout.csv by default): a
  count by an hour, a region's deaths, crowd and share of deaths measured and judged,
  a miss printed with the misses, facts the run cannot measure named; --no-holdout;
  a malformed file refused (65) with FILE:LINE for each bad row, nothing written.
- Exact onsets: summary.csv's region_onsets gives each region's onset day and the
  regions by an hour, not the samples; a malformed field is refused (65).
- A real small run of the reference scenario: the report has every section, the
  held-out facts among them; its manifest names the record and its hash, and a
  changed record is warned about.
- A run of a scenario without a record (minimal.cfg) is refused by validation.py and
  record.py with exit 65 and a message; no report is written.
- Cases (--case): two cases written into one file, each between its markers; writing
  one again replaces its section and keeps the other byte for byte; a file with a
  broken section is refused (65) and left as it was; a bad case name is a usage
  error (64).
- --own-values: a run whose deaths miss beside one whose deaths pass, row by row, with
  the counts of passes.
- Posterior overlap (posterior_overlap.py and --overlap): identical posteriors overlap
  fully, disjoint ones not at all, and a posterior shifted by half its range gives the
  intervals' and histograms' overlaps computed by hand; bad files exit 65 and 66.
- A real small run of the Iran scenario: its section has the Iran record's rows and
  sits beside the Kazakhstan section of the same file.

Usage: check_validation.py UNRESTSIM SOURCE_ROOT
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import finish, ok, require_plotting  # noqa: E402

require_plotting()

BIN, SRC = sys.argv[1], sys.argv[2]
ANALYSIS = os.path.join(SRC, "analysis")
PYTHON = "/usr/bin/python3"

RECORD = """quantity,value,low,high,unit,hour,hour_low,hour_high,region,source,grade
deaths_total,100,90,110,persons,,,,,"Synthetic source of deaths",A
injured_total,1000,900,1100,persons,,,,,"Synthetic source of injured",B
participants_total,5000,4000,6000,persons,,,,,"Synthetic source of participants",A
detained_by_day_2,,50,,persons,48,,,,"Synthetic: at least 50",C
csto_request,,,,event,30,28,32,,"Synthetic request",A
order_largely_restored,,,,event,60,55,65,,"Synthetic order",A
"""
REGIONS = """id,name,centre,population,utc_offset,lat,lon,first_protest_day,first_protest_grade
AAA,Alpha,Alphaville,100000,+06:00,43.0,51.0,0,A
BBB,Beta,Betaville,200000,+06:00,44.0,52.0,2,B
"""
REPS = 20


def fnv(path):
    h = 14695981039346656037
    with open(path, "rb") as f:
        for byte in f.read():
            h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"0x{h:016x}"


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def synthetic_run(folder, record, regions, killed_shift=0.0, seeds=None, onsets=None):
    """A run folder of REPS replications with known values (see the docstring); with
    `onsets`, summary.csv has a region_onsets column holding it in every row."""
    os.makedirs(folder)
    write(os.path.join(folder, "scenario.cfg"),
          'scenario = {\n  name = "synthetic";\n'
          '  start = "2022-01-01T00:00:00+06:00";\n};\n'
          'outcomes = {\n  region_active = 100.0;\n};\n')
    write(os.path.join(folder, "manifest.cfg"),
          f'program = "unrestsim";\ncommand = "run";\nrecord = "{record}";\n'
          f'record_hash = "{fnv(record)}";\nregions_file = "{regions}";\n'
          f'regions_hash = "{fnv(regions)}";\n')
    summary = ["rep,seed,outcome,peak_active,peak_hour,regions_joined,killed,"
               "killed_security,injured,detained,damage_usd,shutdown_region_hours,"
               "csto_request_hour,csto_troops_peak,order_restored_hour,events,fingerprint"
               + (",region_onsets" if onsets is not None else "")]
    national = ["rep,hour,active,detained,killed,injured,csto_troops,connectivity"]
    # AAA: 20 detained and 10 killed from hour 6; BBB: 40 and 20 from hour 30.
    series = ["rep,hour,region,active,detained,killed,injured,internet"]
    for k in range(REPS):
        # deaths 95..104.5: record 100 inside, median 99.75: pass
        killed = 95 + 0.5 * k + killed_shift
        # injured 2000: the interval misses 1000: miss
        injured = 2000 + k
        # participants: 2000 for four replications, 7000 for the rest: the 90%
        # interval [2000, 7000] holds 5000 but the median 7000 is 40% off: miss
        peak = 2000 if k < 4 else 7000
        # csto request at 30 + (k - 10) * 0.2: median about 30, pass; order
        # restored at 100: miss
        seed = seeds[k] if seeds else f"0x{k + 1:016x}"
        outcome = "order_restored" if k % 4 else "regime_collapse"
        summary.append(f"{k},{seed},{outcome},{peak},40,2,{killed},1,{injured},60,1e6,"
                       f"0,{30 + (k - 10) * 0.2},0,100,1000,0x0"
                       + (f",{onsets}" if onsets is not None else ""))
        for hour in range(0, 73, 6):
            on = hour >= 24
            national.append(f"{k},{hour},{peak if on else 0},{60 if on else 0},"
                            f"{killed if on else 0},{injured if on else 0},0,1")
            # AAA protests from hour 6 (day 0, pass); BBB from hour 30 (day 1,
            # recorded 2: within a day, pass)
            a, b = hour >= 6, hour >= 30
            series.append(f"{k},{hour},AAA,{500 if a else 0},{20 if a else 0},"
                          f"{10 if a else 0},0,on")
            series.append(f"{k},{hour},BBB,{500 if b else 0},{40 if b else 0},"
                          f"{20 if b else 0},0,on")
    write(os.path.join(folder, "summary.csv"), "\n".join(summary) + "\n")
    write(os.path.join(folder, "national.csv"), "\n".join(national) + "\n")
    write(os.path.join(folder, "timeseries.csv"), "\n".join(series) + "\n")


def script(name, *args):
    done = subprocess.run([PYTHON, os.path.join(ANALYSIS, name), *args],
                          capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


def line_starting(text, prefix):
    return next((ln for ln in text.splitlines() if ln.startswith(prefix)), "")


def test_synthetic(tmp):
    record = os.path.join(tmp, "record.csv")
    regions = os.path.join(tmp, "regions.csv")
    write(record, RECORD)
    write(regions, REGIONS)
    run = os.path.join(tmp, "synthetic")
    synthetic_run(run, record, regions)
    log = os.path.join(tmp, "analytic.log")
    write(log, "[ RUN ] test_granovetter\n"
               "granovetter sd 0.080: share 0.00090, fixed point 0.00089\n"
               "epstein L 0.2 T 0.3: share 0.60000, expected 0.625\n")
    report = os.path.join(tmp, "validation.md")
    status, _, err = script("validation.py", run, "-o", report, "--analytic", log)
    if not ok(status == 0 and os.path.isfile(report),
              "validation.py on a synthetic run: exit 0, report written", err):
        return
    text = open(report, encoding="utf-8").read()
    deaths = line_starting(text, "| deaths_total |")
    ok(deaths.endswith("| pass |") and "100 (90–110)" in deaths
       and "Synthetic source of deaths" in deaths and "| A |" in deaths
       and f"| {REPS}/{REPS} |" in deaths,
       "a target inside the interval with its median close passes, with value, "
       "range, grade and source", deaths)
    injured = line_starting(text, "| injured_total |")
    ok(injured.endswith("| **MISS** |"), "a target outside the interval misses",
       injured)
    people = line_starting(text, "| participants_total |")
    ok(people.endswith("| **MISS** |") and "7,000 [2,000, 7,000]" in people
       and "participants_total: record 5,000 (4,000–6,000), model 7,000 [2,000, 7,000]: "
           "the median is off by 40%" in text,
       "the record inside the interval but a median 40% off misses (the 25% rule), "
       "and the misses list says why", people)
    detained = line_starting(text, "| detained_by_day_2 |")
    ok(detained.endswith("| pass |") and "at least 50" in detained,
       "a fact given only as 'at least' passes when the interval meets it", detained)
    request = line_starting(text, "| csto_request |")
    order = line_starting(text, "| order_largely_restored |")
    ok(request.endswith("| pass |") and order.endswith("| **MISS** |"),
       "the timeline: an event at its recorded hour passes, one 40 h late misses",
       request, order)
    onset_a = line_starting(text, "| AAA | 0 |")
    onset_b = line_starting(text, "| BBB | 2 |")
    ok(onset_a.endswith("| pass |") and onset_b.endswith("| pass |")
       and "1 [1, 1]" in onset_b,
       "onset: day 0 against 0 and day 1 against 2 (within a day) pass", onset_a,
       onset_b)
    ok("| Epstein, L = 0.2, T = 0.3: active share against 1 − T/(1 − L) | 0.6000 | "
       "0.6250 | **MISS** |" in text
       and line_starting(text, "| Granovetter").endswith("| pass |")
       and "- analytic Epstein" in text,
       "analytic checks from test_model's output: 0.025 off misses, 1e-5 passes")
    ok("## Misses (4)" in text and "No calibration folder was given" in text
       and "Not given (--convergence)" in text and "Not given (--sensitivity)" in text,
       "four misses counted; the sections without input say so")

    # Sensitivity indices in unrestsim sensitivity's columns, both methods.
    sobol = os.path.join(tmp, "sobol")
    os.makedirs(sobol)
    write(os.path.join(sobol, "sensitivity.csv"),
          "parameter,output,S1,S1_low,S1_high,ST,ST_low,ST_high\n"
          "agents.w_s,killed,0.5,0.4,0.6,0.625,0.5,0.75\n"
          "agents.w_s,outcome.unresolved,,,,,,\n")
    status, _, err = script("validation.py", run, "-o", report, "--sensitivity", sobol)
    text = open(report, encoding="utf-8").read()
    ok(status == 0 and "| killed | agents.w_s | 0.500 [0.400, 0.600] | 0.625 [0.500, "
       "0.750] |" in text and "| outcome.unresolved | agents.w_s | no variance | no "
       "variance |" in text,
       "Sobol indices with their intervals; an output without variance says so", err)
    morris = os.path.join(tmp, "morris")
    os.makedirs(morris)
    write(os.path.join(morris, "sensitivity.csv"),
          "parameter,output,mu_star,mu_star_low,mu_star_high,mu,sigma\n"
          "agents.w_s,killed,12.5,10.0,15.0,-12.5,3.25\n")
    status, _, err = script("validation.py", run, "-o", report, "--sensitivity", morris)
    text = open(report, encoding="utf-8").read()
    ok(status == 0 and "| killed | agents.w_s | 12.500 [10.000, 15.000] | -12.5 | 3.25 |"
       in text, "a Morris screening's mu*, its interval, mu and sigma", err)

    # Counterfactuals, paired by replication.
    cf = os.path.join(tmp, "cf-plus-ten")
    synthetic_run(cf, record, regions, killed_shift=10.0)
    readme = os.path.join(tmp, "README.md")
    write(readme, "intro\n<!-- BEGIN COUNTERFACTUALS -->\nold table\n"
                  "<!-- END COUNTERFACTUALS -->\noutro\n")
    status, _, err = script("validation.py", run, "-o", report, "--counterfactuals", cf,
                            "--readme", readme)
    table = open(readme, encoding="utf-8").read()
    row = line_starting(table, "| `synthetic` |")
    ok(status == 0 and "+10 [+10, +10]" in row and "old table" not in table
       and table.startswith("intro\n<!-- BEGIN COUNTERFACTUALS -->\n")
       and table.endswith("<!-- END COUNTERFACTUALS -->\noutro\n")
       and "| reference (`synthetic`) |" in table,
       "a counterfactual whose killed are the reference's plus 10: +10 [+10, +10], "
       "written between the README's markers and nowhere else", err, row)
    ok("## Counterfactuals" in open(report, encoding="utf-8").read(),
       "the report holds the counterfactual table too")
    other = os.path.join(tmp, "cf-other-seeds")
    synthetic_run(other, record, regions,
                  seeds=[f"0x{k + 100:016x}" for k in range(REPS)])
    before = open(readme, encoding="utf-8").read()
    status, _, err = script("validation.py", run, "-o", report + "2",
                            "--counterfactuals", other, "--readme", readme)
    ok(status == 65 and "not those of" in err
       and open(readme, encoding="utf-8").read() == before
       and not os.path.exists(report + "2"),
       "a counterfactual with other seeds is refused (65), nothing written", err)

    # The record changed since the run: a warning, and the comparison still made.
    with open(record, "a", encoding="utf-8") as f:
        f.write('deaths_security,5,5,5,persons,,,,,"Synthetic",A\n')
    # A calibration folder as `unrestsim calibrate` writes it (its column names).
    cal = os.path.join(tmp, "calibration")
    os.makedirs(cal, exist_ok=True)
    write(os.path.join(cal, "posterior_summary.csv"),
          "parameter,prior,min,max,mean,sd,p5,median,p95\n"
          "agents.w_s,uniform,0,1,0.41,0.1,0.25,0.4,0.55\n")
    write(os.path.join(cal, "targets.csv"),
          "metric,value,low,high,grade,weight,scale,p5,median,p95,empty_share,in_range,"
          "distance_share,source\n"
          "killed,100,90,110,A,1,10,80,101,120,0,yes,1,\"Synthetic source of deaths\"\n")
    status, _, err = script("validation.py", cal, run, "-o", report)
    text = open(report, encoding="utf-8").read() if status == 0 else ""
    ok(status == 0 and "| agents.w_s | 0.4 | 0.25–0.55 |" in text
       and line_starting(text, "| killed |").endswith("| pass |"),
       "a calibration folder with calibrate's columns (p5): its posterior and targets",
       err)
    status, _, err = script("validation.py", run, "-o", report)
    ok(status == 0 and "changed since the run" in err,
       "a record whose bytes changed since the run is warned about", err)


HOLDOUT = """quantity,value,low,high,unit,hour,hour_low,hour_high,region,source,grade
detained_by_day_1,60,55,65,persons,30,,,,"Synthetic held-out detentions",A
deaths_region,50,45,55,persons,,,,AAA,"Synthetic held-out deaths",B
participants_peak,500,400,600,persons,36,24,48,BBB,"Synthetic held-out crowd",B
deaths_share_region,0.1,0.09,0.11,share,,,,AAA,"Synthetic held-out share",C
seized_akimat,,,,event,40,38,42,AAA,"Synthetic held-out seizure",B
unknown_thing,5,,,persons,,,,,"Synthetic held-out unmeasured",C
"""


def test_holdout(tmp):
    """The held-out section: each fact measured from the run's outputs and judged,
    misses listed, facts the run cannot measure named; the record's sibling file by
    default, another with --holdout, none with --no-holdout; a malformed file refused
    with FILE:LINE and nothing written."""
    folder = os.path.join(tmp, "held")
    os.makedirs(folder)
    record = os.path.join(folder, "case-record.csv")
    regions = os.path.join(folder, "case-regions.csv")
    write(record, RECORD)
    write(regions, REGIONS)
    run = os.path.join(folder, "run")
    synthetic_run(run, record, regions)
    report = os.path.join(folder, "report.md")
    status, _, err = script("validation.py", run, "-o", report)
    text = read(report)
    ok(status == 0 and "## Held-out facts" in text and "No held-out facts" in text
       and "case-holdout.csv" in text,
       "without a held-out file beside the record, the section says so", err)

    holdout = os.path.join(folder, "case-holdout.csv")
    write(holdout, HOLDOUT)
    status, _, err = script("validation.py", run, "-o", report)
    text = read(report)
    held = text[text.find("## Held-out facts"):text.find("## Calibration")]
    detained = line_starting(held, "| detained_by_day_1 |")
    deaths = line_starting(held, "| deaths_region | AAA |")
    crowd = line_starting(held, "| participants_peak | BBB |")
    share = line_starting(held, "| deaths_share_region | AAA |")
    ok(status == 0 and "case-holdout.csv" in held
       and "6 rows, grades A 1, B 3, C 2" in held and "never used in any fit" in held,
       "the record's sibling NAME-holdout.csv is read by default; the section counts "
       "its rows by grade and says they were never fitted", err, held[:300])
    ok(detained.endswith("| 20/20 | pass |") and "60 (55–65)" in detained
       and "60 [60, 60]" in detained and "30" in detained,
       "a count by an hour: national.csv's detained at the fact's hour, passes",
       detained)
    ok(deaths.endswith("| **MISS** |") and "10 [10, 10]" in deaths
       and "- held-out deaths_region AAA: record 50 (45–55), model 10 [10, 10] (20 of "
           "20 replications): the record is outside the 90% interval; the median is "
           "off by 80%" in text,
       "a region's deaths at the run's end (timeseries.csv) missing by five times: a "
       "miss, printed again with the misses", deaths)
    ok(crowd.endswith("| pass |") and "500 [500, 500]" in crowd,
       "a region's largest crowd between the fact's hours passes", crowd)
    ok(share.endswith("| pass |") and "0.1 (0.09–0.11)" in share,
       "a region's share of the deaths (10 of 95 to 104.5) passes", share)
    ok("3 of 4 held-out facts pass; 2 not compared" in held
       and "seized_akimat AAA (needs events.csv, which the run did not write)" in held
       and "unknown_thing (the model has no measure of it)" in held
       and "- held-out seized_akimat AAA: needs events.csv" in text,
       "facts the run cannot measure are named, with the reason, in the section and "
       "under Not compared", held[-400:])

    other = os.path.join(folder, "other.csv")
    write(other, HOLDOUT.splitlines()[0] + "\n" + HOLDOUT.splitlines()[1] + "\n")
    status, _, err = script("validation.py", run, "-o", report, "--holdout", other)
    held = read(report)
    ok(status == 0 and "`other.csv`: 1 rows" in held and "| deaths_region |" not in held,
       "--holdout names another file", err)
    status, _, err = script("validation.py", run, "-o", report, "--no-holdout")
    held = read(report)
    ok(status == 0 and "Left out (--no-holdout)." in held
       and "| detained_by_day_1 |" not in held, "--no-holdout leaves the facts out", err)

    lines = HOLDOUT.splitlines()
    lines[1] = lines[1].replace(",30,,,", ",,,,")  # line 2: a count by a time, no hour
    lines[2] = lines[2].replace(",B", ",D")  # line 3: a grade D
    lines[3] = lines[3].replace("500,400", "300,400")  # line 4: value below low
    lines[4] = lines[4].replace(",AAA,", ",ZZZ,")  # line 5: a region the run lacks
    bad = os.path.join(folder, "bad.csv")
    write(bad, "\n".join(lines) + "\n")
    out = os.path.join(folder, "not-written.md")
    status, _, err = script("validation.py", run, "-o", out, "--holdout", bad)
    ok(status == 65 and not os.path.exists(out)
       and f"{bad}:2: hour: expected the hour of the count by a time "
           "(detained_by_day_1), found nothing" in err
       and f"{bad}:3: grade: expected A, B or C, found 'D'" in err
       and f"{bad}:4: low: expected low <= value, found 400 > 300" in err
       and f"{bad}:5: region: expected a region id of the run (AAA, BBB), found 'ZZZ'"
           in err,
       "a malformed held-out file is refused (65) with one FILE:LINE: column: "
       "expected, found line per mistake, and no report is written", err)
    write(bad, HOLDOUT.replace("deaths_region,50,", "deaths_region,fifty,"))
    status, _, err = script("validation.py", run, "-o", out, "--holdout", bad)
    ok(status == 65 and f"{bad}:3: value: expected a finite number, found 'fifty'" in err
       and not os.path.exists(out), "a value that is not a number is refused", err)
    status, _, err = script("validation.py", run, "-o", out, "--holdout",
                            os.path.join(folder, "absent.csv"))
    ok(status == 66 and "absent.csv: no such file" in err and not os.path.exists(out),
       "a held-out file that does not exist: 66", err)


def test_exact_onsets(tmp):
    """Onsets and regions by an hour come from summary.csv's region_onsets (exact)
    when the run has it: BBB's samples say hour 30 (day 1), its onset was at 23.5
    (day 0); two regions by hour 24, not one."""
    folder = os.path.join(tmp, "onsets")
    os.makedirs(folder)
    record = os.path.join(folder, "record.csv")
    regions = os.path.join(folder, "regions.csv")
    write(record, RECORD + "regions_with_protests_by_hour_24,2,2,2,regions,24,,,,"
                           "\"Synthetic spread\",B\n")
    write(regions, REGIONS)
    run = os.path.join(folder, "run")
    synthetic_run(run, record, regions, onsets="AAA=2.5;BBB=23.5")
    report = os.path.join(folder, "report.md")
    status, _, err = script("validation.py", run, "-o", report)
    text = read(report)
    onset_b = line_starting(text, "| BBB | 2 |")
    spread = line_starting(text, "| regions_with_protests_by_hour_24 |")
    ok(status == 0 and "0 [0, 0]" in onset_b and onset_b.endswith("| **MISS** |")
       and "summary.csv region_onsets: exact" in text,
       "an onset at hour 23.5 is day 0, though the first sample past it is at 30",
       err, onset_b)
    ok("2 [2, 2]" in spread and spread.endswith("| pass |"),
       "regions by hour 24 counted from the exact onsets: 2, not the samples' 1",
       spread)
    broken = os.path.join(folder, "broken")
    synthetic_run(broken, record, regions, onsets="AAA=soon")
    status, _, err = script("validation.py", broken, "-o", report + "2")
    ok(status == 65 and "summary.csv:2: region_onsets: expected ID=HOUR pairs" in err
       and "'AAA=soon'" in err and not os.path.exists(report + "2"),
       "a malformed region_onsets field is refused with its file and line", err)


def read(path):
    """The file's text, or "" when it was not written."""
    return open(path, encoding="utf-8").read() if os.path.isfile(path) else ""


def section(text, case):
    begin, end = f"<!-- BEGIN CASE {case} -->\n", f"<!-- END CASE {case} -->\n"
    if text.count(begin) != 1 or text.count(end) != 1:
        return None
    return text[text.index(begin):text.index(end) + len(end)]


def test_cases(tmp):
    record = os.path.join(tmp, "case-record.csv")
    regions = os.path.join(tmp, "case-regions.csv")
    write(record, RECORD)
    write(regions, REGIONS)
    run = os.path.join(tmp, "case-run")
    synthetic_run(run, record, regions)
    shifted = os.path.join(tmp, "case-shifted")
    synthetic_run(shifted, record, regions, killed_shift=40.0)
    report = os.path.join(tmp, "cases.md")
    status, _, err = script("validation.py", run, "-o", report, "--case", "alpha")
    first = open(report, encoding="utf-8").read() if status == 0 else ""
    alpha = section(first, "alpha")
    ok(status == 0 and first.startswith("# Validation against the historical record\n")
       and alpha is not None and "\n## alpha: synthetic\n" in alpha
       and "\n### Targets\n" in alpha and "\n### Misses (3)\n" in alpha,
       "--case into a new file: its title, then the case's section between its "
       "markers with its headings a level down", err)
    status, _, err = script("validation.py", shifted, "-o", report, "--case", "beta")
    second = open(report, encoding="utf-8").read() if status == 0 else ""
    ok(status == 0 and section(second, "alpha") == alpha
       and section(second, "beta") is not None
       and second.index("BEGIN CASE alpha") < second.index("BEGIN CASE beta"),
       "a second case is added after the first, which is kept byte for byte", err)
    status, _, err = script("validation.py", shifted, "-o", report, "--case", "alpha")
    third = open(report, encoding="utf-8").read() if status == 0 else ""
    ok(status == 0 and section(third, "beta") == section(second, "beta")
       and section(third, "alpha") != alpha
       and "| deaths_total |" in (section(third, "alpha") or "")
       and third.count("BEGIN CASE") == 2,
       "writing a case again replaces its own section and no other", err)
    broken = os.path.join(tmp, "broken.md")
    text = "# title\n\n<!-- BEGIN CASE alpha -->\nold\n"
    write(broken, text)
    status, _, err = script("validation.py", run, "-o", broken, "--case", "alpha")
    ok(status == 65 and "END CASE alpha" in err
       and open(broken, encoding="utf-8").read() == text,
       "a file whose section has no end marker is refused (65) and left as it was", err)
    status, _, err = script("validation.py", run, "-o", report, "--case", "a b")
    ok(status == 64 and "--case" in err, "a case name with a space is a usage error",
       err)

    # --own-values: the shifted run's deaths (135..144.5) miss the record's 100
    # (90-110); the run's pass. Everything else is the same in both.
    status, _, err = script("validation.py", run, "-o", report, "--case", "alpha",
                            "--own-values", shifted)
    alpha = section(read(report), "alpha") or ""
    deaths = line_starting(alpha[alpha.find("### The posterior against"):],
                           "| deaths_total |")
    ok(status == 0 and deaths.endswith("| pass | 139.8 [135.5, 144] | **MISS** |")
       and "This run: 5 of 8 pass; the scenario's own values: 4 of 8." in alpha,
       "--own-values: each row judged on both runs, and the counts of passes", err,
       deaths)

    # Overlap of posteriors.
    grid = [k / 100 for k in range(100)]

    def posterior(path, values, name="agents.w_s"):
        write(path, f"particle,{name},weight,distance\n" + "".join(
            f"{k},{v!r},1,0\n" for k, v in enumerate(values)))
        return path

    a = posterior(os.path.join(tmp, "a.csv"), grid)
    same = posterior(os.path.join(tmp, "same.csv"), grid)
    far = posterior(os.path.join(tmp, "far.csv"), [v + 10 for v in grid])
    half = posterior(os.path.join(tmp, "half.csv"), [v + 0.5 for v in grid])
    status, out, err = script("posterior_overlap.py", a, same, "--names", "A", "B")
    ok(status == 0 and "| agents.w_s | 0.49 [0.04, 0.94] | 0.49 [0.04, 0.94] | 1.00 | "
       "1.00 | 1.00 |" in out,
       "the same posterior twice: weighted median and 90% interval (calibrate's "
       "quantiles: 0.04 and 0.94 of 100 equal weights), every overlap 1", err, out)
    status, out, err = script("posterior_overlap.py", a, far, "--names", "A", "B")
    ok(status == 0 and line_starting(out, "| agents.w_s |").endswith(
        "| 0.00 | 0.00 | 0.00 |") and "1 with disjoint 90% intervals (agents.w_s)" in out,
       "posteriors 10 apart: no overlap, said to be disjoint", err, out)
    # half: interval [0.54, 1.44] against [0.04, 0.94]: 0.40 of the narrower (0.90),
    # 0.40 / 1.40 of the union; 3 bins over [0, 1.49]: A (0.5, 0.5, 0), B (0, 0.5, 0.5).
    status, out, err = script("posterior_overlap.py", a, half, "--names", "A", "B",
                              "--bins", "3")
    ok(status == 0 and line_starting(out, "| agents.w_s |").endswith(
        "| 0.44 | 0.29 | 0.50 |"),
       "a posterior shifted by half its range: 0.44, 0.29 and 0.50 as by hand", err, out)
    noweight = os.path.join(tmp, "noweight.csv")
    write(noweight, "agents.w_s\n1\n")
    other = posterior(os.path.join(tmp, "other.csv"), grid, "agents.w_n")
    status1, _, err1 = script("posterior_overlap.py", a, noweight)
    status2, _, err2 = script("posterior_overlap.py", a, other)
    status3, _, err3 = script("posterior_overlap.py", a, os.path.join(tmp, "none.csv"))
    ok(status1 == 65 and "weight" in err1 and status2 == 65 and "share no" in err2
       and status3 == 66, "no weight column or no shared parameter: 65; no file: 66",
       err1, err2, err3)
    cal = os.path.join(tmp, "case-calibration")
    os.makedirs(cal)
    shutil.copy(a, os.path.join(cal, "posterior.csv"))
    write(os.path.join(cal, "posterior_summary.csv"),
          "parameter,prior,min,max,mean,sd,p5,median,p95\n"
          "agents.w_s,uniform,0,2,0.5,0.3,0.04,0.49,0.94\n")
    write(os.path.join(cal, "targets.csv"),
          "metric,value,low,high,grade,weight,scale,p5,median,p95,empty_share,in_range,"
          "distance_share,source\n"
          "killed,100,90,110,A,1,10,80,101,120,0,yes,1,\"Synthetic source of deaths\"\n")
    status, _, err = script("validation.py", cal, run, "-o", report, "--case", "alpha",
                            "--overlap", half, "--overlap-name", "other")
    alpha = section(read(report), "alpha") or ""
    ok(status == 0 and "### Posterior overlap with other" in alpha
       and "| agents.w_s | 0.49 [0.04, 0.94] | 0.99 [0.54, 1.44] | 0.44 | 0.29 |"
       in alpha, "--overlap: the calibration's posterior against another, in the "
                 "case's section", err)
    status, _, err = script("validation.py", run, "-o", report, "--overlap", half)
    ok(status == 64 and "calibration folder" in err,
       "--overlap without a calibration folder is a usage error", err)

def with_scale(run, scale):
    """The synthetic run's scenario.cfg with scenario.agent_scale = scale."""
    path = os.path.join(run, "scenario.cfg")
    text = open(path, encoding="utf-8").read()
    write(path, text.replace('  name = "synthetic";\n',
                             f'  name = "synthetic";\n  agent_scale = {scale:.1f};\n'))


def test_scale_convergence(tmp):
    """The scale-convergence table from a sweep over scenario.agent_scale and from run
    folders at different scales; a quantity told apart at the run's own scale is a
    miss; bad inputs refused."""
    record = os.path.join(tmp, "record.csv")
    regions = os.path.join(tmp, "regions.csv")
    run = os.path.join(tmp, "scaled")
    synthetic_run(run, record, regions)
    with_scale(run, 100)
    # Scale 10 has the values of scale 1 (p = 1); scale 100 doubles the peak and
    # ends every replication in regime collapse: both told apart from 1.
    sweep = os.path.join(tmp, "scale-sweep")
    os.makedirs(sweep)
    rows = ["point,scenario.agent_scale,rep,seed,outcome,peak_active,peak_hour,"
            "regions_joined,killed,detained"]
    for point, scale in enumerate((1, 10, 100)):
        for k in range(REPS):
            peak = 1000 + 10 * k if scale < 100 else 2000 + 10 * k
            outcome = "order_restored" if scale < 100 else "regime_collapse"
            rows.append(f"{point},{scale}.0,{k},0x{k + 1:016x},{outcome},{peak},40,3,"
                        f"{50 + k},{200 + k}")
    write(os.path.join(sweep, "sweep.csv"), "\n".join(rows) + "\n")
    report = os.path.join(tmp, "scale.md")
    status, _, err = script("validation.py", run, "-o", report, "--convergence", sweep)
    text = open(report, encoding="utf-8").read() if status == 0 else ""
    peak = line_starting(text, "| peak active |")
    killed = line_starting(text, "| killed |")
    share = line_starting(text, "| order restored (share) |")
    ok(status == 0 and "| quantity | median, 1 | median, 10 | median, 100 | p, 10 vs 1 | "
       "p, 100 vs 1 |" in text
       and peak.startswith("| peak active | 1,095 | 1,095 | 2,095 | 1 |")
       and "(apart)" in peak.split("|")[-2]
       and killed.startswith("| killed | 59.5 | 59.5 | 59.5 | 1 | 1 |")
       and share.startswith("| order restored (share) | 100% | 100% | 0% | 1 |"),
       "a sweep over agent_scale: medians by scale, p of each coarser scale against "
       "the finest (1 for the same values, apart for a doubled peak)", err, peak,
       killed, share)
    ok("- scale convergence: peak active at the run's agent_scale 100 is told apart "
       "from 1" in text and "- scale convergence: order_restored share at the run's "
       "agent_scale 100" in text and "- scale convergence: killed" not in text,
       "a quantity told apart at the run's own scale is listed with the misses")
    # The same from run folders, one per scale.
    runs = []
    for scale in (1, 10):
        folder = os.path.join(tmp, f"run-at-{scale}")
        synthetic_run(folder, record, regions)
        with_scale(folder, scale)
        runs.append(folder)
    status, _, err = script("validation.py", run, "-o", report, "--convergence", *runs)
    text = open(report, encoding="utf-8").read() if status == 0 else ""
    ok(status == 0 and line_starting(text, "| peak active |").startswith(
        "| peak active | 7,000 | 7,000 | 1 |")
       and "No coarser scale is told apart from the finest in any quantity." in text
       and "at agent_scale 100, which is not among the scales compared" in text,
       "run folders at two scales: their medians and p = 1 for the same values; the "
       "report's run at a third scale is said to be not compared", err)
    few = os.path.join(tmp, "run-at-1-few")
    synthetic_run(few, record, regions)
    with_scale(few, 1)
    with open(os.path.join(few, "summary.csv"), encoding="utf-8") as f:
        head = f.readlines()[:4]
    write(os.path.join(few, "summary.csv"), "".join(head))
    status, _, err = script("validation.py", run, "-o", report, "--convergence", few,
                            runs[1])
    text = open(report, encoding="utf-8").read() if status == 0 else ""
    ok(status == 0 and line_starting(text, "| peak active |").endswith("| — |"),
       "three replications against twenty: too few to test, a dash, not a p", err,
       line_starting(text, "| peak active |"))
    status, _, err = script("validation.py", run, "-o", report + "2", "--convergence",
                            runs[0], runs[0])
    ok(status == 65 and "found agent_scale 1 twice" in err
       and not os.path.exists(report + "2"),
       "two runs at one scale are refused (65), nothing written", err)
    other = os.path.join(tmp, "not-a-scale-sweep")
    os.makedirs(other)
    write(os.path.join(other, "sweep.csv"), "point,agents.w_s,rep,seed,outcome\n"
                                            "0,0.5,0,0x1,order_restored\n")
    status, _, err = script("validation.py", run, "-o", report + "2", "--convergence",
                            other)
    ok(status == 65 and "expected a sweep over scenario.agent_scale" in err
       and not os.path.exists(report + "2"),
       "a sweep over another setting is refused (65)", err)


def test_sensitivity_real(tmp):
    """A real (tiny) Sobol analysis of the reference and its figure by figures.py, in
    the report: first-order and total indices with intervals for the peak, killed,
    detained and every outcome share, and the figure linked from the report."""
    scen = os.path.join(tmp, "short.cfg")
    write(scen, f'base = "{os.path.join(SRC, "scenarios", "calibration", "kazakhstan-2022-own-values.cfg")}";\n'
                'scenario = { horizon = 120.0; agent_scale = 100.0; };\n')
    sfile = os.path.join(tmp, "sobol.cfg")
    write(sfile, 'scenario = "short.cfg";\nseed = 3;\nmethod = "sobol";\nsamples = 4;\n'
                 'replications = 1;\nbootstrap = 100;\nparameters = (\n'
                 '  { path = "agents.w_s"; min = 7.2; max = 8.8; },\n'
                 '  { path = "casualties.base_rate"; dist = "loguniform"; min = 0.019; '
                 'max = 0.076; }\n);\n'
                 'outputs = [ "peak_active", "killed", "detained", '
                 '"outcome.order_restored", "outcome.elite_prevails", '
                 '"outcome.regime_collapse", "outcome.unresolved" ];\n')
    sens = os.path.join(tmp, "sens")
    done = subprocess.run([BIN, "sensitivity", sfile, "-o", sens, "-q"],
                          capture_output=True, text=True)
    if not ok(done.returncode == 0, "a tiny Sobol analysis of the reference",
              done.stderr):
        return
    figs = os.path.join(tmp, "docs", "img")
    status, _, err = script("figures.py", sens, "-o", figs, "--only", "sensitivity",
                            "--format", "png")
    figure = os.path.join(figs, "sensitivity.png")
    if not ok(status == 0 and os.path.getsize(figure) > 10000,
              "figures.py draws its indices", err):
        return
    kz = os.path.join(tmp, "kz-sens")
    done = subprocess.run([BIN, "run", scen, "-r", "2", "-q", "-o", kz],
                          capture_output=True, text=True)
    report = os.path.join(tmp, "docs", "validation.md")
    status, _, err = script("validation.py", kz, "-o", report, "--sensitivity", sens,
                            "--sensitivity-figure", figure)
    text = open(report, encoding="utf-8").read() if status == 0 else ""
    outputs = ["peak_active", "killed", "detained", "outcome.order_restored",
               "outcome.elite_prevails", "outcome.regime_collapse",
               "outcome.unresolved"]
    rows = [line_starting(text, f"| {o} | agents.w_s |") for o in outputs]
    ok(status == 0 and all(rows)
       and "| peak_active | casualties.base_rate |" in text
       and re.search(r"\| peak_active \| agents\.w_s \| -?[0-9.]+ \[-?[0-9.]+, "
                     r"-?[0-9.]+\] \| -?[0-9.]+ \[-?[0-9.]+, -?[0-9.]+\] \|",
                     rows[0]),
       "the report has S1 and ST with intervals for the peak, killed, detained and "
       "each outcome share", err, *rows[:2])
    ok("![The sensitivity indices with their intervals](img/sensitivity.png)" in text,
       "and shows the figure by its path from the report's folder")
    status, _, err = script("validation.py", kz, "-o", report + "2", "--sensitivity",
                            sens, "--sensitivity-figure", figure + ".none")
    ok(status == 66 and not os.path.exists(report + "2"),
       "a missing figure is refused (66), nothing written", err)


def test_real_runs(tmp):
    kz = os.path.join(tmp, "kz")
    done = subprocess.run([BIN, "run", os.path.join(SRC, "scenarios", "kazakhstan-2022.cfg"),
                           "-r", "3", "-s", "5", "-q", "-o", kz, "--set",
                           "scenario.horizon=160", "--set", "scenario.agent_scale=100"],
                          capture_output=True, text=True)
    if not ok(done.returncode == 0, "a small run of the reference", done.stderr):
        return
    manifest = open(os.path.join(kz, "manifest.cfg"), encoding="utf-8").read()
    facts = os.path.realpath(os.path.join(SRC, "scenarios", "records",
                                          "kazakhstan-2022-record.csv"))
    ok(f'record = "{facts}";' in manifest
       and f'record_hash = "{fnv(facts)}";' in manifest
       and 'regions_file = "' in manifest,
       "the run's manifest names the scenario's record and its hash")
    report = os.path.join(tmp, "kz.md")
    status, _, err = script("validation.py", kz, "-o", report)
    text = open(report, encoding="utf-8").read() if os.path.isfile(report) else ""
    sections = ["## Targets", "## Timeline", "## Onset day by region",
                "## Held-out facts", "## Calibration",
                "## Scale convergence", "## Analytic checks", "## Sensitivity",
                "## Misses", "## Not compared"]
    ok(status == 0 and all(s in text for s in sections)
       and "| deaths_total |" in text and "| MAN |" in text
       and "kazakhstan-2022-record.csv" in text,
       "the report of a small reference run has every section", err,
       *[s for s in sections if s not in text])
    held = text[text.find("## Held-out facts"):text.find("## Calibration")]
    ok("`kazakhstan-2022-holdout.csv`" in held and "never used in any fit" in held
       and "| detained_by_7_jan |" in held and "| deaths_region | ALA |" in held
       and "| participants_peak | ALA |" in held
       and "detained_by_10_jan (at hour 226, after the run's horizon" in held,
       "the reference's held-out facts are judged by default: detentions by a date, "
       "deaths by region, crowds; those after the run's horizon named", held[:400])

    # The Iran case, as a section beside Kazakhstan's in one file.
    ir = os.path.join(tmp, "ir")
    # To hour 300: the record's detentions by 27 November are at hour 288.
    done = subprocess.run([BIN, "run", os.path.join(SRC, "scenarios", "iran-2019.cfg"),
                           "-r", "3", "-s", "5", "-q", "-o", ir, "--set",
                           "scenario.horizon=300", "--set", "scenario.agent_scale=100"],
                          capture_output=True, text=True)
    if ok(done.returncode == 0, "a small run of the Iran scenario", done.stderr):
        both = os.path.join(tmp, "both.md")
        status1, _, err1 = script("validation.py", kz, "-o", both, "--case",
                                  "kazakhstan-2022")
        status2, _, err2 = script("validation.py", ir, "-o", both, "--case", "iran-2019")
        text = open(both, encoding="utf-8").read() if status2 == 0 else ""
        iran = section(text, "iran-2019") or ""
        ok(status1 == 0 and status2 == 0 and section(text, "kazakhstan-2022")
           and "iran-2019-record.csv" in iran and "| deaths_total |" in iran
           and "| detained_by_27_nov |" in iran and "| KHZ | 0 |" in iran
           and "| lethal_force_order |" in iran
           and all(s.replace("## ", "### ") in iran for s in sections),
           "the Iran section: its own record's deaths, detentions, crackdown and "
           "onsets, every section, beside Kazakhstan's", err1, err2)

    minimal = os.path.join(tmp, "minimal")
    done = subprocess.run([BIN, "run", os.path.join(SRC, "scenarios", "minimal.cfg"),
                           "-r", "2", "-q", "-o", minimal], capture_output=True, text=True)
    if not ok(done.returncode == 0, "a run of minimal.cfg", done.stderr):
        return
    out = os.path.join(tmp, "minimal.md")
    status, _, err = script("validation.py", minimal, "-o", out)
    ok(status == 65 and "names no historical record" in err and not os.path.exists(out),
       "validation.py refuses a run without a record: 65, a message, no report", err)
    status, _, err = script("record.py", minimal, "-o", os.path.join(tmp, "minimal-rec"))
    ok(status == 65 and "names no historical record" in err
       and not os.path.exists(os.path.join(tmp, "minimal-rec")),
       "record.py refuses a run without a record: 65 and a message", err)


def main():
    tmp = tempfile.mkdtemp(prefix="unrest-validation-")
    try:
        test_synthetic(tmp)
        test_holdout(tmp)
        test_exact_onsets(tmp)
        test_cases(tmp)
        test_scale_convergence(tmp)
        test_sensitivity_real(tmp)
        test_real_runs(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
