#!/bin/sh
# The data of analysis/data (conditions before January 2022, outcomes by region, the
# literature's parameters) are well-formed and agree with the record: runs check_data.py
# with Debian's /usr/bin/python3 (standard library only). Exits 77 (skipped) when it is
# missing.
# Usage: check_data.sh SOURCE_ROOT
set -u
python=/usr/bin/python3
if ! [ -x "$python" ]; then
	echo "$python missing: skipped"
	exit 77
fi
exec "$python" "$(dirname "$0")/check_data.py" "$1"
