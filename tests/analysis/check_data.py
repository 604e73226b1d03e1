"""check_data.py: checks that the data in analysis/data are well-formed and agree with the
record they sit beside, printing TAP.

Files checked: kazakhstan-regions-conditions.csv (regional conditions before January 2022),
kazakhstan-2022-regional-outcomes.csv (what happened where in January 2022) and
literature-parameters.csv (the literature's values for the model's mechanisms), against
regions-2022.csv (the 17 units and their ids), kazakhstan-2022-record.csv and README.md.

- the columns are the documented ones, in order;
- every conditions quantity has exactly one row for each of the 17 ids and at most one
  national row (empty region), and one unit;
- numbers parse; low <= value <= high; percents lie in [0, 100], shares in [0, 1],
  counts are not negative; hour_low <= hour <= hour_high;
- a row with a value has a source and a grade A, B or C; a conditions row without a value
  has no grade and a note saying why it is empty; an outcomes event has a grade;
- every region named (several joined by ';') is an id of regions-2022.csv;
- the deaths by region of grade A plus the deaths not attributed to a region add up to the
  top of the record's range for deaths_total;
- protest_tier, a derived column, equals what the rule of README.md gives from the other
  rows (so editing a fact without its tier, or the reverse, fails);
- README.md names every quantity of both files.

For literature-parameters.csv:
- the columns are the documented ones; parameter names are snake_case and unique; every
  mechanism is one of README.md's list, and README.md names each;
- numbers parse; low <= value <= high; percents, shares and probabilities in range;
- every row has a setting, a source, a grade A, B or C and a note; a row with a number has a
  unit; a row without any number (a qualitative finding) has none;
- grade A (replicated) names at least two works; a derived row ("derived: ..." source) is
  grade C;
- the derived rows recompute: arrest_risk_at_parity from arrest_risk_k, and the Kazakhstan
  ratios (injured per killed, security share of deaths, killed and detained per participant,
  the fuel price rise) from kazakhstan-2022-record.csv, and the Iran 2019 ones from
  scenarios/records/iran-2019-record.csv, value, low and high.

Only the csv module is used: Debian's /usr/bin/python3 runs it without extra packages.

Usage: /usr/bin/python3 check_data.py SOURCE_ROOT
Exit status: 0 all pass, 1 a check failed, 64 usage.
"""

import csv
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import finish, ok  # noqa: E402

if len(sys.argv) != 2:
    print("usage: check_data.py SOURCE_ROOT", file=sys.stderr)
    sys.exit(64)

DATA = os.path.join(sys.argv[1], "analysis", "data")
RECORDS = os.path.join(sys.argv[1], "scenarios", "records")
CONDITIONS = "kazakhstan-regions-conditions.csv"
OUTCOMES = "kazakhstan-2022-regional-outcomes.csv"
CONDITIONS_COLUMNS = ["region", "quantity", "value", "low", "high", "unit", "period",
                      "source", "grade", "note"]
OUTCOMES_COLUMNS = ["quantity", "value", "low", "high", "unit", "hour", "hour_low",
                    "hour_high", "region", "source", "grade", "note"]
GRADES = {"A", "B", "C"}
# Units whose values are counts of things or people, hence never negative.
COUNT_UNITS = {"persons", "buildings", "vehicles", "episodes", "tier", "indicator"}
LITERATURE = "literature-parameters.csv"
LITERATURE_COLUMNS = ["parameter", "mechanism", "value", "low", "high", "unit", "setting",
                      "source", "grade", "note"]
# The model's mechanisms a literature row can anchor; README.md describes each.
MECHANISMS = {"decision", "threshold", "social_signal", "legitimacy", "arrest_risk",
              "mobilization", "demobilization", "repression_response", "concessions",
              "fuel_shock", "internet", "police", "casualties", "detention", "diffusion"}
# Literature units that are never negative (all but the model's own utility scale).
LITERATURE_NONNEGATIVE = {"dimensionless", "probability", "share", "share of population",
                          "percent", "ratio", "days", "persons", "episodes",
                          "percent rise", "officers per 100,000 residents"}
# Derived literature rows that are ratios of two record quantities: value = num/den, low =
# num_low/den_high, high = num_high/den_low (the widest range the record allows).
RECORD_RATIOS = {
    "injured_per_killed_kazakhstan_2022": ("injured_total", "deaths_total"),
    "security_share_of_deaths_kazakhstan_2022": ("deaths_security", "deaths_total"),
    "killed_per_participant_kazakhstan_2022": ("deaths_total", "participants_total"),
    "detained_per_participant_kazakhstan_2022": ("detained_by_11_jan", "participants_total"),
}
IRAN_RECORD = "iran-2019-record.csv"
IRAN_RATIOS = {
    "killed_per_participant_iran_2019": ("deaths_total", "participants_total"),
    "detained_per_participant_iran_2019": ("detained_total", "participants_total"),
}

