/*
 * posterior.h: a scenario's posterior: a weighted sample of parameter sets (the
 * posterior.csv of `unrestsim calibrate`, or any file of that form) from which each
 * replication draws the values it runs with (docs/calibration.md, "A posterior in a
 * scenario").
 *
 * Model. `scenario.posterior = "FILE";` names a CSV file, relative to the scenario file
 * that sets it (as `base` is). Its header names columns: `weight` (required), the
 * optional bookkeeping columns `particle` and `distance` of calibrate's output, and one
 * column or more, each a setting path as --set spells it. Every row is one parameter
 * set. Replication k of a run draws row i with probability weight_i / sum of weights,
 * from a stream of its own seeded by ur_rng_stream_seed(replication seed,
 * UR_STREAM_POSTERIOR): the draw depends on the file and the replication seed alone,
 * so replication k of every counterfactual that names the same file draws the same
 * row (common random numbers), and the model's own streams are the ones a run without
 * a posterior has. The drawn row's values are applied to a copy of the scenario's
 * params for that replication only (ur_params_set: the same judgement as --set).
 *
 * Validation, when the scenario is loaded (untrusted input; nothing runs otherwise):
 * UTF-8 text of at most UR_POSTERIOR_MAX_BYTES, RFC 4180 fields, LF or CRLF line ends;
 * each header column once; a parameter column is a real or integer setting of the
 * model that --set can change on its own (not scenario.* or output.*, not an id, a
 * reference, a string, a distribution's family); every value a number the setting
 * takes (its type and range, as --set judges it), every row passing the checks
 * between settings; weights finite and >= 0 with a positive sum; 1 to
 * UR_POSTERIOR_MAX_ROWS rows of as many fields as the header. Messages are
 * `FILE:LINE: COLUMN: expected ..., found ...` with status 65 (66 when the file cannot
 * be opened), through the scenario's diag.
 *
 * Invariants: a struct ur_posterior exists only for a file that passed every check; it
 * never changes after the load, so threads may draw from it at once.
 */
#ifndef UNREST_POSTERIOR_H
#define UNREST_POSTERIOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "unrest/params.h"

#define UR_POSTERIOR_MAX_ROWS 1000000u
#define UR_POSTERIOR_MAX_COLUMNS 64u
#define UR_POSTERIOR_MAX_BYTES (256u << 20)

struct ur_posterior;
struct ur_scenario;

/* The scenario's posterior, or NULL when it names none. Owned by the scenario (a
 * derived scenario shares its base's). */
const struct ur_posterior *ur_scenario_posterior(const struct ur_scenario *scenario);

/* The file as the scenario named it (joined to the scenario's folder), its absolute
 * name, and a checksum of its bytes (FNV-1a 64): the posterior's identity in
 * manifests. */
const char *ur_posterior_name(const struct ur_posterior *posterior);
const char *ur_posterior_path(const struct ur_posterior *posterior);
uint64_t ur_posterior_checksum(const struct ur_posterior *posterior);

size_t ur_posterior_rows(const struct ur_posterior *posterior);
size_t ur_posterior_parameters(const struct ur_posterior *posterior);
/* Parameter j's setting path. */
const char *ur_posterior_parameter(const struct ur_posterior *posterior, size_t j);
/* Whether a setting path (as --set or a sweep spells it) is one of the parameters. */
int ur_posterior_names(const struct ur_posterior *posterior, const char *path);
/* The parameter (its index j) that a setting path names in params, the scenario's:
 * spelt as its column is, or another way to the same setting (a list item by [N] for
 * the column's [id] or the other way round, a lognormal's mu for its median:
 * ur_params_same_setting). -1 when it names none. --set, a sweep and a sensitivity
 * analysis refuse such a path: each replication's drawn row would replace its value. */
long ur_posterior_column_of(const struct ur_posterior *posterior,
			    const struct ur_params *params, const char *path);
double ur_posterior_value(const struct ur_posterior *posterior, size_t row, size_t j);
/* Row's weight, normalized: the weights sum to 1. */
double ur_posterior_weight(const struct ur_posterior *posterior, size_t row);
/* The file's line that holds the row (the header is line 1). */
unsigned long ur_posterior_line(const struct ur_posterior *posterior, size_t row);

/* Whether a setting path names a setting of the run (scenario.*, output.*): the same
 * in every replication, so never a posterior's column (calibrate refuses a prior on
 * one when it reads its file, since its posterior.csv could not carry it). */
bool ur_posterior_run_setting(const char *path);

/* The row (0-based) the replication whose seed is `replication_seed` runs with.
 * Returns SIZE_MAX only when memory for the stream's generator runs out. */
size_t ur_posterior_draw(const struct ur_posterior *posterior, uint64_t replication_seed);

/* Applies the row's values to params (a copy of its scenario's params): 0, or -1 when
 * one is refused, which the load's checks rule out for the scenario it was loaded
 * with. */
int ur_posterior_apply(const struct ur_posterior *posterior, size_t row,
		       struct ur_params *params);

/* Kish's effective sample size of the weights, 1 / sum of squared normalized weights. */
double ur_posterior_ess(const struct ur_posterior *posterior);

/* The weighted quantile p of parameter j: the least value whose cumulative normalized
 * weight reaches p (as calibrate's posterior_summary.csv). */
double ur_posterior_quantile(const struct ur_posterior *posterior, size_t j, double p);

/* The summary `unrestsim check` prints after the scenario, as libconfig comment lines
 * (the printout still loads): file, checksum, rows, effective sample size, and each
 * parameter's weighted median and 90% interval. 0, or -1 on a write error. */
int ur_posterior_write_summary(const struct ur_posterior *posterior, FILE *stream);

#endif /* UNREST_POSTERIOR_H */
