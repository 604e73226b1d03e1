# tap.sh: what the shell tests share, sourced after they set `src` (the source root):
# a scratch folder $tmp removed on exit, and TAP output for meson: `ok NAME`,
# `not_ok NAME [DETAIL]...` (each detail a comment line), and `tap_end`, which prints
# the plan and exits 0 only if every test passed. And the checks the command-line
# tests repeat: `check`, `status`, `same_files`, `same_manifest` (below).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
tap_end() {
	echo "1..$n"
	[ "$fails" -eq 0 ]
	exit
}

# check NAME COMMAND...: COMMAND exits 0 (on failure the first 300 bytes of its
# output are the detail).
check() {
	name=$1
	shift
	if "$@" >"$tmp/check.out" 2>&1; then ok "$name"; else not_ok "$name" "$(head -c 300 "$tmp/check.out")"; fi
}

# status NAME WANT COMMAND...: COMMAND exits WANT; its output is left in $tmp/out and
# $tmp/err for further checks.
status() {
	name=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else not_ok "$name" "exit status $got, expected $want" "$(head -c 300 "$tmp/err")"; fi
}

# same_files A B FILE...: each FILE is in both folders, the same bytes.
same_files() {
	a=$1 b=$2
	shift 2
	for f in "$@"; do
		cmp -s "$a/$f" "$b/$f" || return 1
	done
}

# same_manifest A B: the folders' manifest.cfg files are the same but for their
# command and command_line lines (which name the folders).
same_manifest() {
	grep -Ev '^command' "$1/manifest.cfg" >"$tmp/m1" &&
		grep -Ev '^command' "$2/manifest.cfg" >"$tmp/m2" &&
		cmp -s "$tmp/m1" "$tmp/m2"
}
