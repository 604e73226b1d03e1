#!/bin/sh
# The analysis scripts (analysis/*.py) on real runs: runs CHECK (check_analysis.py by
# default, or check_figures.py) with Debian's /usr/bin/python3, the interpreter the
# scripts name, which must have pandas and matplotlib (Debian packages python3-pandas,
# python3-matplotlib). Exits 77 (skipped) when it does not.
# Usage: analysis.sh UNRESTSIM SOURCE_ROOT [CHECK]
set -u
python=/usr/bin/python3
if ! [ -x "$python" ] || ! "$python" -c 'import pandas, matplotlib' >/dev/null 2>&1; then
	echo "1..0 # SKIP $python lacks pandas or matplotlib (python3-pandas, python3-matplotlib)"
	exit 77
fi
exec "$python" "$(dirname "$0")/${3:-check_analysis.py}" "$1" "$2"
