#!/bin/sh
# The analysis scripts (analysis/*.py) on real runs: runs check_analysis.py with
# Debian's /usr/bin/python3, the interpreter the scripts name, which must have pandas
# and matplotlib (Debian packages python3-pandas, python3-matplotlib). Exits 77
# (skipped) when it does not.
# Usage: analysis.sh UNRESTSIM SOURCE_ROOT
set -u
python=/usr/bin/python3
if ! [ -x "$python" ] || ! "$python" -c 'import pandas, matplotlib' >/dev/null 2>&1; then
	echo "$python lacks pandas or matplotlib (python3-pandas, python3-matplotlib): skipped"
	exit 77
fi
exec "$python" "$(dirname "$0")/check_analysis.py" "$1" "$2"
