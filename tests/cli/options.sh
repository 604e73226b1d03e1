#!/bin/sh
# The options the commands share (-o, -r, -s, -j, --set, --shard, --resume,
# --progress, -q, --help, --version and the one file argument): a bad value gets the
# same message and exit status 64 from every command that takes the option, word for
# word but for the command's name; an option a command does not take is unknown to it;
# every command answers --version (unrestsim(1), COMMANDS); and no usage error leaves
# a folder behind. Each message is compared whole, stderr and stdout, so a command
# whose parsing drifted from the others' fails here. Prints TAP for meson.
# Usage: options.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
. "$src/tests/common/tap.sh"

never="$tmp/never"
version=$(sed -n "s/^ *version: '\([^']*\)'.*/\1/p" "$src/meson.build" | head -n 1)

# usage NAME COMMAND MESSAGE -- ARGS...: `unrestsim COMMAND ARGS...` exits 64, prints
# nothing on stdout, and on stderr exactly "unrestsim COMMAND: MESSAGE" and the line
# that points to COMMAND's --help.
usage() {
	name=$1 cmd=$2 message=$3
	shift 4
	"$bin" "$cmd" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	printf "unrestsim %s: %s\nTry 'unrestsim %s --help'.\n" "$cmd" "$message" "$cmd" \
		>"$tmp/want"
	if [ "$got" -ne 64 ]; then
		not_ok "$name" "exit status $got, expected 64" "stderr: $(head -c 300 "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		not_ok "$name" "stdout is not empty" "stdout: $(head -c 300 "$tmp/out")"
	elif ! cmp -s "$tmp/err" "$tmp/want"; then
		not_ok "$name" "stderr: $(head -c 300 "$tmp/err")" "expected: $(cat "$tmp/want")"
	else
		ok "$name"
	fi
}

# A file argument that is never read: every error below comes before any file is.
file="$tmp/no-such.cfg"

# ---- a bad value of a shared option, command by command --------------------------
for cmd in run sweep; do
	usage "$cmd -r 0" $cmd "-r: replications must be a whole number from 1 to 1000000, got '0'" \
		-- "$file" -o "$never" -r 0
	usage "$cmd --replications 1000001" $cmd \
		"-r: replications must be a whole number from 1 to 1000000, got '1000001'" \
		-- "$file" -o "$never" --replications 1000001
	usage "$cmd -s 2^63" $cmd \
		"-s: the seed must be a whole number from 0 to 9223372036854775807 (decimal or 0x hex), got '9223372036854775808'" \
		-- "$file" -o "$never" -s 9223372036854775808
	usage "$cmd --seed -1" $cmd \
		"-s: the seed must be a whole number from 0 to 9223372036854775807 (decimal or 0x hex), got '-1'" \
		-- "$file" -o "$never" --seed=-1
	usage "$cmd --set without a value" $cmd "option '--set' needs a value" \
		-- "$file" -o "$never" --set
done
for cmd in run sweep calibrate sensitivity; do
	usage "$cmd -j 257" $cmd "-j: jobs must be a whole number from 1 to 256, got '257'" \
		-- "$file" -o "$never" -j 257
	usage "$cmd --jobs 0" $cmd "-j: jobs must be a whole number from 1 to 256, got '0'" \
		-- "$file" -o "$never" --jobs 0
	usage "$cmd --progress 0.05" $cmd "--progress: expected seconds from 0.1 to 86400, got '0.05'" \
		-- "$file" -o "$never" --progress 0.05
	usage "$cmd --quiet=1" $cmd "option '--quiet' takes no value, got '--quiet=1'" \
		-- "$file" -o "$never" --quiet=1
	usage "$cmd -o ''" $cmd "-o: the output folder has an empty name" -- "$file" -o ''
	usage "$cmd -o without a value" $cmd "option '-o' needs a value" -- "$file" -o
