#!/bin/sh
# build-fuzzer.sh: builds the libFuzzer harness of the scenario loader with clang,
# outside meson (docs/fuzzing.md). Run from the source root:
#   tests/fuzz/build-fuzzer.sh [OUTDIR]        (default: build-fuzz)
set -eu
out=${1:-build-fuzz}
mkdir -p "$out"
clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Iinclude \
  sim/scenario/*.c sim/rng/dist.c tests/fuzz/fuzz_scenario.c \
  $(pkg-config --cflags --libs libconfig gsl) -lm \
  -o "$out/fuzz-scenario"
echo "$out/fuzz-scenario"
