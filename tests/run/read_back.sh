#!/bin/sh
# Reads a run's CSV files back with pandas or R, as their users do: runs the minimal
# scenario, then read_back.py or read_back.R on its folder. Exits 77 (skipped) when
# the reader is not installed.
# Usage: read_back.sh UNRESTSIM SOURCE_ROOT pandas|r
set -u
bin=$1
src=$2
reader=$3
here=$(dirname "$0")

case $reader in
pandas)
	# The first python3 that has pandas: the one on PATH, else the system's.
	python=
	for p in python3 /usr/bin/python3; do
		if "$p" -c 'import pandas' >/dev/null 2>&1; then
			python=$p
			break
		fi
	done
	if [ -z "$python" ]; then
		echo "pandas is not installed: skipped"
		exit 77
	fi
	set -- "$python" "$here/read_back.py"
	;;
r)
	if ! command -v Rscript >/dev/null 2>&1; then
		echo "Rscript is not installed: skipped"
		exit 77
	fi
	set -- Rscript --vanilla "$here/read_back.R"
	;;
*)
	echo "usage: read_back.sh UNRESTSIM SOURCE_ROOT pandas|r" >&2
	exit 2
	;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$bin" run "$src/scenarios/minimal.cfg" -o "$tmp/out" -r 3 -s 11 \
	--set output.events=\"all\" </dev/null; then
	echo "unrestsim run failed"
	exit 1
fi
"$@" "$tmp/out"
