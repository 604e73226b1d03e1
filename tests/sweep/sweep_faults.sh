#!/bin/sh
# A sweep cut short at any step of any checkpoint, and one stopped by a signal,
# resume to the bytes of an uninterrupted sweep, keeping every unit the folder's
# manifest claimed. Faults are injected with UNRESTSIM_FAULT (sim/output/file.c):
# `exit:N` ends the process at the N-th step of its folder writes (a create, write,
# flush, sync, close, rename or remove), as a kill at that instant would; `fail:N`
# makes that step fail with EIO, as a full disk would. N runs over every step, until
# the sweep finishes without reaching it. Prints TAP for meson.
# Usage: sweep_faults.sh UNRESTSIM SOURCE_ROOT
set -u
bin=$1
src=$2
. "$src/tests/common/tap.sh"
. "$src/tests/sweep/fault_steps.sh"

# same_sweep A B: the same data files, and manifests equal but for command lines.
same_sweep() {
	same_files "$1" "$2" scenario.cfg sweep.cfg sweep.csv sweep_stats.csv &&
		same_manifest "$1" "$2"
}

minimal=$(cd "$src/scenarios" && pwd)/minimal.cfg
cat >"$tmp/s.cfg" <<EOT
scenario = "$minimal";
replications = 2;
seed = 4;
design = "grid";
parameters = ( { path = "agents.w_s"; values = [0.3, 0.5]; } );
EOT
"$bin" sweep "$tmp/s.cfg" -o "$tmp/whole" 2>/dev/null
if [ -f "$tmp/whole/manifest.cfg" ]; then ok "the uninterrupted sweep"; else not_ok "the uninterrupted sweep"; fi

# -j 1 and a commit whenever a unit has finished: four units, several checkpoints.
for mode in exit fail; do
	fault_steps "$mode" 400 same_sweep "$tmp/whole" "$tmp/s.cfg"
	if [ -n "$bad" ]; then
		not_ok "$mode at every step of every checkpoint, then --resume: the same bytes" "$bad"
	elif [ "$steps" -lt 20 ]; then
		not_ok "$mode at every step of every checkpoint, then --resume: the same bytes" "only $steps steps"
	else
		ok "$mode at every one of the $steps steps of the checkpoints, then --resume: the same bytes"
	fi
done

# SIGTERM and SIGINT: the sweep commits what is done and exits 128 + the signal;
# --resume finishes with the same bytes. The reference scenario's units take long
# enough (about 0.1 s each) for the signal to come while units run.
# The reference with its own values: its posterior draws agents.w_s, which a sweep may
# not vary (docs/calibration.md).
# At 10 persons per agent: a unit still takes a tenth of a second or more, and the test,
# about signals rather than the model, costs a fifth of the reference's default scale.
kz=$(cd "$src/scenarios" && pwd)/calibration/kazakhstan-2022-own-values.cfg
cat >"$tmp/kzbase.cfg" <<EOT
base = "$kz";
scenario = { agent_scale = 10.0; };
EOT
cat >"$tmp/kz.cfg" <<EOT
scenario = "$tmp/kzbase.cfg";
replications = 12;
seed = 7;
design = "grid";
parameters = ( { path = "agents.w_s"; values = [0.3, 0.5]; } );
EOT
"$bin" sweep "$tmp/kz.cfg" -o "$tmp/kzwhole" -j 2 2>/dev/null
for sig in TERM INT; do
	rm -rf "$tmp/kz"
	# The default checkpoint (60 s) never comes: only the signal's commit does.
	"$bin" sweep "$tmp/kz.cfg" -o "$tmp/kz" -j 1 --progress 0.1 2>"$tmp/kzerr" &
	pid=$!
	# Until a progress line says a unit is done (at most 30 s).
	i=0
	while [ $i -lt 300 ] && ! grep -Eq ': [1-9][0-9]*/24 units done' "$tmp/kzerr"; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -$sig $pid
	wait $pid
	got=$?
	want=143
	[ $sig = INT ] && want=130
	if [ "$got" -eq "$want" ] && grep -q "stopped by signal" "$tmp/kzerr"; then
		ok "SIG$sig: the sweep stops with status $want, saying so"
	else
		not_ok "SIG$sig: the sweep stops with status $want, saying so" "exit status $got" "$(tail -n 2 "$tmp/kzerr")"
	fi
	claimed=0
	[ -f "$tmp/kz/manifest.cfg" ] && claimed=$(grep -c 'status = "done"' "$tmp/kz/manifest.cfg")
	if [ "$claimed" -ge 1 ] && [ "$claimed" -lt 24 ]; then
		ok "SIG$sig: its manifest claims the units finished ($claimed)"
	else
		not_ok "SIG$sig: its manifest claims the units finished" "claimed $claimed"
	fi
	"$bin" sweep "$tmp/kz.cfg" -o "$tmp/kz" --resume -j 2 2>"$tmp/err"
	if grep -q ", $claimed kept from before" "$tmp/err" && same_sweep "$tmp/kzwhole" "$tmp/kz"; then
		ok "SIG$sig: --resume keeps them and finishes with the same bytes"
	else
		not_ok "SIG$sig: --resume keeps them and finishes with the same bytes" "$(cat "$tmp/err")"
	fi
done

tap_end
