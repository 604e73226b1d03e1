#!/bin/sh
# The one-line readers of docs/output.md ("Reading the files"), run exactly as the
# page writes them, in a folder where out/minimal is a fresh run of the minimal
# scenario: pandas, R and gnuplot each read national.csv's `time` column as times,
# and every time is checked against `hour` (the scenario starts at
# 2022-01-01T00:00:00+06:00). For R, also the page's reason for its line: the offset
# with a colon defeats %z. Each reader missing is a TAP skip.
# Usage: doc_readers.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
src=$(cd "$src" && pwd)
. "$src/tests/common/tap.sh"
doc=$src/docs/output.md

# line PREFIX: the first line of docs/output.md that starts with PREFIX.
line() { grep -m 1 -F -- "$1" "$doc" | grep -F -- "$1"; }

cd "$tmp" || exit 1
if ! "$bin" run "$src/scenarios/minimal.cfg" -r 2 -s 3 -o out/minimal >/dev/null 2>"$tmp/err"; then
	not_ok "unrestsim run" "$(cat "$tmp/err")"
	tap_end
fi
rows=$(($(wc -l <out/minimal/national.csv) - 1))

# ---- pandas ------------------------------------------------------------------------
py=$(line 'national = pd.read_csv("out/minimal/national.csv"')
if [ -z "$py" ]; then
	not_ok "docs/output.md has the pandas line"
elif ! /usr/bin/python3 -c 'import pandas' >/dev/null 2>&1; then
	ok "pandas reader # SKIP /usr/bin/python3 has no pandas"
else
	# The documented line goes in as it is (printf '%s': no shell expansion).
	{ echo "import pandas as pd"; printf '%s\n' "$py"; cat <<PY
t = national["time"]
assert str(t.dtype) in ("datetime64[ns, UTC+06:00]", "datetime64[ns, pytz.FixedOffset(360)]"), t.dtype
hours = (t - pd.Timestamp("2022-01-01T00:00:00+06:00")) / pd.Timedelta(hours=1)
assert len(national) == $rows, len(national)
assert ((hours - national["hour"]).abs() < 1 / 3600).all(), "time does not match hour"
print("pandas", pd.__version__, t.dtype, len(national), "rows")
PY
	} >"$tmp/read.py"
	if /usr/bin/python3 "$tmp/read.py" >"$tmp/result" 2>&1; then
		ok "pandas: the documented line reads time as times with the offset ($(cat "$tmp/result"))"
	else
		not_ok "pandas: the documented line reads time as times with the offset" "$py" "$(tail -n 5 "$tmp/result")"
	fi
fi

# ---- R -----------------------------------------------------------------------------
r=$(line 'national <- transform(read.csv("out/minimal/national.csv")')
if [ -z "$r" ]; then
	not_ok "docs/output.md has the R line"
elif ! command -v Rscript >/dev/null 2>&1; then
	ok "R reader # SKIP Rscript is not installed"
else
	{ cat <<'RS'
raw <- read.csv("out/minimal/national.csv")
naive <- as.POSIXct(raw$time, format = "%Y-%m-%dT%H:%M:%S%z", tz = "UTC")
cat("naive_na", sum(is.na(naive)), "\n")
RS
	printf '%s\n' "$r"; cat <<RS
t <- national\$time
stopifnot(inherits(t, "POSIXct"), !anyNA(t), nrow(national) == $rows)
h <- as.numeric(difftime(t, as.POSIXct("2021-12-31 18:00:00", tz = "UTC"), units = "hours"))
stopifnot(max(abs(h - national\$hour)) < 1 / 3600)
cat("R", R.version\$major, R.version\$minor, nrow(national), "rows\n")
RS
	} >"$tmp/read.R"
	if Rscript --vanilla "$tmp/read.R" >"$tmp/result" 2>&1; then
		ok "R: the documented line reads time as the right instants ($(tail -n 1 "$tmp/result"))"
	else
		not_ok "R: the documented line reads time as the right instants" "$r" "$(tail -n 5 "$tmp/result")"
	fi
	if grep -q "^naive_na $rows " "$tmp/result"; then
		ok "R: %z alone gives NA for every time, as the page says"
	else
		not_ok "R: %z alone gives NA for every time, as the page says" "$(head -n 1 "$tmp/result")"
	fi
fi

# ---- gnuplot ---------------------------------------------------------------------
g=$(line 'set datafile separator ","; set xdata time;')
if [ -z "$g" ]; then
	not_ok "docs/output.md has the gnuplot line"
elif ! command -v gnuplot >/dev/null 2>&1; then
	ok "gnuplot reader # SKIP gnuplot is not installed"
else
	# The documented line, its plot written as a table: x as the time read, y active.
	printf 'set table "%s"\n%s\n' "$tmp/table.txt" "$g" >"$tmp/read.gp"
	gnuplot "$tmp/read.gp" >"$tmp/result" 2>&1
	# The table's rows: "TIME" ACTIVE i; the CSV's: time without its offset, active.
	awk '/^"/ { gsub(/"/, "", $1); print $1, $2 }' "$tmp/table.txt" 2>/dev/null >"$tmp/got"
	awk -F, 'NR > 1 { sub(/[+-][0-9][0-9]:[0-9][0-9]$/, "", $3); print $3, $4 }' \
		out/minimal/national.csv >"$tmp/want"
	if [ -s "$tmp/got" ] && cmp -s "$tmp/got" "$tmp/want"; then
		ok "gnuplot: the documented line reads every time and active ($rows points)"
	else
		not_ok "gnuplot: the documented line reads every time and active" "$g" \
			"$(head -n 3 "$tmp/result")" "got: $(head -n 2 "$tmp/got")" "want: $(head -n 2 "$tmp/want")"
	fi
fi
tap_end
