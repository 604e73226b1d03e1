/*
 * schema.h: the one description of every scenario setting, shared by the defaults
 * (defaults.c), the overrides applied to params (override.c), the printout and the
 * reference page (print.c), all in sim/params, and by the scenario loader above them
 * (sim/scenario: fill.c walks it over a file's tree).
 *
 * Layering: this header and sim/params need no libconfig; the model links them
 * without it (params.h's ur_params_defaults). Only the config layer's readers above
 * (sim/scenario, sim/sweep/sweepfile.c) include sim/conf's tree.
 *
 * Model: the schema is a tree of static const nodes mirroring the libconfig file. A
 * node names a setting, its type, unit, range and default, the words of the reference
 * page, and where its value goes: `offset` is the byte offset of the field inside the
 * C struct its parent fills (struct ur_params for the top level, the item struct for a
 * list item, struct ur_trigger for an action's `when`). Nothing about a setting is
 * written down anywhere else: loading, defaults, validation, printing and the
 * documentation all walk this tree.
 *
 * Invariants: children of a node have distinct names; a list node's item struct has
 * item_size bytes and its count (a size_t) sits at count_offset in the parent struct;
 * numeric defaults lie inside their range.
 */
#ifndef UNREST_PARAMS_SCHEMA_H
#define UNREST_PARAMS_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "unrest/dist.h"
#include "unrest/params.h"

enum sc_type {
	SC_GROUP,     /* { ... }: children */
	SC_LIST,      /* ( { ... }, ... ): items described by children */
	SC_REAL,      /* double; an integer in the file is accepted */
	SC_INT,       /* unsigned (replications) */
	SC_INT64,     /* int64_t (population, troops) or uint64_t (seed) */
	SC_BOOL,      /* bool */
	SC_STRING,    /* char[max_len + 1] */
	SC_ID,        /* char[UR_ID_SIZE], [A-Za-z_][A-Za-z0-9_-]* */
	SC_ENUM,      /* int-sized enum, spelled by names[] */
	SC_TIME,      /* ISO 8601 with offset: struct ur_scenario_params' start fields */
	SC_DIST,      /* struct ur_dist: { dist = "family"; params... } */
	SC_REGION,    /* int region index, the file names the region's id */
	SC_REGIONS,   /* struct ur_region_set, the file lists region ids */
	SC_ACTION,    /* int action index, the file names the action's id */
	SC_FACILITIES, /* size_t count + int[] facility indices of elite.region */
	SC_COLUMNS    /* struct ur_column_set, the file lists column names of the table
		       * `def` (enum ur_table); sdef says the default in words */
};

enum sc_flags {
	SC_REQUIRED = 1u << 0,  /* no default: the file must set it */
	SC_OPTIONAL = 1u << 1,  /* no default: absent is a state (has_offset or NAN) */
	SC_MIN_OPEN = 1u << 2,  /* the range excludes min */
	SC_MAX_OPEN = 1u << 3,  /* the range excludes max */
	SC_KEY = 1u << 4,       /* the id of a list item: unique, addressable as [id] */
	SC_KIND = 1u << 5,      /* the action kind: read first, selects the fields */
	SC_TRIGGER = 1u << 6,   /* one of at / when / after */
	SC_FIRST_REGION = 1u << 7, /* default: the first region (outcomes.capital) */
	SC_CSV_WORD = 1u << 8,  /* written as a CSV field: no word R or pandas reads as a
				 * missing value (region ids) */
	SC_FILE_PATH = 1u << 9  /* a string naming a file, resolved against the file that
				 * sets it (sim/scenario/record.c): only the loader sets it */
};

/* Marks "no has_x flag": an SC_OPTIONAL real stores NAN when absent instead. */
#define SC_NO_FLAG ((size_t)-1)


struct sc_node {
	const char *name;
	enum sc_type type;
	unsigned flags;
	size_t offset;           /* of the value in the parent's struct */
	size_t has_offset;       /* SC_OPTIONAL: of the bool saying it was given */
	double min, max;         /* range of numbers; list: max items; string: max len */
	double def;              /* default of a number, bool (0/1) or enum (index) */
	const char *sdef;        /* default of a string */
	const struct sc_dist_default *ddef; /* default of a distribution */
	const char *unit;        /* "h", "persons", "USD", "" */
	const char *doc;         /* the meaning, one sentence or two */
	const struct sc_node *children; /* group or list item */
	size_t nchildren;
	size_t item_size;        /* list: sizeof the item struct */
	size_t count_offset;     /* list, facilities: of the size_t count in the parent */
	size_t region_offset;    /* facilities: of the int index of their region in the
				  * parent's struct (a sibling read before them) */
	const char *const *names; /* enum: names by value */
	size_t nnames;
	unsigned kinds;          /* action fields: bit per enum ur_action_kind; 0 = any */
};

