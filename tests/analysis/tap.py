"""TAP for the analysis tests (check_analysis.py, check_figures.py): ok() numbers
and prints each check, finish() prints the plan and gives the exit status, and
require_plotting() skips (exit 77) where Debian's pandas or matplotlib is missing.
"""

import sys

count = 0
failed = 0


def require_plotting():
    try:
        import matplotlib  # noqa: F401
        import pandas  # noqa: F401
    except ImportError as err:
        print(f"1..0 # SKIP {err} (Debian: python3-pandas python3-matplotlib)")
        sys.exit(77)


def ok(condition, name, *details):
    """One check: `ok N - name`, or `not ok` and the details as comments."""
    global count, failed
    count += 1
    if condition:
        print(f"ok {count} - {name}")
    else:
        failed += 1
        print(f"not ok {count} - {name}")
        for line in details:
            print(f"# {line}")
    return condition


def skip(name, reason):
    """A check that cannot be made here: `ok N - name # SKIP reason`."""
    global count
    count += 1
    print(f"ok {count} - {name} # SKIP {reason}")


def finish():
    """Prints the plan; the exit status: 1 if a check failed, else 0."""
    print(f"1..{count}")
    print(f"# {count - failed} passed, {failed} failed")
    return 1 if failed else 0
