#!/bin/sh
# End-to-end tests of the unrestsim command line: exit codes (sysexits), messages on
# stderr, and that nothing but the message is produced. Prints TAP for meson.
# Usage: cli.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
. "$src/tests/common/tap.sh"

# matches FILE PATTERN: FILE matches the extended regular expression PATTERN, where
# '^$' means FILE is empty.
matches() {
	if [ "$2" = '^$' ]; then [ ! -s "$1" ]; else grep -Eq -- "$2" "$1"; fi
}

# expect NAME STATUS STDOUT_PATTERN STDERR_PATTERN -- ARGS...
# Runs the program and checks its exit status, stdout and stderr.
expect() {
	name=$1 want=$2 outpat=$3 errpat=$4
	shift 5
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		not_ok "$name" "exit status $got, expected $want" "stderr: $(head -c 300 "$tmp/err")"
	elif ! matches "$tmp/out" "$outpat"; then
		not_ok "$name" "stdout does not match /$outpat/" "stdout: $(head -c 300 "$tmp/out")"
	elif ! matches "$tmp/err" "$errpat"; then
		not_ok "$name" "stderr does not match /$errpat/" "stderr: $(head -c 300 "$tmp/err")"
	else
		ok "$name"
	fi
}

version=$(sed -n "s/^ *version: '\([^']*\)'.*/\1/p" "$src/meson.build" | head -n 1)
expect "--version prints the project version" 0 "^unrestsim $version\$" '^$' -- --version
expect "-V is --version" 0 "^unrestsim $version\$" '^$' -- -V
expect "--help prints usage on stdout" 0 '^Usage: unrestsim COMMAND' '^$' -- --help
expect "--help lists the exit codes" 0 '64 usage, 65 bad scenario' '^$' -- --help
expect "no command is a usage error" 64 '^$' 'no command given' --
expect "unknown option is a usage error" 64 '^$' "unknown option '--bogus'" -- --bogus
expect "unknown short option is a usage error" 64 '^$' "unknown option '-x'" -- -x
expect "unknown command is a usage error" 64 '^$' "unknown command 'frobnicate'" -- frobnicate

# ---- unrestsim run -----------------------------------------------------------------
minimal=$(cd "$src/scenarios" && pwd)/minimal.cfg
never=$tmp/never

# check NAME COMMAND...: a test that passes when COMMAND succeeds.
check() {
	name=$1
	shift
	if "$@" >"$tmp/check.out" 2>&1; then
		ok "$name"
	else
		not_ok "$name" "$(head -c 300 "$tmp/check.out")"
	fi
}