/* The root: a group whose children are the sections; its struct is ur_params. */
const struct sc_node *sc_schema_root(void);

/* Child of a group or list item by name; NULL when there is none. */
const struct sc_node *sc_child(const struct sc_node *node, const char *name);

/* Whether an action field is used by the kind. */
bool sc_used_by_kind(const struct sc_node *node, int kind);

/* The parameters a distribution family takes, as scenario files spell them. */
enum sc_dist_param {
	SC_DP_VALUE, SC_DP_MIN, SC_DP_MAX, SC_DP_MODE, SC_DP_MEAN, SC_DP_SD, SC_DP_MU,
	SC_DP_SIGMA, SC_DP_MEDIAN, SC_DP_SHAPE, SC_DP_SCALE, SC_DP_ALPHA, SC_DP_BETA,
	SC_DP_P, SC_DP_TRIALS, SC_DP_VALUES, SC_DP_WEIGHTS, SC_DP_COUNT
};

struct sc_dist_param_info {
	const char *name;
	size_t offset;           /* double in struct ur_dist; values/weights: the pointer */
};

const struct sc_dist_param_info *sc_dist_param(enum sc_dist_param param);

/* The parameters of a family: `required` must all be given, `optional` may be;
 * lognormal needs exactly one of median and mu (both are in `optional`). */
struct sc_dist_family_info {
	enum sc_dist_param required[4];
	size_t nrequired;
	enum sc_dist_param optional[4];
	size_t noptional;
	const char *takes;       /* for messages: "median or mu, and sigma" */
};

const struct sc_dist_family_info *sc_dist_family(enum ur_dist_family family);

/* The default of a distribution setting: a family and up to three parameters. */
struct sc_dist_default {
	enum ur_dist_family family;
	size_t n;
	struct {
		enum sc_dist_param param;
		double value;
	} p[3];
};

/* Whether R (read.csv's "NA") or pandas (read_csv's default na_values) would read a
 * field holding v as a missing value: "", NA, N/A, NaN, nan, -NaN, null, NULL, None,
 * #N/A, <NA>, ... in any case. */
bool sc_reads_as_missing(const char *v);

/* Levenshtein distance, bounded: returns limit + 1 when it exceeds limit. */
size_t sc_edit_distance(const char *a, const char *b, size_t limit);

/* Whether `name` is one of names[0..n): true, or false with *closest set to the nearest
 * within two edits (NULL when none is), for an "unknown setting (did you mean ...)"
 * message. The sweep and calibration file readers share it. */
bool sc_known_name(const char *name, const char *const *names, size_t n,
		   const char **closest);

/* ---- text of params (print.c) ------------------------------------------------------- */

/* A double as the shortest text strtod reads back to the same value; with
 * force_point, integral values get ".0" so that libconfig reads a float. The one
 * writer of real literals: the printout, the reference page and every message. */
#define SC_REAL_TEXT_SIZE 32
char *sc_format_real(double value, bool force_point, char buf[SC_REAL_TEXT_SIZE]);

/* The printout of params (see ur_scenario_text) in a malloc'd NUL-terminated buffer,
 * or NULL when out of memory. */
char *sc_print(const struct ur_params *params, size_t *len);

/* ---- PATH=VALUE (override.c) ---------------------------------------------------------- */

struct sc_segment {
	char text[64];
	bool bracket;
};

/* Splits "a.b.[3].c" (or "a.b[3].c") into at most max segments; -1 when malformed. */
int sc_split_path(const char *path, struct sc_segment *seg, size_t max, size_t *n);

/* Whether v starts as a number of the file's syntax can: strtod and strtoll also skip
 * leading space and strtod takes hexadecimal reals, which a file cannot hold. The
 * parsers of --set values: a finite double, a long long. */
bool sc_parse_double(const char *v, double *out);
bool sc_parse_ll(const char *v, long long *out);

#endif /* UNREST_PARAMS_SCHEMA_H */
