#!/usr/bin/python3
"""The validation report (docs/validation.md) from a calibration folder and a run.

  validation.py CALIBRATION_DIR RUN_DIR -o docs/validation.md

Writes Markdown with:
- the calibration's targets: for each, the record's value, range, grade and source (the
  source from the record's row of the same quantity), the model's median and 90%
  interval (targets.csv), and pass or miss;
- the posterior: each parameter's median and 90% interval (posterior_summary.csv),
  when the folder has it;
- from the run, compared with its scenario's record by record.py's own comparison:
  the simulated timeline of actions, shutdown and CSTO against the recorded hours, and
  the first day of protest region by region, each with pass or miss;
- every miss again in one list, and the record's quantities that were not compared,
  with the reason.

Pass: the model's 90% interval meets the record's range (record.py's `overlap`); a
row without a model value (no replication had it) is a miss. Misses are printed,
never left out.

Exit status: 0 done, 64 usage, 65 a folder lacks targets.csv or the run its files,
66 no such folder, 73 cannot write the output.

Debian packages: python3-pandas, python3-matplotlib (run with /usr/bin/python3).
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figures  # noqa: E402
import record  # noqa: E402
import unrestcsv as uc  # noqa: E402


def parse_args(argv):
    parser = uc.ArgumentParser(
        prog="validation.py",
        description="Write the validation report from a calibration folder and a run.",
        epilog="Exit status: 64 usage, 65 missing file or column, 66 missing folder, "
               "73 cannot write.")
    parser.add_argument("calibration", metavar="CALIBRATION_DIR",
                        help="a calibration's output folder (targets.csv)")
    parser.add_argument("run", metavar="RUN_DIR",
                        help="a run of the calibrated scenario")
    parser.add_argument("-o", "--output", default="validation.md", metavar="FILE.md",
                        help="the report to write (default %(default)s)")
    record.add_record_options(parser)
    return parser.parse_args(argv)


def fmt(value, unit=""):
    return record.fmt(value, unit)


def verdict(passed):
    return "pass" if passed else "**MISS**"


def target_rows(calibration, sources):
    """[(target, record text, grade, source, model text, passed)]."""
    targets = figures.read_targets(calibration)
    rows = []
    for _, t in targets.iterrows():
        rec = f"{fmt(t['record'])} ({fmt(t['low'])}–{fmt(t['high'])})"
        have = not math.isnan(t["median"])
        model = (f"{fmt(t['median'])} [{fmt(t['p05'])}, {fmt(t['p95'])}]"
                 if have else "—")
        passed = figures.target_passes(t)
        rows.append((t["target"], rec, t["grade"] or "—",
                     sources.get(t["target"], "not in the record"), model, passed))
    return rows


def posterior_lines(calibration):
    if not uc.has_file(calibration, "posterior_summary.csv"):
        return ["No posterior_summary.csv in the calibration folder."]
    path = uc.data_path(calibration, "posterior_summary.csv")
    summary = uc.read_csv(path, ["parameter", "median", "p05", "p95"], what=path,
                          text=("parameter",))
    lines = ["| parameter | median | 90% interval |", "| --- | --- | --- |"]
    for _, p in summary.iterrows():
        lines.append(f"| {p['parameter']} | {p['median']:.4g} | "
                     f"{p['p05']:.4g}–{p['p95']:.4g} |")
    return lines


def comparison_lines(rows, kind_filter, header):
    """A table of the run's comparison rows that pass `kind_filter`; the misses."""
    lines = [header, "| --- | --- | --- | --- | --- | --- |"]
    misses = []
    for r in rows:
        if not kind_filter(r):
            continue
        rec, model = record.row_texts(r)
        passed = r["overlap"] == "yes"
        name = (r["region"] if r["unit"] == "day"
                else r["quantity"] + (f" {r['region']}" if r["region"] else ""))
        lines.append(f"| {name} | {rec} | {r['grade'] or '—'} | {model} "
                     f"| {r['model_n']}/{r['reps']} | {verdict(passed)} |")
        if not passed:
            what = f"first protest day {name}" if r["unit"] == "day" else name
            misses.append(f"{what}: record {rec}, model {model} "
                          f"({r['model_n']} of {r['reps']} replications have it)")
    return lines, misses


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    calibration = uc.run_folder(args.calibration)
    run_dir = uc.run_folder(args.run)
    found = record.chosen_record(args, run_dir)
    if not found:
        raise uc.AnalysisError(f"{run_dir}: its scenario has no record; name one with "
                               "--record", uc.EX_USAGE)
    rargs = record.parse_args([run_dir, "--record", found[0], "--regions", found[1],
                               "--record-start", found[2]])
    facts = uc.read_csv(found[0], record.RECORD_COLUMNS, what=found[0],
                        text=record.RECORD_TEXT)
    sources = dict(zip(facts["quantity"], facts["source"].fillna("")))

    targets = target_rows(calibration, sources)
    run, rows, left_out = record.comparison(rargs)

    name = os.path.basename(os.path.normpath(calibration))
    lines = [
        "# Validation against the historical record", "",
        f"From the calibration `{name}` and the run "
        f"`{os.path.basename(os.path.normpath(run_dir))}` ({len(run.reps)} "
        f"replications), against `{os.path.basename(found[0])}`. Regenerate with "
        "`analysis/validation.py CALIBRATION RUN -o docs/validation.md`.", "",
        "Pass: the model's 90% interval meets the record's range. Grades: A "
        "well-sourced, B single source, C uncertain.", "",
        "## Calibration targets", "",
        "| target | record (range) | grade | source | model median [90%] | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    misses = []
    for target, rec, grade, source, model, passed in targets:
        lines.append(f"| {target} | {rec} | {grade} | {source} | {model} "
                     f"| {verdict(passed)} |")
        if not passed:
            misses.append(f"target {target}: record {rec}, model {model}")
    passed_n = sum(1 for t in targets if t[5])
    lines += ["", f"{passed_n} of {len(targets)} targets pass.", "",
              "## Posterior", ""] + posterior_lines(calibration)

    header = ("| event | recorded hour (range) | grade | model median [90%] | n "
              "| result |")
    timing, timing_misses = comparison_lines(
        rows, lambda r: r["kind"] == "timing" and r["unit"] == "h", header)
    lines += ["", "## Timeline: actions, shutdown and CSTO against the recorded hours",
              "", f"Hours since {rargs.record_start.isoformat()}.", ""] + timing
    header = ("| region | recorded day | grade | model median [90%] | n | result |")
    onset, onset_misses = comparison_lines(
        rows, lambda r: r["kind"] == "timing" and r["unit"] == "day", header)
    lines += ["", "## Onset day by region", "",
              "Days from 1 January in the region's own time zone; onset is the first "
              f"sample with {fmt(run.threshold)} active persons.", ""] + onset
    misses += timing_misses + onset_misses
    lines += ["", f"## Misses ({len(misses)})", ""]
    lines += [f"- {m}" for m in misses] or ["- none"]
    lines += ["", "## Not compared", ""]
    lines += [f"- {q}: {why}" for q, why in left_out] or ["- nothing"]
    uc.write_text(args.output, "\n".join(lines) + "\n")
    print(f"{args.output}: {passed_n} of {len(targets)} targets pass, "
          f"{len(misses)} misses")
    return 0


if __name__ == "__main__":
    sys.exit(uc.run_main(main))
