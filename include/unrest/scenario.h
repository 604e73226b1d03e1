/*
 * scenario.h: scenario files: load, validate, resolve, print.
 *
 * Model: a scenario is one libconfig file (docs/scenario-reference.md). Loading it
 *   1. reads the file (and, through `base = "other.cfg";`, its chain of base files,
 *      each relative to the directory of the file that names it): groups merge by
 *      path, lists replace as a whole, a distribution group that names another family
 *      replaces as a whole;
 *   2. applies the --set overrides in order (PATH=VALUE, PATH as in messages, list
 *      items by `[N]` (0-based) or, for items with an id, by `[id]`);
 *   3. checks every setting against one static schema (type, range, unit, required,
 *      unknown names with a "did you mean", references between sections, distribution
 *      parameters, `after` chains without cycles), applies the defaults, and fills a
 *      struct ur_params (params.h).
 * A file is read and parsed once: the loaded scenario keeps the merged tree, and a
 * scenario with more overrides (a sweep's point) is derived from it without reading
 * any file again (ur_scenario_derive).
 * The resolved scenario prints as libconfig text that loads back to the same params:
 * printing a load of the printout gives the printout again, byte for byte.
 *
 * Invariants: a struct ur_scenario exists only for a scenario that passed every check;
 * its params never change after the load; loads may run in parallel threads, and a
 * loaded scenario may be shared by threads that derive from it (ur_scenario_derive).
 *
 * Layering: this module reads files through sim/conf (the program's tree of libconfig
 * text; only sim/conf/parse.c includes libconfig.h) and fills params through the
 * schema of sim/params, which the model links without this module.
 *
 * Error policy: user mistakes are messages in a struct ur_diag, in the form
 *   FILE:LINE: PATH: what was expected, got what was found
 * (`scenarios/x.cfg:42: regions.[3].population: must be > 0, got -5`), sorted by file
 * and line, every one up to the diag's limit; an override given by --set is located as
 * `--set PATH=VALUE` instead of FILE:LINE. The status says what kind of failure it was
 * and is the exit status the command line uses (sysexits.h). Nothing is printed.
 * Passing NULL where a pointer is required is a programming error and asserts.
 */
#ifndef UNREST_SCENARIO_H
#define UNREST_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "unrest/params.h"

/* Load statuses, equal to the exit statuses of sysexits.h. When several kinds of
 * failure occur in one load, the status is the first of MISSING, USAGE, BAD_INPUT. */
enum ur_scenario_status {
	UR_SCENARIO_OK = 0,
	UR_SCENARIO_USAGE = 64,     /* a --set with an unknown path or a bad value */
	UR_SCENARIO_BAD_INPUT = 65, /* a file that is not a valid scenario */
	UR_SCENARIO_MISSING = 66,   /* the file or one of its bases cannot be opened */
	UR_SCENARIO_NOMEM = 70      /* out of memory */
};

/* The messages of one load. Caller storage: ur_diag_init before the load,
 * ur_diag_finish after reading the messages. At most `limit` messages are kept (a
 * last one then says how many more there were); `total` counts them all. */
struct ur_diag {
	size_t limit;
	size_t count;          /* messages kept */
	size_t total;          /* errors found, kept or not */
	size_t capacity;
	struct ur_diag_entry *entries;
	int truncated;         /* memory ran out while recording */
};

#define UR_DIAG_DEFAULT_LIMIT 20

void ur_diag_init(struct ur_diag *diag, size_t limit);
void ur_diag_finish(struct ur_diag *diag);
size_t ur_diag_count(const struct ur_diag *diag);
/* Message i (0 <= i < count), without a trailing newline. */
const char *ur_diag_message(const struct ur_diag *diag, size_t i);
/* Adds a message (counted in total, kept up to the limit): the messages of the other
 * readers of the config layer (sweep files, manifests) in the same store. 0, or -1
 * when out of memory. */
int ur_diag_add(struct ur_diag *diag, const char *text);
/* Writes every message, one a line; returns 0, or -1 on a write error. */
int ur_diag_print(const struct ur_diag *diag, FILE *stream);

struct ur_scenario;

/* Loads the scenario at `path` with the overrides sets[0..nsets) ("PATH=VALUE").
 * Returns the scenario, or NULL with *status saying why and diag holding the
 * messages. diag may already hold messages; new ones are added. */
struct ur_scenario *ur_scenario_load(const char *path, const char *const *sets,
				     size_t nsets, struct ur_diag *diag,
				     enum ur_scenario_status *status);

/* The same from text in memory (len bytes, need not be NUL-terminated); `name` stands
 * for the file name in messages. A `base` setting is refused: there is no directory
 * to resolve it against. */
struct ur_scenario *ur_scenario_load_buffer(const char *name, const char *text,
					    size_t len, const char *const *sets,
					    size_t nsets, struct ur_diag *diag,
					    enum ur_scenario_status *status);

/* A scenario derived from a loaded one (base: from ur_scenario_load or _load_buffer)
 * with more overrides sets[0..nsets), applied after the base's own, reading no file:
 * the base was parsed once and keeps its files' merged tree. The result is what
 * ur_scenario_load of the base's file with the base's overrides followed by these
 * would give, messages included, whatever happened to the files since. It refers to
 * the base's arrays (discrete distributions): destroy it before the base. Its text
 * and hash are made when first asked for. Any number of threads may derive from one
 * base at once.
 *
 * The overrides are first applied straight to a copy of the base's params
 * (ur_params_set, a few microseconds); only when that declines, or the result fails a
 * check, is the base's tree copied and walked again for the exact messages.
 * UR_DERIVE_EXACT always takes the tree (tests compare the two). */
#define UR_DERIVE_EXACT 1u
struct ur_scenario *ur_scenario_derive(const struct ur_scenario *base,
				       const char *const *sets, size_t nsets,
				       unsigned flags, struct ur_diag *diag,
				       enum ur_scenario_status *status);

void ur_scenario_destroy(struct ur_scenario *scenario);

const struct ur_params *ur_scenario_params(const struct ur_scenario *scenario);

/* The resolved scenario as libconfig text (NUL-terminated, owned by the scenario),
 * what `unrestsim check` prints and runs write to scenario.cfg. */
const char *ur_scenario_text(const struct ur_scenario *scenario);
/* Writes ur_scenario_text() to stream; 0, or -1 on a write error. */
int ur_scenario_write(const struct ur_scenario *scenario, FILE *stream);
/* The scenario's identity in manifests: ur_scenario_text_fold of its text (and its
 * posterior's checksum). */
uint64_t ur_scenario_hash(const struct ur_scenario *scenario);
/* FNV-1a 64 of a printout (ur_scenario_text, or a folder's scenario.cfg) continued
 * from h, except the paths of the settings that name a file (scenario.record,
 * scenario.regions_file, scenario.posterior): the printout names each absolutely,
 * for the folder to load from anywhere, and follows it with `# content 0x...`, the
 * file's checksum, which the hash keeps. So one scenario run from two checkouts, or
 * from nodes that mount it at different places, has one hash (docs/output.md). */
uint64_t ur_scenario_text_fold(uint64_t h, const char *text, size_t len);

/* `unrestsim check FILE [--set PATH=VALUE]...`: loads, prints the resolved scenario
 * to out on success and every message to err on failure. Returns the exit status:
 * 0, or an enum ur_scenario_status value, or 74 when writing to out fails. */
int ur_scenario_check(const char *path, const char *const *sets, size_t nsets,
		      FILE *out, FILE *err);

#endif /* UNREST_SCENARIO_H */
