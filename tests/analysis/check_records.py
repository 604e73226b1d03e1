#!/usr/bin/python3
"""check_records.py: checks that the historical records the project ships are well
formed, and that the check itself rejects broken records, printing TAP.

A record is a pair of CSV files (the format is in docs/record.md): FACTS, one row per
fact (quantity,value,low,high,unit,hour,hour_low,hour_high,region,source,grade), and
REGIONS, one row per region (id,name,centre,population,utc_offset,lat,lon,
first_protest_day,first_protest_grade, and any further columns). Checked:
- the columns are there, by name, and no row has more or fewer fields than the header;
- every number parses and is finite: value, low, high, hour, hour_low, hour_high;
  population a positive integer; lat in [-90, 90], lon in [-180, 180];
  first_protest_day a whole number of days >= 0 or empty;
- low <= value <= high, and hour_low <= hour <= hour_high, where both are given;
- grade (and first_protest_grade) is A, B or C; quantity, unit and source are not empty;
- region ids are unique, uppercase letters and digits; every region a fact names
  (several joined by ';') is one of them; utc_offset reads +HH:MM or -HH:MM;
- the regions' populations sum to the census total the record's README gives.
Every error is one line, `file:line: column: expected ..., found ...`.

The shipped records checked: Iran November 2019 (scenarios/records/), and Kazakhstan
January 2022 with its outcomes by region, in the same columns (analysis/data/), and its
held-out facts (scenarios/records/kazakhstan-2022-holdout.csv). Then each of a set of
deliberately broken copies of the Iran record must be rejected with the error it was
broken for.

Written with the csv module alone (no pandas) so that the check runs wherever
/usr/bin/python3 does.

A user checks a record of their own the same way, with the census total of its
regions if they want that checked too:

  /usr/bin/python3 check_records.py --facts FACTS.csv --regions REGIONS.csv [--total N]

Usage: /usr/bin/python3 check_records.py SOURCE_ROOT
Exit status: 0 all pass (or the record is well formed), 1 a check failed, 64 usage,
65 the record given with --facts has errors (one a line on standard error).
"""

import csv
import math
import os
import re
import sys
import tempfile

FACT_COLUMNS = ["quantity", "value", "low", "high", "unit", "hour", "hour_low",
                "hour_high", "region", "source", "grade"]
REGION_COLUMNS = ["id", "name", "centre", "population", "utc_offset", "lat", "lon",
                  "first_protest_day", "first_protest_grade"]
GRADES = ("A", "B", "C")

# (facts, regions, census total of the regions' populations), relative to the source
# root. The totals are those the records' READMEs state: Iran's 2016 census
# (Statistical Centre of Iran) and Kazakhstan's 1 January 2022 estimate (Bureau of
# National Statistics).
# Records kept in two places, byte for byte the same (analysis/data, scenarios/records).
COPIES = [
    ("analysis/data/kazakhstan-2022-record.csv",
     "scenarios/records/kazakhstan-2022-record.csv"),
    ("analysis/data/regions-2022.csv", "scenarios/records/kazakhstan-2022-regions.csv"),
]

SHIPPED = [
    ("Iran 2019", "scenarios/records/iran-2019-record.csv",
     "scenarios/records/iran-2019-regions.csv", 79926270),
    ("Kazakhstan 2022", "analysis/data/kazakhstan-2022-record.csv",
     "analysis/data/regions-2022.csv", 19503159),
    ("Kazakhstan 2022 by region", "analysis/data/kazakhstan-2022-regional-outcomes.csv",
     "analysis/data/regions-2022.csv", 19503159),
    ("Kazakhstan 2022 held out", "scenarios/records/kazakhstan-2022-holdout.csv",
     "scenarios/records/kazakhstan-2022-regions.csv", 19503159),
]


