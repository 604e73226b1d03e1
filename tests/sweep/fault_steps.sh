# fault_steps.sh: the fault sweep that sweep_faults.sh and point_series.sh both run,
# sourced after tests/common/tap.sh (it uses $bin and $tmp).
#
# fault_steps MODE MAX SAME WHOLE CFG [SWEEP_OPTION]...: for N = 1, 2, ... below MAX,
# a sweep of CFG into $tmp/f (-j 1, a commit whenever a unit has finished) with
# UNRESTSIM_FAULT=MODE:N: `exit` ends the process at the N-th step of its folder writes
# as a kill at that instant would (status 99), `fail` makes that step fail as a full
# disk would (73 for a create, 74 for another step). Then --resume must say it kept
# every unit the manifest on disk claimed, and the folder must be WHOLE's bytes, by
# the function SAME (SAME WHOLE FOLDER). Stops when a sweep finishes without reaching
# its step. Sets `steps`, the steps faulted, and `bad`, the first failure (empty:
# none).
fault_steps() {
	mode=$1 max=$2 same=$3 whole=$4 cfg=$5
	shift 5
	step=1 bad="" steps=0
	while [ "$step" -lt "$max" ]; do
		rm -rf "$tmp/f"
		UNRESTSIM_FAULT=$mode:$step "$bin" sweep "$cfg" "$@" -o "$tmp/f" -j 1 \
			--checkpoint 0 >/dev/null 2>"$tmp/err"
		got=$?
		[ "$got" -eq 0 ] && break
		steps=$step
		if { [ "$mode" = exit ] && [ "$got" -ne 99 ]; } ||
		   { [ "$mode" = fail ] && [ "$got" -ne 73 ] && [ "$got" -ne 74 ]; }; then
			bad="step $step: exit status $got: $(head -c 200 "$tmp/err")"
			break
		fi
		claimed=0
		[ -f "$tmp/f/manifest.cfg" ] && claimed=$(grep -c 'status = "done"' "$tmp/f/manifest.cfg")
		if ! "$bin" sweep "$cfg" "$@" -o "$tmp/f" --resume >/dev/null 2>"$tmp/err"; then
			bad="step $step: --resume failed: $(head -c 200 "$tmp/err")"
			break
		fi
		if ! grep -q ", $claimed kept from before" "$tmp/err"; then
			bad="step $step: the manifest claimed $claimed units; --resume said: $(cat "$tmp/err")"
			break
		fi
		if ! "$same" "$whole" "$tmp/f"; then
			bad="step $step: the resumed folder differs from the uninterrupted sweep"
			break
		fi
		step=$((step + 1))
	done
}