# same_run A B [PATTERN]: the folders hold the same files with the same bytes, but for
# the manifest's command_line, which names the folder and -j (and the manifest's lines
# that match the extended regular expression PATTERN).
same_run() {
	[ -f "$1/manifest.cfg" ] && [ -f "$2/summary.csv" ] || return 1
	[ "$(cd "$1" && ls)" = "$(cd "$2" && ls)" ] || return 1
	drop="^command_line = ${3:+|$3}"
	for f in "$1"/*; do
		b=$(basename "$f")
		if [ "$b" = manifest.cfg ]; then
			grep -Ev "$drop" "$f" >"$tmp/m1"
			grep -Ev "$drop" "$2/$b" >"$tmp/m2"
			cmp "$tmp/m1" "$tmp/m2" || return 1
		else
			cmp "$f" "$2/$b" || return 1
		fi
	done
}

expect "--help lists run" 0 '^  run ' '^$' -- --help
expect "run --help prints its usage" 0 '^Usage: unrestsim run FILE' '^$' -- run --help
expect "run --help names every option" 0 '--replications REPS' '^$' -- run --help
# The manual page describes every option that run --help lists.
"$bin" run --help >"$tmp/help" 2>&1
for o in $(grep -Eo -- '--[a-z]+' "$tmp/help" | sort -u); do
	check "unrestsim(1) describes run $o" grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$src/docs/unrestsim.1"
done
expect "run without a file is a usage error" 64 '^$' 'no scenario file given' -- run -o "$never"
expect "run with two files is a usage error" 64 '^$' 'one scenario file at a time' \
	-- run "$minimal" "$minimal" -o "$never"
expect "run with an unknown option is a usage error" 64 '^$' "unknown option '--bogus'" \
	-- run "$minimal" --bogus -o "$never"
expect "run -r without a value is a usage error" 64 '^$' "needs a value" -- run "$minimal" -r
for r in 0 -1 +1 ' 1' abc 1x 1000001 18446744073709551617 ''; do
	got_r=$(printf '%s' "$r" | sed 's/[+.]/\\&/g')
	expect "run -r '$r' is refused" 64 '^$' "-r: replications must be a whole number from 1 to 1000000, got '$got_r'" \
		-- run "$minimal" -o "$never" -r "$r"
done
for j in 0 257 -2 x 1.5 ''; do
	got_j=$(printf '%s' "$j" | sed 's/[+.]/\\&/g')
	expect "run -j '$j' is refused" 64 '^$' "-j: jobs must be a whole number from 1 to 256, got '$got_j'" \
		-- run "$minimal" -o "$never" -j "$j"
done
for s in -1 9223372036854775808 0x8000000000000000 abc 0x 1e3 ''; do
	expect "run -s '$s' is refused" 64 '^$' "-s: the seed must be a whole number from 0 to 9223372036854775807" \
		-- run "$minimal" -o "$never" -s "$s"
done
expect "run of a missing scenario exits 66" 66 '^$' 'no-such.cfg' \
	-- run "$tmp/no-such.cfg" -o "$never"
printf 'scenario = { name = "bad"; horizon = -5.0; };\n' >"$tmp/bad.cfg"
expect "run of a bad scenario exits 65" 65 '^$' 'bad.cfg:1' -- run "$tmp/bad.cfg" -o "$never"
expect "run with a bad --set exits 64" 64 '^$' 'no_such_setting' \
	-- run "$minimal" -o "$never" --set scenario.no_such_setting=1
# One limit, read by the schema and the drivers: check refuses what run refuses, with
# the same message (issue 8: check once passed scenario.replications=5000000).
reps_msg='^--set scenario.replications=5000000: scenario.replications: must be <= 1000000, got 5000000$'
expect "check refuses more replications than run takes" 64 '^$' "$reps_msg" -- \
	check "$minimal" --set scenario.replications=5000000
cp "$tmp/err" "$tmp/check.err"
expect "run refuses them with the same message" 64 '^$' "$reps_msg" -- \
	run "$minimal" --set scenario.replications=5000000 -o "$never"
check "check and run say the same" cmp "$tmp/check.err" "$tmp/err"
sed 's/replications = 3;/replications = 5000000;/' "$minimal" >"$tmp/many-reps.cfg"
expect "check refuses them in a file, at their line" 65 '^$' \
	'many-reps.cfg:[0-9]+: scenario.replications: must be <= 1000000, got 5000000$' -- \
	check "$tmp/many-reps.cfg"
expect "run too" 65 '^$' 'many-reps.cfg:[0-9]+: scenario.replications: must be <= 1000000' -- \
	run "$tmp/many-reps.cfg" -o "$never"
expect "-r still overrides a scenario's replications" 0 '^$' '' -- \
	run "$minimal" -r 1 -o "$tmp/one-rep" --set scenario.replications=1000000
check "refused runs create no output folder" test ! -e "$never"

expect "run writes nothing to stdout and one line to stderr" 0 '^$' \
	"^unrestsim run: 3 replications written to $tmp/a\$" -- run "$minimal" -o "$tmp/a" -r 3 -s 5
expect "one replication is said in the singular" 0 '^$' \
	"^unrestsim run: 1 replication written to $tmp/one\$" -- run "$minimal" -o "$tmp/one" -r 1 -s 5
check "run writes the files of a run" test -f "$tmp/a/summary.csv" -a -f "$tmp/a/national.csv" \
	-a -f "$tmp/a/timeseries.csv" -a -f "$tmp/a/scenario.cfg" -a -f "$tmp/a/manifest.cfg"
check "run leaves no temporary files" test -z "$(ls "$tmp/a" | grep '\.tmp$')"
check "stderr is one line when it is not a terminal" test "$(wc -l <"$tmp/err")" -eq 1
check "summary.csv has a row per replication" test "$(wc -l <"$tmp/a/summary.csv")" -eq 4
# Progress on a terminal: script(1) (util-linux, in every Debian) gives the run one,
# where a pseudo-terminal can be had (not in a chroot without /dev/pts).
if command -v script >/dev/null 2>&1 && script -qec "test -t 2" /dev/null >/dev/null 2>&1; then
	script -qec "'$bin' run '$minimal' -o '$tmp/tty' -r 3 -s 5" /dev/null >"$tmp/tty.out" 2>&1
	check "on a terminal, run shows progress ending at 3/3" grep -aq 'replications 3/3, [0-9.]*/[sh]' "$tmp/tty.out"
	check "and the files are those of a run without it" same_run "$tmp/a" "$tmp/tty"
else
	ok "run shows progress on a terminal # SKIP no pseudo-terminal here"
fi
"$bin" run "$minimal" -o "$tmp/b" -r 3 -s 5 -j 2 2>/dev/null
check "-j 1 and -j 2 write the same bytes" same_run "$tmp/a" "$tmp/b"
"$bin" run "$minimal" -o "$tmp/c" -r 3 -s 5 -j 1 2>/dev/null
check "two runs with one seed write the same bytes" same_run "$tmp/a" "$tmp/c"
# The reference scenario (17 regions, every subsystem), a day of it.
kz=$src/scenarios/kazakhstan-2022.cfg
"$bin" run "$kz" -o "$tmp/kz1" -r 3 -j 1 --set scenario.horizon=24 2>/dev/null
"$bin" run "$kz" -o "$tmp/kz3" -r 3 -j 3 --set scenario.horizon=24 2>/dev/null
check "-j 1 and -j 3 write the same bytes for the reference scenario" same_run "$tmp/kz1" "$tmp/kz3"
"$bin" run "$minimal" -o "$tmp/d" -r 3 -s 6 2>/dev/null
check "another seed writes other rows" test -n "$(cmp "$tmp/a/summary.csv" "$tmp/d/summary.csv")"
"$bin" run "$minimal" -o "$tmp/e" -r 3 -s 0x5 2>/dev/null
check "-s takes hex" same_run "$tmp/a" "$tmp/e"
check "the manifest records the command line" \
	grep -q '^command_line = \[ "unrestsim", "run", ".*minimal.cfg", "-o", ".*/e", "-r", "3", "-s", "0x5" \];$' "$tmp/e/manifest.cfg"
"$bin" run "$tmp/a/scenario.cfg" -o "$tmp/again" -r 3 -s 5 2>/dev/null
check "scenario.cfg runs to the same files" same_run "$tmp/a" "$tmp/again" '^scenario = '
check "scenario.cfg has the same hash" \
	test "$(grep '^scenario_hash' "$tmp/a/manifest.cfg")" = "$(grep '^scenario_hash' "$tmp/again/manifest.cfg")"
expect "-s takes the largest seed" 0 '^$' 'written to' \
	-- run "$minimal" -o "$tmp/f" -r 1 -s 9223372036854775807

"$bin" run "$minimal" -o "$tmp/a" -r 2 -s 5 --set output.events=\"none\" 2>/dev/null
check "a run replaces an earlier run's folder" test "$(wc -l <"$tmp/a/summary.csv")" -eq 3
check "the earlier run's files it does not write are removed" test ! -e "$tmp/a/events.csv"
mkdir "$tmp/foreign"
echo keep >"$tmp/foreign/notes.txt"
expect "run refuses a folder that is not an unrestsim output" 73 '^$' "notes.txt" \
	-- run "$minimal" -o "$tmp/foreign"
check "the refused folder is left as it was" test "$(ls "$tmp/foreign")" = notes.txt
: >"$tmp/plainfile"
expect "run cannot make a folder under a file" 73 '^$' "$tmp/plainfile/out" \
	-- run "$minimal" -o "$tmp/plainfile/out"

# ---- rerun some replications: --reps FIRST[-LAST] ------------------------------------
# A run of replications 2-3, and one of 3 alone, write in every file the rows a whole
# run of 4 writes for them, byte for byte (the rep column counts from 0).
"$bin" run "$kz" -o "$tmp/reps-all" -r 4 -s 9 --set scenario.horizon=72 \
	--set 'output.events="all"' 2>/dev/null
"$bin" run "$kz" -o "$tmp/reps-23" -r 4 -s 9 --reps 2-3 --set scenario.horizon=72 \
	--set 'output.events="all"' 2>/dev/null
"$bin" run "$kz" -o "$tmp/reps-3" -s 9 --reps 3 --set scenario.horizon=72 \
	--set 'output.events="all"' 2>/dev/null
# same_rows FULL PART REPS...: every file of PART is FULL's header and FULL's rows whose
# rep (the first field) is one of REPS, and PART has rows.
same_rows() {
	full=$1 part=$2
	shift 2
	for f in summary.csv national.csv timeseries.csv events.csv; do
		[ "$(wc -l <"$part/$f")" -gt 1 ] || return 1
		awk -F, -v reps=" $* " 'NR == 1 || index(reps, " " $1 " ") > 0' "$full/$f" >"$tmp/rows"
		cmp "$tmp/rows" "$part/$f" || return 1
	done
}
check "--reps 2-3 writes the whole run's rows of replications 2 and 3" \
	same_rows "$tmp/reps-all" "$tmp/reps-23" 2 3
check "--reps 3 writes the whole run's rows of replication 3" \
	same_rows "$tmp/reps-all" "$tmp/reps-3" 3
check "the manifest records which replications ran" \
	test "$(grep -c '{ replication = [23]; seed = ' "$tmp/reps-23/manifest.cfg")" -eq 2 -a \
	"$(grep -c '{ replication = ' "$tmp/reps-23/manifest.cfg")" -eq 2
check "... and the command line names them" grep -q '"--reps", "2-3"' "$tmp/reps-23/manifest.cfg"
for bad in 5-2 x 2- -3 1-x 1000000 ' 1' +1; do
	expect "run --reps '$bad' is refused" 64 '^$' "--reps: FIRST or FIRST-LAST" \
		-- run "$minimal" -o "$tmp/never" --reps "$bad"
done
expect "run --reps beyond the run's replications is refused" 64 '^$' \
	"--reps: replication 4 is beyond the run's 4 replications, numbered 0 to 3" \
	-- run "$minimal" -o "$tmp/never" -r 4 --reps 2-4
check "refused --reps create no output folder" test ! -e "$tmp/never"

# ---- bounded runs: no setting that never finishes (docs/model.md, "Bounded runs") ----
# (a --set value out of range is a usage error, 64; in a file it is 65: the bad corpus
# in tests/scenario/bad has both as files). The reference with its own values: its
# posterior draws casualties.base_rate, which a --set of the reference may not change.
kzown=$src/scenarios/calibration/kazakhstan-2022-own-values.cfg
expect "an arrest sweep every 1e-300 h is refused" 64 '^$' \
	'arrests.interval: must be >= 0.000277' \
	-- run "$kz" -o "$tmp/never" --set arrests.interval=1e-300
expect "a death rate that hung the Poisson draw is refused" 64 '^$' \
	'casualties.base_rate: must be <= 1000, got 1000000' \
	-- run "$kzown" -o "$tmp/never" --set casualties.base_rate=1e6 \
	--set casualties.fighter_multiplier=1e4
expect "every casualty setting at its maximum runs to the end" 0 '^$' 'written to' \
	-- run "$kzown" -o "$tmp/maxcas" -r 2 --set scenario.horizon=24 \
	--set casualties.base_rate=1000 --set casualties.force_exponent=10 \
	--set casualties.fighter_multiplier=1000 --set casualties.lethal_force_multiplier=1000 \
	--set casualties.facility_multiplier=1000 --set casualties.interval=0.000277777777777778
check "... with both replications' outcomes" test "$(grep -c ',order_restored,\|,unresolved,\|,elite_prevails,\|,regime_collapse,' "$tmp/maxcas/summary.csv")" -eq 2
expect "a replication over scenario.max_events fails with the setting and the hour" 70 '^$' \
	'replication 0: scenario.max_events: the budget of 100 model events was spent at [0-9.e-]+ h of the 72 h horizon' \
	-- run "$minimal" -o "$tmp/budget" -r 2 --set scenario.max_events=100
check "... and the manifest records both as failed" \
	test "$(grep -c 'status = "failed"; reason = "scenario.max_events' "$tmp/budget/manifest.cfg")" -eq 2
cat >"$tmp/budget-sweep.cfg" <<EOT
scenario = "$minimal";
replications = 2;
seed = 4;
design = "grid";
parameters = ( { path = "scenario.max_events"; values = [100, 1000000000]; } );
EOT
expect "a sweep records the units over the budget as failed and goes on" 70 '^$' \
	'2 of 4 units failed .*scenario.max_events' \
	-- sweep "$tmp/budget-sweep.cfg" -o "$tmp/budget-sweep"
check "... with the other point's units done" \
	test "$(grep -c 'point = 1; .*status = "done"' "$tmp/budget-sweep/manifest.cfg")" -eq 2

# ---- sweep and merge: usage (tests/sweep/sweep_cli.sh runs them end to end) --------
expect "--help lists sweep" 0 '^  sweep ' '^$' -- --help
expect "--help lists merge" 0 '^  merge ' '^$' -- --help
expect "sweep --help prints its usage" 0 '^Usage: unrestsim sweep FILE' '^$' -- sweep --help
expect "merge --help prints its usage" 0 '^Usage: unrestsim merge -o DIR' '^$' -- merge --help
for c in sweep merge calibrate sensitivity; do
	"$bin" $c --help >"$tmp/help" 2>&1
	for o in $(grep -Eo -- '--[a-z]+' "$tmp/help" | sort -u); do
		check "unrestsim(1) describes $c $o" grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$src/docs/unrestsim.1"
	done
	check "unrestsim(1) has a section on $c" grep -q "^\\.SS $c" "$src/docs/unrestsim.1"
done
sweepfile=$(cd "$src/scenarios/sweeps" && pwd)/csto-delay.cfg
expect "sweep without a file is a usage error" 64 '^$' 'no sweep file given' -- sweep -o "$never"
expect "sweep with two files is a usage error" 64 '^$' 'one sweep file at a time' \
	-- sweep "$sweepfile" "$sweepfile" -o "$never"
expect "sweep with an unknown option is a usage error" 64 '^$' "unknown option '--bogus'" \
	-- sweep "$sweepfile" --bogus -o "$never"
for j in 0 257 x ''; do
	expect "sweep -j '$j' is refused" 64 '^$' "-j: jobs must be a whole number from 1 to 256" \
		-- sweep "$sweepfile" -j "$j" -o "$never"
done
for s in 0/3 4/3 3 1/0 a/b /3 1/ 1/3x -1/3 ''; do
	expect "sweep --shard '$s' is refused" 64 '^$' "--shard: expected K/N" \
		-- sweep "$sweepfile" --shard "$s" -o "$never"
done
expect "sweep --shard without a value is a usage error" 64 '^$' 'needs a value' -- sweep "$sweepfile" --shard
expect "sweep --list with --resume is a usage error" 64 '^$' 'takes no --resume' \
	-- sweep "$sweepfile" --list --resume
expect "sweep of a missing file exits 66" 66 '^$' 'no-such.cfg: cannot open' -- sweep "$tmp/no-such.cfg" -o "$never"
expect "sweep of a bad file exits 65" 65 '^$' 'bad.cfg:1' -- sweep "$tmp/bad.cfg" -o "$never"
expect "merge without -o is a usage error" 64 '^$' '-o DIR is required' -- merge "$tmp"
expect "merge without a shard is a usage error" 64 '^$' 'no shard folder given' -- merge -o "$never"
expect "merge with an unknown option is a usage error" 64 '^$' "unknown option '--bogus'" \
	-- merge -o "$never" --bogus "$tmp"
expect "merge of a folder that is no sweep exits 66" 66 '^$' 'no readable manifest.cfg' \
	-- merge -o "$never" "$tmp"
check "no usage error made a folder" test ! -e "$never"

# ---- check -------------------------------------------------------------------------
expect "--help lists check" 0 '^  check ' '^$' -- --help
expect "check --help prints its usage" 0 '^Usage: unrestsim check FILE' '^$' -- check --help
"$bin" check --help >"$tmp/help" 2>&1
for o in $(grep -Eo -- '--[a-z]+' "$tmp/help" | sort -u); do
	check "unrestsim(1) describes check $o" grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$src/docs/unrestsim.1"
done
expect "check prints the resolved scenario" 0 '^scenario = \{' '^$' -- check "$minimal"
expect "check applies --set" 0 'horizon = 12\.0;' '^$' -- check "$minimal" --set scenario.horizon=12
expect "check without a file is a usage error" 64 '^$' 'no scenario file given' -- check
expect "check with two files is a usage error" 64 '^$' 'one scenario file at a time' \
	-- check "$minimal" "$minimal"
expect "check with an unknown option is a usage error" 64 '^$' "unknown option '--bogus'" \
	-- check "$minimal" --bogus
expect "check --set without a value is a usage error" 64 '^$' 'needs a value' -- check "$minimal" --set
expect "check of a missing file exits 66" 66 '^$' 'no-such.cfg: cannot open' -- check "$tmp/no-such.cfg"
expect "check of a bad scenario exits 65 and prints nothing on stdout" 65 '^$' 'bad.cfg:1' \
	-- check "$tmp/bad.cfg"
expect "check with a bad --set value exits 64" 64 '^$' 'scenario.horizon: must be > 0, got -1' \
	-- check "$minimal" --set scenario.horizon=-1
# check of check: the printout is a scenario that resolves to itself, byte for byte.
for f in "$src"/scenarios/*.cfg; do
	name=$(basename "$f")
	"$bin" check "$f" >"$tmp/once.cfg" 2>/dev/null
	# A printout has no base: it is written next to the scenario's folder-free copy.
	"$bin" check "$tmp/once.cfg" >"$tmp/twice.cfg" 2>/dev/null
	check "check of check of $name is identical" cmp -s "$tmp/once.cfg" "$tmp/twice.cfg"
done

mkdir "$tmp/cwd"
abs_bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
(cd "$tmp/cwd" && "$abs_bin" run "$minimal" -r 1 >/dev/null 2>&1)
check "-o defaults to out/ and the file's name" test -f "$tmp/cwd/out/minimal/summary.csv"

# A write that fails: the file size limit (4 KiB) stands in for a full disk. The
# program ignores SIGXFSZ itself (the shell leaves it at its default, which kills), so
# the write fails with EFBIG, the temporary files are removed and the run exits 74.
(ulimit -f 8 && exec "$bin" run "$minimal" -o "$tmp/full" -r 3) >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" -eq 74 ]; then ok "under ulimit -f a run exits 74, not killed by SIGXFSZ"; else not_ok "under ulimit -f a run exits 74, not killed by SIGXFSZ" "exit status $got" "$(cat "$tmp/err")"; fi
check "with a message naming the file and the reason" grep -q "File too large" "$tmp/err"
check "a failing write leaves no file behind, no .tmp" test -z "$(ls -A "$tmp/full")"

# A user's own outputs: a folder holding only a summary.csv or events.csv that no
# manifest of unrestsim lists is refused and left as it was.
for f in summary.csv events.csv; do
	rm -rf "$tmp/mine"; mkdir "$tmp/mine"; echo "my own" >"$tmp/mine/$f"
	expect "run refuses a folder holding only a user's $f" 73 '^$' "holds '$f', which no manifest.cfg of unrestsim" \
		-- run "$minimal" -o "$tmp/mine" -r 1
	check "and leaves it as it was" sh -c 'test "$(ls "$1")" = "$2" && test "$(cat "$1/$2")" = "my own"' - "$tmp/mine" "$f"
done
# A run's own folder, cut short while it wrote (a .tmp file left), is taken again.
"$bin" run "$minimal" -o "$tmp/again2" -r 1 2>/dev/null
echo half >"$tmp/again2/national.csv.tmp"
expect "a folder with a run's leftover temporary file is used" 0 '^$' 'written to' -- run "$minimal" -o "$tmp/again2" -r 1
check "and the temporary file is gone" test ! -e "$tmp/again2/national.csv.tmp"

# Progress for logs: with --progress, a line every SECONDS when stderr is not a
# terminal; never a change to a file; -q prints nothing at all.
# Forty replications: long enough for lines at 0.1 s in a release build.
"$bin" run "$kz" -o "$tmp/prog" -r 40 -j 1 --progress 0.1 2>"$tmp/progerr"
check "run --progress writes progress lines: done, failed, rate, time left" \
	grep -Eq '^unrestsim run: [0-9]+/40 replications done, [0-9]+ failed, [0-9.]+/[sh], ([0-9]+:[0-9]{2} left|[0-9.]+ h left|time left unknown)$' "$tmp/progerr"
"$bin" run "$kz" -o "$tmp/noprog" -r 40 -j 2 2>"$tmp/err"
check "progress changes no file" same_run "$tmp/prog" "$tmp/noprog"
check "without --progress a run writes one line" test "$(wc -l <"$tmp/err")" -eq 1
expect "run -q prints nothing" 0 '^$' '^$' -- run "$minimal" -o "$tmp/q" -r 2 -q --progress 0.1
expect "run --progress 0 is a usage error" 64 '^$' "--progress: expected seconds from 0.1 to 86400, got '0'" \
	-- run "$minimal" -o "$never" --progress 0

# ---- help, --version and --help as GNU tools answer them ---------------------------
"$bin" --help >"$tmp/main.help" 2>&1
"$bin" help >"$tmp/help.out" 2>&1
check "help alone prints the program's help" cmp "$tmp/main.help" "$tmp/help.out"
for c in run sweep merge check scenarios help; do
	"$bin" $c --help >"$tmp/c.help" 2>&1
	expect "help $c exits 0 with nothing on stderr" 0 "^Usage: unrestsim $c" '^$' -- help $c
	check "help $c prints what $c --help prints" cmp "$tmp/c.help" "$tmp/out"
	expect "$c --version prints the version" 0 "^unrestsim $version\$" '^$' -- $c --version
	expect "--help lists $c" 0 "^  $c " '^$' -- --help
	check "unrestsim(1) has a section on $c" grep -q "^\\.SS $c" "$src/docs/unrestsim.1"
done
"$bin" scenarios --help >"$tmp/help" 2>&1
for o in $(grep -Eo -- '--[a-z]+' "$tmp/help" | sort -u); do
	check "unrestsim(1) describes scenarios $o" grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$src/docs/unrestsim.1"
done
expect "--version after a command's operands is answered" 0 "^unrestsim $version\$" '^$' \
	-- run "$minimal" -o "$never" --version
expect "--help after a command's operands is answered" 0 '^Usage: unrestsim run FILE' '^$' \
	-- run "$minimal" -o "$never" -r 2 --help
check "neither made a folder" test ! -e "$never"
expect "--version names the licence, as GNU tools do" 0 '^License MIT' '^$' -- --version
expect "help of an unknown command is a usage error" 64 '^$' "unrestsim help: unknown command 'frobnicate'" \
	-- help frobnicate
expect "help of two commands is a usage error" 64 '^$' 'one command at a time' -- help run sweep
expect "--help=x is a usage error" 64 '^$' "option '--help' takes no value, got '--help=x'" -- --help=x
expect "--version=1 is a usage error" 64 '^$' "option '--version' takes no value" -- --version=1
expect "run --help=x is a usage error" 64 '^$' "unrestsim run: option '--help' takes no value, got '--help=x'" \
	-- run --help=x
expect "run --version=x is a usage error" 64 '^$' "unrestsim run: option '--version' takes no value" \
	-- run "$minimal" --version=x
expect "sweep --resume=1 is a usage error" 64 '^$' "unrestsim sweep: option '--resume' takes no value" \
	-- sweep "$sweepfile" --resume=1 -o "$never"
expect "an abbreviation with a value says the option's full name" 64 '^$' \
	"option '--help' takes no value, got '--he=1'" -- check --he=1
expect "an unknown long option with a value is unknown" 64 '^$' "unknown option '--bogus=1'" \
	-- run "$minimal" --bogus=1
expect "a usage error points to --help" 64 '^$' "Try 'unrestsim run --help'" -- run --help=x

# ---- scenarios by name (UNRESTSIM_PATH) -------------------------------------------
mkdir -p "$tmp/path1/sweeps" "$tmp/path2" "$tmp/named"
cp "$minimal" "$tmp/path1/town.cfg"
sed 's/^  name = "minimal";/  name = "other";/; s/^  description = .*/  description = "The second folder'"'"'s town.";/' \
	"$minimal" >"$tmp/path2/town.cfg"
sed 's/^  description = .*/  description = "Found without .cfg.";/' "$minimal" >"$tmp/path2/plain"
cp "$minimal" "$tmp/path2/second.cfg"
printf 'scenario = { name = "bad"; horizon = -5.0; };\n' >"$tmp/path2/broken.cfg"
printf 'scenario = "../town.cfg";\nreplications = 2;\nseed = 1;\ndesign = "grid";\nparameters = ( { path = "agents.w_s"; values = [ 0.3, 0.5, 0.7 ]; } );\n' \
	>"$tmp/path1/sweeps/ws.cfg"
export_path="$tmp/path1::$tmp/no-such-folder:$tmp/path2"
UNRESTSIM_PATH=$export_path "$bin" scenarios --path >"$tmp/path.out" 2>&1
check "scenarios --path: UNRESTSIM_PATH's folders in order, empty and missing ones left out" \
	test "$(head -n 2 "$tmp/path.out")" = "$(printf '%s\n%s' "$tmp/path1" "$tmp/path2")"
UNRESTSIM_PATH=$export_path "$bin" scenarios >"$tmp/list.out" 2>"$tmp/list.err"
check "scenarios exits 0" test $? -eq 0
check "scenarios lists a folder's scenarios with their descriptions" \
	grep -q "^  town  *Two towns, a fuel shock in one, a price rollback after a day\.\$" "$tmp/list.out"
check "a name in a later folder is marked hidden" \
	grep -q "^  town  *The second folder's town\. (hidden by the one above of that name)\$" "$tmp/list.out"
check "a file that does not load says why" grep -q "^  broken  *(does not load: .*broken.cfg:1" "$tmp/list.out"
check "sweeps are listed with their design" \
	grep -q "^  ws  *sweep of town.cfg: grid of 3 points over 1 parameter, 2 replications\$" "$tmp/list.out"
check "folders come in search order" \
	test "$(grep -n "^$tmp/path1:" "$tmp/list.out" | cut -d: -f1)" -lt "$(grep -n "^$tmp/path2:" "$tmp/list.out" | cut -d: -f1)"
check "files without .cfg are not listed" sh -c "! grep -q '^  plain' '$tmp/list.out'"
(cd "$tmp/named" && UNRESTSIM_PATH=$export_path "$abs_bin" run town -r 1 -s 3 >/dev/null 2>"$tmp/err")
check "run NAME finds NAME.cfg on UNRESTSIM_PATH; -o defaults to out/NAME" test -f "$tmp/named/out/town/summary.csv"
check "the first folder's file is run" grep -q '^scenario = "'"$tmp/path1/town.cfg"'";' "$tmp/named/out/town/manifest.cfg"
(cd "$tmp/named" && UNRESTSIM_PATH=$export_path "$abs_bin" check plain >"$tmp/plain.out" 2>&1)
check "a NAME without .cfg is found as it is" grep -q 'Found without .cfg' "$tmp/plain.out"
(cd "$tmp/named" && UNRESTSIM_PATH=$export_path "$abs_bin" sweep ws --list >"$tmp/ws.out" 2>&1)
check "sweep NAME looks in DIR/sweeps" test "$(wc -l <"$tmp/ws.out")" -eq 7
cp "$tmp/path2/second.cfg" "$tmp/named/town"
(cd "$tmp/named" && UNRESTSIM_PATH=$export_path "$abs_bin" check town >"$tmp/local.out" 2>&1)
check "a file in the current folder is taken before the search path" grep -q 'name = "minimal";' "$tmp/local.out"
rm "$tmp/named/town"
mkdir "$tmp/named/town"
(cd "$tmp/named" && UNRESTSIM_PATH=$export_path "$abs_bin" check town >"$tmp/local.out" 2>&1)
check "a folder of that name in the current folder does not stop the look-up" \
	grep -q 'description = "Two towns' "$tmp/local.out"
export UNRESTSIM_PATH="$export_path"
expect "a name found nowhere exits 66 naming the folders searched" 66 '^$' \
	"unrestsim run: nowhere: no such file, and no scenario named so in $tmp/path1, $tmp/path2" \
	-- run nowhere -o "$never"
unset UNRESTSIM_PATH
(cd "$tmp/named" && UNRESTSIM_PATH=$export_path "$abs_bin" run ./town -o "$never" >/dev/null 2>"$tmp/err")
check "a name with a '/' is a path, never looked up (66)" test $? -eq 66
check "refused names made no folder" test ! -e "$never"
many=
for i in $(seq 100); do mkdir "$tmp/many$i"; many="$many$tmp/many$i:"; done
cp "$minimal" "$tmp/many100/last.cfg"
(cd "$tmp/named" && UNRESTSIM_PATH=$many "$abs_bin" check last >"$tmp/last.out" 2>&1)
check "the 100th folder of UNRESTSIM_PATH is searched" grep -q 'name = "minimal";' "$tmp/last.out"
expect "scenarios takes no argument" 64 '^$' "takes no argument, got 'x'" -- scenarios x

# ---- actions and prices (docs/scenario-reference.md, "Government actions") ------------
responses=$(cd "$src/scenarios" && pwd)/minimal-responses.cfg
expect "check accepts an arrest campaign, a cash transfer and a curfew" 0 \
	'setting = "arrests.probability";' '^$' -- check "$responses"
expect "check refuses the old fuel.level, naming what replaced it" 64 '^$' \
	'fuel.level: replaced by fuel.steps' -- check "$minimal" --set fuel.level=1
printf 'base = "%s";\nfuel = { rise_hour = 1.0; level = 1.0; };\n' "$minimal" >"$tmp/old-fuel.cfg"
expect "a scenario with the old fuel settings is refused with status 65" 65 '^$' \
	'old-fuel.cfg:2: fuel.rise_hour: replaced by fuel.steps' -- check "$tmp/old-fuel.cfg"
expect "a rollback to a higher price is refused" 64 '^$' \
	'ratio: must be <= 2, the highest fuel price in region EAST' -- \
	check "$minimal" --set 'government.actions.[rollback].ratio=3'
expect "an adjust of a setting fixed at the start is refused with the reason" 64 '^$' \
	'must be an adjustable setting .*fixes the agents when they are made' -- \
	check "$responses" --set 'government.actions.[arrest_campaign].setting="regions.population"'
expect "an adjust that leaves its setting's range is refused" 64 '^$' \
	'must keep arrests.probability in \[0, 1\]: 0.01 x 500 = 5' -- \
	check "$responses" --set 'government.actions.[arrest_campaign].value=500'
rm -rf "$tmp/responses"
expect "run runs the scenario of the new kinds" 0 '^$' '^$' -- \
	run "$responses" -r 2 -s 5 -o "$tmp/responses" -q
check "the run's events name the adjust, the transfer and the curfew" \
	grep -q 'kind=cash_transfer' "$tmp/responses/events.csv"

tap_end
