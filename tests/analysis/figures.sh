#!/bin/sh
# analysis/figures.py on real runs and sweeps: runs check_figures.py with Debian's
# /usr/bin/python3, the interpreter the scripts name, which must have pandas and
# matplotlib (python3-pandas, python3-matplotlib). Exits 77 (skipped) when it does not.
# Usage: figures.sh UNRESTSIM SOURCE_ROOT
set -u
python=/usr/bin/python3
if ! [ -x "$python" ] || ! "$python" -c 'import pandas, matplotlib' >/dev/null 2>&1; then
	echo "1..0 # SKIP $python lacks pandas or matplotlib (python3-pandas, python3-matplotlib)"
	exit 77
fi
exec "$python" "$(dirname "$0")/check_figures.py" "$1" "$2"