def read_table(path, columns, errors):
    """The rows of a CSV file as (line number, dict), or None when it cannot be used
    (unreadable, or a required column missing); problems go to errors."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                errors.append(f"{path}:1: header: expected {','.join(columns)}, "
                              "found an empty file")
                return None
            missing = [c for c in columns if c not in header]
            if missing:
                errors.append(f"{path}:1: header: expected the columns "
                              f"{','.join(missing)}, found {','.join(header)}")
                return None
            rows = []
            for fields in reader:
                line = reader.line_num
                if len(fields) != len(header):
                    errors.append(f"{path}:{line}: row: expected {len(header)} fields, "
                                  f"found {len(fields)}")
                    continue
                rows.append((line, dict(zip(header, fields))))
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        errors.append(f"{path}:1: file: expected a readable UTF-8 CSV file, found {err}")
        return None


def number(path, line, column, text, errors):
    """The finite number in text, None when empty; a non-number is an error (and
    None)."""
    if text.strip() == "":
        return None
    try:
        v = float(text)
    except ValueError:
        errors.append(f"{path}:{line}: {column}: expected a number, found {text!r}")
        return None
    if not math.isfinite(v):
        errors.append(f"{path}:{line}: {column}: expected a finite number, found {text!r}")
        return None
    return v


def ordered(path, line, names, values, errors):
    """low <= value <= high (or hour_low <= hour <= hour_high) for those given."""
    given = [(n, v) for n, v in zip(names, values) if v is not None]
    for (n1, v1), (n2, v2) in zip(given, given[1:]):
        if v1 > v2:
            errors.append(f"{path}:{line}: {n1}: expected {n1} <= {n2}, "
                          f"found {v1:g} > {v2:g}")


def check_regions(path, census_total, errors):
    """The region ids of a regions file (empty set when unusable)."""
    rows = read_table(path, REGION_COLUMNS, errors)
    if rows is None:
        return set()
    ids = set()
    total = 0
    for line, r in rows:
        rid = r["id"]
        if not re.fullmatch(r"[A-Z][A-Z0-9]*", rid):
            errors.append(f"{path}:{line}: id: expected uppercase letters and digits, "
                          f"found {rid!r}")
        if rid in ids:
            errors.append(f"{path}:{line}: id: expected a unique id, found {rid!r} again")
        ids.add(rid)
        for column in ("name", "centre"):
            if r[column].strip() == "":
                errors.append(f"{path}:{line}: {column}: expected a name, found nothing")
        pop = r["population"]
        if re.fullmatch(r"[1-9][0-9]*", pop):
            total += int(pop)
        else:
            errors.append(f"{path}:{line}: population: expected a positive whole number, "
                          f"found {pop!r}")
        if not re.fullmatch(r"[+-](0[0-9]|1[0-4]):[0-5][0-9]", r["utc_offset"]):
            errors.append(f"{path}:{line}: utc_offset: expected +HH:MM or -HH:MM, "
                          f"found {r['utc_offset']!r}")
        for column, bound in (("lat", 90.0), ("lon", 180.0)):
            v = number(path, line, column, r[column], errors)
            if v is None and r[column].strip() == "":
                errors.append(f"{path}:{line}: {column}: expected a coordinate, found nothing")
            elif v is not None and abs(v) > bound:
                errors.append(f"{path}:{line}: {column}: expected a value in "
                              f"[-{bound:g}, {bound:g}], found {v:g}")
        day = r["first_protest_day"]
        if day != "" and not re.fullmatch(r"[0-9]+", day):
            errors.append(f"{path}:{line}: first_protest_day: expected a whole number of "
                          f"days >= 0 or nothing, found {day!r}")
        if r["first_protest_grade"] not in GRADES:
            errors.append(f"{path}:{line}: first_protest_grade: expected A, B or C, "
                          f"found {r['first_protest_grade']!r}")
    if census_total is not None and total != census_total:
        errors.append(f"{path}:1: population: expected the regions to sum to the census "
                      f"total {census_total}, found {total}")
    return ids


def check_facts(path, region_ids, errors):
    rows = read_table(path, FACT_COLUMNS, errors)
    if rows is None:
        return
    for line, r in rows:
        for column in ("quantity", "unit", "source"):
            if r[column].strip() == "":
                errors.append(f"{path}:{line}: {column}: expected text, found nothing")
        if r["grade"] not in GRADES:
            errors.append(f"{path}:{line}: grade: expected A, B or C, found {r['grade']!r}")
        names = ("low", "value", "high")
        ordered(path, line, names,
                [number(path, line, n, r[n], errors) for n in names], errors)
        names = ("hour_low", "hour", "hour_high")
        ordered(path, line, names,
                [number(path, line, n, r[n], errors) for n in names], errors)
        if r["region"] != "":
            for rid in r["region"].split(";"):
                if rid not in region_ids:
                    errors.append(f"{path}:{line}: region: expected ids of the regions "
                                  f"file, found {rid!r}")


def check_record(facts, regions, census_total):
    """Every error of a record (facts file and regions file), in file order."""
    errors = []
    ids = check_regions(regions, census_total, errors)
    check_facts(facts, ids, errors)
    return errors


# Broken copies of the Iran record: (what is broken, file, edit, the error expected).
# An edit is (line number, column, new text) on the CSV, line 1 being the header.
BROKEN = [
    ("low above value", "facts", (2, "low", "20000"), ": low: expected low <= value"),
    ("value above high", "facts", (2, "value", "99999"), ": value: expected value <= high"),
    ("hour before hour_low", "facts", (10, "hour", "-9"),
     ": hour_low: expected hour_low <= hour"),
    ("a number that is not one", "facts", (2, "value", "ten thousand"),
     ": value: expected a number, found 'ten thousand'"),
    ("an infinite number", "facts", (2, "high", "inf"),
     ": high: expected a finite number"),
    ("grade D", "facts", (2, "grade", "D"), ": grade: expected A, B or C, found 'D'"),
    ("no source", "facts", (2, "source", ""), ": source: expected text, found nothing"),
    ("a region the regions file lacks", "facts", (2, "region", "THR;XXX"),
     ": region: expected ids of the regions file, found 'XXX'"),
    ("a column renamed", "facts", (1, "grade", "grading"),
     ":1: header: expected the columns grade"),
    ("populations off the census total", "regions", (2, "population", "13267638"),
     ": population: expected the regions to sum to the census total 79926270, "
     "found 79926271"),
    ("a population that is not whole", "regions", (2, "population", "13.2e6"),
     ": population: expected a positive whole number"),
    ("a duplicate id", "regions", (3, "id", "THR"), ": id: expected a unique id"),
    ("a bad UTC offset", "regions", (2, "utc_offset", "+3.5"),
     ": utc_offset: expected +HH:MM or -HH:MM"),
    ("a latitude out of range", "regions", (2, "lat", "135.69"),
     ": lat: expected a value in [-90, 90]"),
    ("a fractional first day", "regions", (2, "first_protest_day", "1.5"),
     ": first_protest_day: expected a whole number of days"),
    ("first_protest_grade E", "regions", (2, "first_protest_grade", "E"),
     ": first_protest_grade: expected A, B or C"),
]


def edited_copy(src, dst, edit):
    line_no, column, text = edit
    with open(src, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    col = rows[0].index(column)
    rows[line_no - 1][col] = text
    with open(dst, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


USAGE = ("usage: check_records.py SOURCE_ROOT\n"
         "       check_records.py --facts FACTS.csv --regions REGIONS.csv [--total N]")


def check_one(argv):
    """--facts F --regions R [--total N]: the errors of one record, exit 65 if any."""
    opts = dict(zip(argv[1::2], argv[2::2]))
    if (len(argv) % 2 != 1 or set(opts) - {"--facts", "--regions", "--total"}
            or "--facts" not in opts or "--regions" not in opts
            or not re.fullmatch(r"[1-9][0-9]*", opts.get("--total", "1"))):
        print(USAGE, file=sys.stderr)
        return 64
    total = int(opts["--total"]) if "--total" in opts else None
    errors = check_record(opts["--facts"], opts["--regions"], total)
    for e in errors:
        print(e, file=sys.stderr)
    return 65 if errors else 0


def main(argv):
    if len(argv) > 1 and argv[1] == "--facts":
        return check_one(argv)
    if len(argv) != 2 or argv[1].startswith("-"):
        print(USAGE, file=sys.stderr)
        return 64
    root = argv[1]
    n = 0
    failed = 0

    def report(ok, name, detail=()):
        nonlocal n, failed
        n += 1
        print(f"{'ok' if ok else 'not ok'} {n} - {name}")
        for d in detail:
            print(f"# {d}")
        failed += not ok

    for name, facts, regions, total in SHIPPED:
        errors = check_record(os.path.join(root, facts), os.path.join(root, regions), total)
        report(not errors, f"{name}: {facts} and {regions} well formed", errors)

    # The Kazakhstan record lives in analysis/data (with the data it was built from)
    # and, for its scenario, in scenarios/records: the two copies must not drift.
    for data, scen in COPIES:
        with open(os.path.join(root, data), "rb") as a, \
                open(os.path.join(root, scen), "rb") as b:
            same = a.read() == b.read()
        report(same, f"{scen} is the same as {data}",
               [] if same else ["copy the one you edited over the other"])

    _, facts, regions, total = SHIPPED[0]
    facts, regions = os.path.join(root, facts), os.path.join(root, regions)
    with tempfile.TemporaryDirectory() as tmp:
        for name, which, edit, expected in BROKEN:
            bad_facts, bad_regions = facts, regions
            if which == "facts":
                bad_facts = os.path.join(tmp, "facts.csv")
                edited_copy(facts, bad_facts, edit)
            else:
                bad_regions = os.path.join(tmp, "regions.csv")
                edited_copy(regions, bad_regions, edit)
            errors = check_record(bad_facts, bad_regions, total)
            where = f"{bad_facts if which == 'facts' else bad_regions}:"
            hit = [e for e in errors if expected in e and e.startswith(where)]
            report(len(hit) >= 1 and all(e.count(":") >= 3 for e in errors),
                   f"rejects {name}", errors if not hit else ())

    # The command a user runs on their own record: 0 when well formed, 65 (errors on
    # standard error) when not, 64 for arguments it does not take.
    kz_facts = os.path.join(root, SHIPPED[1][1])
    report(check_one(["", "--facts", facts, "--regions", regions, "--total", str(total)]) == 0,
           "--facts/--regions: a well-formed record, exit 0")
    report(check_one(["", "--facts", kz_facts, "--regions", regions]) == 65,
           "--facts/--regions: facts naming regions of another record, exit 65")
    report(check_one(["", "--facts", facts, "--total", "12"]) == 64,
           "--facts without --regions, exit 64")

    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