def read(name, directory=DATA):
    """The rows of a CSV file of analysis/data (or of another directory) and its header,
    as (header, rows) with each row's line number (the header is line 1)."""
    with open(os.path.join(directory, name), newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = []
        for line, cells in enumerate(reader, start=2):
            rows.append((line, dict(zip(header, cells)), len(cells)))
    return header, rows


def number(text):
    """The float in a cell, None for an empty cell; raises ValueError otherwise."""
    if text == "":
        return None
    x = float(text)
    if not math.isfinite(x):
        raise ValueError(text)
    return x


def check_numbers(name, line, row, problems):
    """Appends to problems what is wrong with the row's value, low, high and (outcomes)
    hours."""
    try:
        value, low, high = (number(row[c]) for c in ("value", "low", "high"))
    except ValueError as err:
        problems.append(f"{name}:{line}: value/low/high: expected a number, found {err}")
        return
    present = [x for x in (low, value, high) if x is not None]
    if present != sorted(present):
        problems.append(f"{name}:{line}: expected low <= value <= high, found "
                        f"{row['low']!r} {row['value']!r} {row['high']!r}")
    unit = row["unit"]
    for x in present:
        if unit == "percent" and not 0 <= x <= 100:
            problems.append(f"{name}:{line}: a percent outside [0, 100]: {x}")
        if unit == "share" and not 0 <= x <= 1:
            problems.append(f"{name}:{line}: a share outside [0, 1]: {x}")
        if (unit in COUNT_UNITS or unit.startswith("KZT") or unit.startswith("tonnes")
                or unit.startswith("officers")) and x < 0:
            problems.append(f"{name}:{line}: a negative {unit}: {x}")
    if "hour" in row:
        try:
            hours = [number(row[c]) for c in ("hour_low", "hour", "hour_high")]
        except ValueError as err:
            problems.append(f"{name}:{line}: hours: expected a number, found {err}")
            return
        given = [h for h in hours if h is not None]
        if given != sorted(given):
            problems.append(f"{name}:{line}: expected hour_low <= hour <= hour_high")


def main():
    _, region_rows = read("regions-2022.csv")
    ids = [r["id"] for _, r, _ in region_rows]
    first_day = {r["id"]: r["first_protest_day"] for _, r, _ in region_rows}
    ok(len(ids) == 17 and len(set(ids)) == 17, "regions-2022.csv holds 17 distinct ids")

    # The conditions file.
    header, rows = read(CONDITIONS)
    ok(header == CONDITIONS_COLUMNS, f"{CONDITIONS}: columns", f"found {header}")
    ok(all(n == len(header) for _, _, n in rows), f"{CONDITIONS}: every row has every column")
    by_quantity = {}
    for line, row, _ in rows:
        by_quantity.setdefault(row["quantity"], []).append((line, row))
    for quantity, qrows in by_quantity.items():
        regions = [r["region"] for _, r in qrows]
        regional = sorted(x for x in regions if x)
        ok(regional == sorted(ids) and regions.count("") <= 1,
           f"{CONDITIONS}: {quantity}: one row per id and at most one national row",
           f"regions {regions}")
        units = {r["unit"] for _, r in qrows}
        ok(len(units) == 1 and "" not in units, f"{CONDITIONS}: {quantity}: one unit",
           f"units {units}")
    problems = []
    for line, row, _ in rows:
        check_numbers(CONDITIONS, line, row, problems)
        if row["value"] != "":
            if row["grade"] not in GRADES or not row["source"]:
                problems.append(f"{CONDITIONS}:{line}: a value needs a source and a grade "
                                f"A/B/C, found grade {row['grade']!r}")
        else:
            if row["grade"] or row["low"] or row["high"] or not row["note"]:
                problems.append(f"{CONDITIONS}:{line}: an empty value needs a note and "
                                "no grade, low or high")
    ok(not problems, f"{CONDITIONS}: numbers, sources, grades and gaps", "; ".join(problems))

    # The outcomes file.
    header, rows = read(OUTCOMES)
    ok(header == OUTCOMES_COLUMNS, f"{OUTCOMES}: columns", f"found {header}")
    ok(all(n == len(header) for _, _, n in rows), f"{OUTCOMES}: every row has every column")
    problems = []
    for line, row, _ in rows:
        check_numbers(OUTCOMES, line, row, problems)
        for region in filter(None, row["region"].split(";")):
            if region not in ids:
                problems.append(f"{OUTCOMES}:{line}: region: expected an id of "
                                f"regions-2022.csv, found {region!r}")
        if row["grade"] not in GRADES or not row["source"] or not row["unit"]:
            problems.append(f"{OUTCOMES}:{line}: every fact needs a unit, a source and a "
                            f"grade A/B/C")
        if row["unit"] == "event" and row["value"] != "":
            problems.append(f"{OUTCOMES}:{line}: an event has no value")
        if row["unit"] != "event" and row["value"] == "" and not (row["low"] and row["note"]):
            problems.append(f"{OUTCOMES}:{line}: a count without a value needs a low bound "
                            "and a note")
    ok(not problems, f"{OUTCOMES}: numbers, regions, sources and grades", "; ".join(problems))

    # Deaths by region against the record's national total.
    _, record = read("kazakhstan-2022-record.csv")
    total = [r for _, r, _ in record if r["quantity"] == "deaths_total"]
    deaths = {r["region"]: float(r["value"]) for _, r, _ in rows
              if r["quantity"] == "deaths_region"}
    attributed = sum(float(r["value"]) for _, r, _ in rows
                     if r["quantity"] == "deaths_region" and r["grade"] == "A")
    rest = sum(float(r["value"]) for _, r, _ in rows
               if r["quantity"] == "deaths_outside_named_cities")
    ok(len(total) == 1 and attributed + rest == float(total[0]["high"]),
       "deaths of grade A by region plus the unattributed rest equal the record's top",
       f"{attributed} + {rest} against {total[0]['high'] if total else 'no deaths_total'}")

    # The tier rule of README.md, recomputed from the facts.
    violent = set()
    large = set()
    seen = set()
    for _, r, _ in rows:
        regions = set(filter(None, r["region"].split(";")))
        if r["quantity"] in ("public_buildings_attacked", "akimat_seized", "akimat_attacked") \
                and r["grade"] in ("A", "B"):
            violent |= regions
        if r["quantity"] == "participants_4_jan":
            large |= regions
        if r["quantity"] == "participants_peak":
            size = number(r["value"]) if r["value"] else number(r["low"])
            if size is not None and size >= 1000:
                large |= regions
        if r["quantity"] in ("participants_peak", "detained_region", "injured_region"):
            seen |= regions
    tiers = {r["region"]: r["value"] for _, r, _ in rows if r["quantity"] == "protest_tier"}
    wrong = []
    for region in ids:
        d = deaths.get(region, 0.0)
        if d >= 100:
            tier = 1
        elif d >= 10 or region in violent:
            tier = 2
        elif region in large:
            tier = 3
        elif first_day[region] or region in seen:
            tier = 4
        else:
            tier = 5
        if tiers.get(region) != str(tier):
            wrong.append(f"{region}: recorded {tiers.get(region)!r}, rule gives {tier}")
    ok(sorted(tiers) == sorted(ids) and not wrong,
       "protest_tier: one per region and as the rule gives", "; ".join(wrong))

    # The documentation names every quantity.
    with open(os.path.join(DATA, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    names = set(by_quantity) | {r["quantity"] for _, r, _ in rows}
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    ok(not missing, "README.md documents every quantity", f"missing {missing}")

    check_literature(record, readme)

    return finish()


def close(found, expected, tolerance=0.005):
    """Whether a cell, rounded for the file, matches a recomputed number to a relative
    tolerance (both empty also matches)."""
    if expected is None:
        return found == ""
    if found == "":
        return False
    return math.isclose(float(found), expected, rel_tol=tolerance, abs_tol=1e-9)


def check_literature(record, readme):
    """The checks of literature-parameters.csv listed in the module's docstring; record is
    the rows of kazakhstan-2022-record.csv, readme the text of README.md."""
    header, rows = read(LITERATURE)
    ok(header == LITERATURE_COLUMNS, f"{LITERATURE}: columns", f"found {header}")
    ok(all(n == len(header) for _, _, n in rows), f"{LITERATURE}: every row has every column")
    names = [r["parameter"] for _, r, _ in rows]
    bad = sorted({n for n in names if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", n)}
                 | {n for n in names if names.count(n) > 1})
    ok(not bad, f"{LITERATURE}: parameter names snake_case and unique", f"found {bad}")
    mechanisms = {r["mechanism"] for _, r, _ in rows}
    ok(mechanisms <= MECHANISMS, f"{LITERATURE}: mechanisms from the documented list",
       f"unknown {sorted(mechanisms - MECHANISMS)}")
    missing = sorted(m for m in MECHANISMS if f"`{m}`" not in readme)
    ok(not missing and f"## {LITERATURE}" in readme,
       f"README.md documents {LITERATURE} and every mechanism", f"missing {missing}")

    problems = []
    for line, row, _ in rows:
        where = f"{LITERATURE}:{line}: {row['parameter']}"
        try:
            numbers = [number(row[c]) for c in ("low", "value", "high")]
        except ValueError as err:
            problems.append(f"{where}: value/low/high: expected a number, found {err}")
            continue
        given = [x for x in numbers if x is not None]
        if given != sorted(given):
            problems.append(f"{where}: expected low <= value <= high")
        unit = row["unit"]
        if given and not unit:
            problems.append(f"{where}: a number needs a unit")
        if not given and unit:
            problems.append(f"{where}: a qualitative row (no number) has no unit, "
                            f"found {unit!r}")
        for x in given:
            if unit in ("percent",) and not 0 <= x <= 100:
                problems.append(f"{where}: a percent outside [0, 100]: {x}")
            if unit in ("share", "probability", "share of population") and not 0 <= x <= 1:
                problems.append(f"{where}: a {unit} outside [0, 1]: {x}")
            if unit in LITERATURE_NONNEGATIVE and x < 0:
                problems.append(f"{where}: a negative {unit}: {x}")
        for column in ("setting", "source", "note"):
            if not row[column].strip():
                problems.append(f"{where}: {column}: expected text, found nothing")
        if row["grade"] not in GRADES:
            problems.append(f"{where}: grade: expected A, B or C, found {row['grade']!r}")
        derived = row["source"].startswith("derived")
        if derived and row["grade"] != "C":
            problems.append(f"{where}: a derived row is grade C, found {row['grade']!r}")
        if row["grade"] == "A" and (derived or len(row["source"].split("; ")) < 2):
            problems.append(f"{where}: grade A (replicated) needs two or more works in "
                            "source, separated by '; '")
    ok(not problems, f"{LITERATURE}: numbers, units, sources, grades and notes",
       "; ".join(problems))

    # The derived rows against what they are derived from.
    by_name = {r["parameter"]: r for _, r, _ in rows}
    facts = {r["quantity"]: r for _, r, _ in record}
    wrong = []

    def expect(name, value, low=None, high=None):
        row = by_name.get(name)
        if row is None:
            wrong.append(f"{name}: missing")
            return
        for column, x in (("value", value), ("low", low), ("high", high)):
            if not close(row[column], x):
                wrong.append(f"{name}: {column} {row[column]!r}, recomputed "
                             f"{'empty' if x is None else f'{x:.6g}'}")

    k = by_name.get("arrest_risk_k", {}).get("value", "")
    if k:
        expect("arrest_risk_at_parity", 1 - math.exp(-float(k)))
    else:
        wrong.append("arrest_risk_k: missing or empty")
    def fact(quantity, facts=facts):
        """A record quantity's (value, low, high); KeyError or ValueError if incomplete."""
        r = facts[quantity]
        return float(r["value"]), float(r["low"]), float(r["high"])

    try:
        for name, (num, den) in RECORD_RATIOS.items():
            n, d = fact(num), fact(den)
            expect(name, n[0] / d[0], n[1] / d[2], n[2] / d[1])
        injured, killed = fact("injured_total")[0], fact("deaths_total")[0]
        injured_security, killed_security = (fact("injured_security")[0],
                                             fact("deaths_security")[0])
        expect("injured_per_killed_civilian_kazakhstan_2022",
               (injured - injured_security) / (killed - killed_security))
        expect("injured_per_killed_security_kazakhstan_2022",
               injured_security / killed_security)
        before, after = fact("lpg_price_before"), fact("lpg_price_after")
        expect("fuel_price_rise_kazakhstan_2022", 100 * (after[0] / before[0] - 1),
               100 * (after[0] / before[2] - 1), 100 * (after[0] / before[1] - 1))
    except (KeyError, ValueError, ZeroDivisionError) as err:
        wrong.append(f"kazakhstan-2022-record.csv: a quantity the ratios need: {err!r}")
    try:
        _, iran_rows = read(IRAN_RECORD, RECORDS)
        # Regional rows repeat a quantity; the national one (no region) is the one used.
        iran = {r["quantity"]: r for _, r, _ in iran_rows if r["region"] == ""}
        for name, (num, den) in IRAN_RATIOS.items():
            n, d = fact(num, iran), fact(den, iran)
            expect(name, n[0] / d[0], n[1] / d[2], n[2] / d[1])
        expect("security_share_of_deaths_iran_2019",
               fact("deaths_security", iran)[0] / fact("deaths_official", iran)[0])
        before = fact("petrol_price_before", iran)[0]
        expect("fuel_price_rise_iran_2019", None,
               100 * (fact("petrol_price_after_ration", iran)[0] / before - 1),
               100 * (fact("petrol_price_after_above_ration", iran)[0] / before - 1))
    except (OSError, KeyError, ValueError, ZeroDivisionError) as err:
        wrong.append(f"{IRAN_RECORD}: a quantity the ratios need: {err!r}")
    ok(not wrong, f"{LITERATURE}: derived rows agree with what they are derived from",
       "; ".join(wrong))


sys.exit(main())
