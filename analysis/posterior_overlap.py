#!/usr/bin/python3
"""How far two posteriors agree on the parameters they share: a Markdown table of, for
each column both posterior CSV files hold, each posterior's weighted median and 90%
interval, the overlap of the two intervals, and the overlap coefficient of their
weighted histograms.

  posterior_overlap.py A.csv B.csv [--names A B] [--log PATH ...] [--bins N]

A and B are posteriors as `unrestsim calibrate` writes them (posterior.csv: a `weight`
column, one column per parameter named by its path; `particle` and `distance` are
bookkeeping and are skipped): for instance a case's calibration folder's posterior.csv
against scenarios/posteriors/kazakhstan-2022.csv. validation.py prints the same table
in a case's section with --overlap.

- The 90% interval is the 5% and 95% weighted quantiles, defined as calibrate's
  posterior_summary.csv defines them (the least value whose cumulative normalized
  weight reaches p), so the intervals here are those of the calibration's summary.
- Interval overlap: the length of the two intervals' intersection over the length of
  the narrower one (1: the narrower lies inside the other; 0: they are disjoint), and
  over the length of their union (the Jaccard index).
- Overlap coefficient: sum over common bins of min(p_i, q_i), p and q the two
  posteriors' weight in each of N equal bins (default 20) spanning both samples; in
  log space for the columns named by --log (loguniform priors). 1 when the weighted
  histograms coincide, 0 when they share no bin. With few effective particles (the
  table gives each posterior's effective sample size, 1 / sum of squared weights) the
  coefficient is coarse: two samples of the same law score below 1.

Exit status: 0 done, 64 usage, 65 a file without a weight column, a number that does
not parse or no shared parameter, 66 no such file.

Needs only the standard library (/usr/bin/python3).
"""

import argparse
import csv
import math
import sys

EX_USAGE, EX_DATAERR, EX_NOINPUT = 64, 65, 66
BOOKKEEPING = ("particle", "distance", "weight")
DEFAULT_BINS = 20


class OverlapError(Exception):
    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def read_posterior(path):
    """{column: [values]} and the normalized weights of a posterior CSV file."""
    try:
        f = open(path, encoding="utf-8", newline="")
    except OSError as err:
        raise OverlapError(f"{path}: {err.strerror}", EX_NOINPUT) from None
    with f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header or "weight" not in header:
            raise OverlapError(f"{path}:1: weight: expected a posterior's header with a "
                               "weight column, found " + (",".join(header or [])
                                                          or "an empty file"),
                               EX_DATAERR)
        columns = {name: [] for name in header}
        for line, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise OverlapError(f"{path}:{line}: expected {len(header)} fields, "
                                   f"found {len(row)}", EX_DATAERR)
            for name, text in zip(header, row):
                try:
                    value = float(text)
                except ValueError:
                    value = math.nan
                if not math.isfinite(value):
                    raise OverlapError(f"{path}:{line}: {name}: expected a finite "
                                       f"number, found \"{text}\"", EX_DATAERR)
                columns[name].append(value)
    weights = columns.pop("weight")
    total = sum(weights)
    if not weights or total <= 0 or min(weights) < 0:
        raise OverlapError(f"{path}: weight: expected weights >= 0 with a positive sum",
                           EX_DATAERR)
    params = {k: v for k, v in columns.items() if k not in BOOKKEEPING}
    return params, [w / total for w in weights]


def weighted_quantile(values, weights, p):
    """The least value whose cumulative normalized weight reaches p (calibrate's
    definition, docs/calibration.md)."""
    pairs = sorted(zip(values, weights))
    cumulative = 0.0
    for value, weight in pairs:
        cumulative += weight
        # A rounding guard: the weights' sum may fall short of 1 by an ulp or two.
        if cumulative >= p - 1e-12:
            return value
    return pairs[-1][0]


def ess(weights):
    return 1.0 / sum(w * w for w in weights)


def interval_overlap(a, b):
    """(intersection over the narrower, intersection over the union) of two closed
    intervals; a point interval inside the other counts as full overlap."""
    low, high = max(a[0], b[0]), min(a[1], b[1])
    inter = max(0.0, high - low)
    narrower = min(a[1] - a[0], b[1] - b[0])
    union = max(a[1], b[1]) - min(a[0], b[0])
    if high < low:
        return 0.0, 0.0
    return (inter / narrower if narrower > 0 else 1.0,
            inter / union if union > 0 else 1.0)


