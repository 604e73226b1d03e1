/*
 * sweep_internal.h: what the files of the sweep driver share: the design's values and
 * base scenario, CSV fields of values, and the hash of the sweep files.
 */
#ifndef UNREST_SWEEP_INTERNAL_H
#define UNREST_SWEEP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "unrest/output.h"
#include "unrest/sweep.h"

/* FNV-1a 64 of s[0..n) continuing from h (0xcbf29ce484222325 to start). */
uint64_t sw_fnv1a64(uint64_t h, const char *s, size_t n);

/* A parameter value as a CSV field (integers as integers, reals as ur_csv_real). */
void sw_csv_value(struct ur_csv *csv, const struct ur_sweep_value *v);

/* The scenario without the sweep's overrides, and the npoints x nparams values. */
const struct ur_scenario *sw_base_scenario(const struct ur_sweep *sweep);
const struct ur_sweep_value *sw_values(const struct ur_sweep *sweep);

#endif /* UNREST_SWEEP_INTERNAL_H */
