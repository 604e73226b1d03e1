#!/bin/sh
# build-fuzzer.sh: builds the libFuzzer harnesses with clang, outside meson
# (docs/fuzzing.md): fuzz-scenario (the scenario loader) and fuzz-sweep (the sweep-file
# and sweep-manifest readers). Run from the source root:
#   tests/fuzz/build-fuzzer.sh [OUTDIR]        (default: build-fuzz)
set -eu
out=${1:-build-fuzz}
mkdir -p "$out"
flags="-g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Iinclude -Isim/conf -Isim/params"
libs="$(pkg-config --cflags --libs libconfig gsl zlib) -lm -lpthread"
# The loader checks output column names against the output layer's column table, which
# brings in the rest of the library.
# shellcheck disable=SC2086 # the flags are words
clang $flags $(ls sim/*/*.c | grep -v '^sim/main\.c$') \
  tests/fuzz/fuzz_scenario.c $libs \
  -o "$out/fuzz-scenario"
# The sweep readers use the rest of the library (designs, seeds, output helpers).
# shellcheck disable=SC2086
clang $flags $(ls sim/*/*.c | grep -v '^sim/main\.c$') tests/fuzz/fuzz_sweep.c $libs \
  -o "$out/fuzz-sweep"
echo "$out/fuzz-scenario"
echo "$out/fuzz-sweep"
