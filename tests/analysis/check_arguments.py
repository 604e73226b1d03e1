#!/usr/bin/python3
"""check_arguments.py: the analysis scripts' argument checks, in TAP.

The checks the scripts share live in analysis/unrestcsv.py (--band, --format, the
record options --record, --regions and --record-start, an option that needs another);
each script refuses a bad argument there, before it reads anything: exit status 64
(sysexits' EX_USAGE), argparse's usage line, then `SCRIPT: error: MESSAGE` as the last
line of stderr, nothing on stdout and nothing written. The run folder named is one
that does not exist, so a check made later than the arguments (when the folder is
read, 66) fails here. Each message is compared whole, and the same check gives the
same message in every script that takes the option.

Needs only Debian's /usr/bin/python3: no script imports pandas before its arguments
are checked.

Usage: check_arguments.py SOURCE_ROOT
"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import finish, ok  # noqa: E402

SRC = sys.argv[1]
ANALYSIS = os.path.join(SRC, "analysis")
PYTHON = "/usr/bin/python3"

REGIONS_ALONE = ("--regions: only with --record (a run's record comes with its regions "
                 "file)")
NOT_ISO = "--record-start: not an ISO 8601 time: yesterday"
NO_OFFSET = "--record-start: needs a UTC offset, e.g. +06:00: 2022-01-01T00:00:00"
BAND = "--band: need 0 <= LOW < 50 < HIGH <= 100"


def refused(script, args, message, out):
    """Runs SCRIPT ARGS...; checks the usage error and that `out` was not written."""
    done = subprocess.run([PYTHON, os.path.join(ANALYSIS, script), *args],
                          capture_output=True, text=True)
    lines = done.stderr.splitlines()
    name = f"{script} {' '.join(args[1:])}: 64, {message}"
    ok(done.returncode == 64 and lines and lines[0].startswith("usage: ")
       and lines[-1] == f"{script}: error: {message}" and done.stdout == ""
       and not os.path.exists(out),
       name, f"exit {done.returncode}", *lines[-3:])


def main():
    with tempfile.TemporaryDirectory() as tmp:
        run = os.path.join(tmp, "no-such-run")
        out = os.path.join(tmp, "out")
        report = os.path.join(tmp, "validation.md")

        # The record options, the same message in each script that takes them.
        for script, dest in (("record.py", out), ("validation.py", report),
                             ("figures.py", out)):
            refused(script, [run, "-o", dest, "--record-start", "yesterday"], NOT_ISO,
                    dest)
            refused(script, [run, "-o", dest, "--record-start", "2022-01-01T00:00:00"],
                    NO_OFFSET, dest)
            refused(script, [run, "-o", dest, "--regions", "regions.csv"],
                    REGIONS_ALONE, dest)

        refused("timeline.py", [run, "-o", out + ".png", "--record-start", "yesterday"],
                NOT_ISO, out + ".png")

        # --band (record.py, timeline.py) and --format (record.py, figures.py).
        refused("record.py", [run, "-o", out, "--band", "50", "90"], BAND, out)
        refused("record.py", [run, "-o", out, "--band", "5", "100.5"], BAND, out)
        refused("timeline.py", [run, "-o", out + ".png", "--band", "60", "40"], BAND,
                out + ".png")
        for script in ("record.py", "figures.py"):
            refused(script, [run, "-o", out, "--format", "png,gif"],
                    "--format: expected png, pdf or svg, found gif", out)
            refused(script, [run, "-o", out, "--format", ","],
                    "--format: expected png, pdf or svg, found none", out)

        # validation.py's own: options that need another, the folders, the case name.
        refused("validation.py", [run, "-o", report, "--sensitivity-figure", "s.png"],
                "--sensitivity-figure: needs --sensitivity (the indices it draws)",
                report)
        refused("validation.py", [run, "-o", report, "--readme", "README.md"],
                "--readme: needs --counterfactuals (the runs the table is made of)",
                report)
        refused("validation.py", [run, "-o", report, "--overlap", "other.csv"],
                "--overlap: needs a calibration folder (its posterior.csv is compared)",
                report)
        refused("validation.py", [run, "-o", report, "--overlap-name", "other"],
                "--overlap-name: needs --overlap", report)
        refused("validation.py", [run, "-o", report, "--holdout", "h.csv",
                                  "--no-holdout"],
                "--holdout and --no-holdout: expected one of them, found both", report)
        refused("validation.py", [run, run, run, "-o", report],
                "expected [CALIBRATION_DIR] RUN_DIR, found 3 folders", report)
        refused("validation.py", [run, "-o", report, "--case", "a b"],
                "--case: expected a name of letters, digits, '.', '_' and '-' (at most "
                "64), found 'a b'", report)

        # Good arguments reach the folder: 66, naming it, and no usage line.
        for script, args in (("record.py", [run, "-o", out]),
                             ("validation.py", [run, "-o", report]),
                             ("validation.py", [run, "-o", report, "--record", "r.csv",
                                                "--regions", "g.csv", "--record-start",
                                                "2022-01-01T00:00:00+06:00"])):
            done = subprocess.run([PYTHON, os.path.join(ANALYSIS, script), *args],
                                  capture_output=True, text=True)
            ok(done.returncode == 66
               and done.stderr == f"{script}: {run}: no such folder\n",
               f"{script} {' '.join(args[1:])}: the arguments pass, the missing "
               "folder is 66", f"exit {done.returncode}", done.stderr)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