def histogram_overlap(a, wa, b, wb, bins=DEFAULT_BINS, log=False):
    """The overlap coefficient sum_i min(p_i, q_i) of the two weighted histograms over
    `bins` equal bins spanning both samples (of log values with log)."""
    if log:
        if min(a + b) <= 0:
            raise OverlapError("--log: a column with values <= 0 cannot be binned in "
                               "log space", EX_DATAERR)
        a, b = [math.log(x) for x in a], [math.log(x) for x in b]
    low, high = min(a + b), max(a + b)
    if high <= low:
        return 1.0

    def hist(values, weights):
        h = [0.0] * bins
        for v, w in zip(values, weights):
            h[min(bins - 1, int((v - low) / (high - low) * bins))] += w
        return h

    return sum(min(p, q) for p, q in zip(hist(a, wa), hist(b, wb)))


def overlap_rows(path_a, path_b, log=(), bins=DEFAULT_BINS):
    """Per shared parameter: (name, median a, interval a, median b, interval b,
    overlap of the narrower, Jaccard, histogram overlap), and both ESS."""
    a, wa = read_posterior(path_a)
    b, wb = read_posterior(path_b)
    shared = [name for name in a if name in b]
    if not shared:
        raise OverlapError(f"{path_a} and {path_b} share no parameter column",
                           EX_DATAERR)
    rows = []
    for name in shared:
        ia = (weighted_quantile(a[name], wa, 0.05), weighted_quantile(a[name], wa, 0.95))
        ib = (weighted_quantile(b[name], wb, 0.05), weighted_quantile(b[name], wb, 0.95))
        narrow, jaccard = interval_overlap(ia, ib)
        rows.append((name, weighted_quantile(a[name], wa, 0.5), ia,
                     weighted_quantile(b[name], wb, 0.5), ib, narrow, jaccard,
                     histogram_overlap(a[name], wa, b[name], wb, bins, name in log)))
    only = ([n for n in a if n not in b], [n for n in b if n not in a])
    return rows, ess(wa), ess(wb), only


def num(x):
    return f"{x:.4g}"


def table(path_a, path_b, names, log=(), bins=DEFAULT_BINS):
    """The Markdown lines of the comparison."""
    rows, ess_a, ess_b, only = overlap_rows(path_a, path_b, log, bins)
    na, nb = names
    lines = [f"{na}: effective sample size {ess_a:.1f}; {nb}: {ess_b:.1f}. Interval "
             "overlap: the intersection of the two 90% intervals over the narrower "
             "one's length, and over their union's (Jaccard); histogram overlap: "
             f"sum of min(p, q) over {bins} common bins of the weighted samples"
             + (" (log-spaced for the loguniform priors)" if log else "")
             + ". 1 is the same, 0 disjoint.", "",
             f"| parameter | {na} median [90%] | {nb} median [90%] | interval overlap "
             "(narrower) | Jaccard | histogram overlap |",
             "| --- | --- | --- | ---: | ---: | ---: |"]
    for name, ma, ia, mb, ib, narrow, jaccard, ovl in rows:
        lines.append(f"| {name} | {num(ma)} [{num(ia[0])}, {num(ia[1])}] | {num(mb)} "
                     f"[{num(ib[0])}, {num(ib[1])}] | {narrow:.2f} | {jaccard:.2f} | "
                     f"{ovl:.2f} |")
    disjoint = [r[0] for r in rows if r[5] == 0.0]
    lines += ["", f"{len(rows)} shared parameters; {len(disjoint)} with disjoint 90% "
                  "intervals" + (f" ({', '.join(disjoint)})" if disjoint else "") + "."]
    if only[0] or only[1]:
        lines.append(f"Only in {na}: {', '.join(only[0]) or 'none'}; only in {nb}: "
                     f"{', '.join(only[1]) or 'none'}.")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="posterior_overlap.py",
        description="Compare two posteriors on the parameters they share.",
        epilog="Exit status: 64 usage, 65 bad file, 66 no such file.")
    parser.add_argument("a", metavar="A.csv")
    parser.add_argument("b", metavar="B.csv")
    parser.add_argument("--names", nargs=2, metavar=("A", "B"),
                        help="the two posteriors' names in the table (default: the "
                             "file names)")
    parser.add_argument("--log", nargs="+", default=[], metavar="PATH",
                        help="columns to bin in log space (loguniform priors)")
    parser.add_argument("--bins", type=int, default=DEFAULT_BINS,
                        help="histogram bins (default %(default)s)")
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exit_:
        return EX_USAGE if exit_.code else 0
    if not 2 <= args.bins <= 1000:
        print(f"posterior_overlap.py: --bins: expected 2 to 1000, found {args.bins}",
              file=sys.stderr)
        return EX_USAGE
    names = args.names or [args.a, args.b]
    try:
        print("\n".join(table(args.a, args.b, names, set(args.log), args.bins)))
    except OverlapError as err:
        print(f"posterior_overlap.py: {err}", file=sys.stderr)
        return err.status
    return 0


if __name__ == "__main__":
    sys.exit(main())
