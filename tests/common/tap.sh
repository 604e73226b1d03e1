# tap.sh: what the shell tests share, sourced after they set `src` (the source root):
# a scratch folder $tmp removed on exit, and TAP output for meson: `ok NAME`,
# `not_ok NAME [DETAIL]...` (each detail a comment line), and `tap_end`, which prints
# the plan and exits 0 only if every test passed.
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