done
for cmd in sweep calibrate sensitivity; do
	usage "$cmd --shard 3/2" $cmd \
		"--shard: expected K/N with whole numbers 1 <= K <= N <= 1000000, got '3/2'" \
		-- "$file" -o "$never" --shard 3/2
	usage "$cmd --shard 0/1" $cmd \
		"--shard: expected K/N with whole numbers 1 <= K <= N <= 1000000, got '0/1'" \
		-- "$file" -o "$never" --shard 0/1
	usage "$cmd --resume=yes" $cmd "option '--resume' takes no value, got '--resume=yes'" \
		-- "$file" -o "$never" --resume=yes
done

# ---- the file argument ---------------------------------------------------------------
for pair in run:scenario check:scenario sweep:sweep calibrate:calibration \
	sensitivity:sensitivity; do
	cmd=${pair%%:*} kind=${pair#*:}
	usage "$cmd without a file" $cmd "no $kind file given" --
	usage "$cmd with two files" $cmd "one $kind file at a time, got 'a.cfg' and 'b.cfg'" \
		-- a.cfg b.cfg
	usage "$cmd: a bad option comes before the missing file" $cmd \
		"unknown option '--bogus'" -- --bogus
	# An empty name is a slip of the shell ("$FILE" unset), not a file to open.
	usage "$cmd ''" $cmd "the $kind file has an empty name" -- ''
done
# merge joined an empty shard name to its files as /manifest.cfg, the root's.
usage "merge with an empty shard name" merge "shard folder 2 has an empty name" \
	-- -o "$never" "$tmp" ''

# ---- each command takes only its options -----------------------------------------------
usage "run takes no --shard" run "unknown option '--shard'" -- "$file" --shard 1/2
usage "run takes no --resume" run "unknown option '--resume'" -- "$file" --resume
usage "check takes no -o" check "unknown option '-o'" -- "$file" -o "$never"
usage "check takes no -j" check "unknown option '-j'" -- "$file" -j 2
usage "calibrate takes no -r" calibrate "unknown option '-r'" -- "$file" -r 5
usage "sensitivity takes no --set" sensitivity "unknown option '--set'" -- "$file" --set a=1
usage "sweep takes no --reps (run's own)" sweep "unknown option '--reps'" -- "$file" --reps 1
usage "run takes no --list (sweep's own)" run "unknown option '--list'" -- "$file" --list

# ---- the commands' own options, beside the shared ones --------------------------------
usage "run --reps 5-2" run \
	"--reps: FIRST or FIRST-LAST, whole numbers from 0 to 999999 with FIRST <= LAST, got '5-2'" \
	-- "$file" -o "$never" --reps 5-2
usage "sweep --checkpoint 86401" sweep "--checkpoint: expected seconds from 0 to 86400, got '86401'" \
	-- "$file" -o "$never" --checkpoint 86401
usage "sweep --list=1" sweep "option '--list' takes no value, got '--list=1'" \
	-- "$file" --list=1
usage "sweep --list with --resume" sweep "--list runs nothing: it takes no --resume" \
	-- "$file" --list --resume

# ---- --help and --version, in every command -------------------------------------------
for cmd in run sweep check calibrate sensitivity merge; do
	"$bin" $cmd "$file" --help >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	if [ "$got" -eq 0 ] && head -n 1 "$tmp/out" | grep -q "^Usage: unrestsim $cmd " &&
		[ ! -s "$tmp/err" ]; then
		ok "$cmd --help prints its usage on stdout"
	else
		not_ok "$cmd --help prints its usage on stdout" "exit $got" "$(head -c 200 "$tmp/out")"
	fi
	"$bin" $cmd --version >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	if [ "$got" -eq 0 ] && [ "$(head -n 1 "$tmp/out")" = "unrestsim $version" ] &&
		[ ! -s "$tmp/err" ]; then
		ok "$cmd --version prints the version"
	else
		not_ok "$cmd --version prints the version" "exit $got" \
			"$(head -c 200 "$tmp/out")$(head -c 200 "$tmp/err")"
	fi
	if "$bin" help $cmd | grep -q -- '--version'; then
		ok "$cmd's help lists --version"
	else
		not_ok "$cmd's help lists --version"
	fi
done

if [ -e "$never" ]; then
	not_ok "no usage error made a folder" "$never exists"
else
	ok "no usage error made a folder"
fi
tap_end
