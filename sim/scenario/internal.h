/*
 * internal.h: what the files of the scenario loader share and nobody else sees: the
 * loaded scenario's struct, the loader's state, its messages, and the functions one
 * step of the pipeline offers the others.
 *
 * The loader is split by concern, each file a step of the pipeline (scenario.h has
 * the contract):
 *   chain.c  read a file, check its bytes, parse it (conf.h), follow `base` and merge
 *            the file onto its base's tree;
 *   set.c    apply the --set overrides to the tree;
 *   fill.c   walk the schema (sim/params/schema.h) over the tree: unknown names,
 *            types, ranges, defaults, references; fill struct ur_params;
 *   cross.c  the checks between settings (ur_params_check_across) and between
 *            actions, located at the settings they name;
 *   load.c   the pipeline, its messages, the public API, and derived scenarios (a
 *            loaded scenario plus overrides, without reading any file).
 * The tree is the program's own (sim/conf); none of these files includes libconfig.h.
 */
#ifndef UNREST_SCENARIO_INTERNAL_H
#define UNREST_SCENARIO_INTERNAL_H

#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "schema.h"
#include "unrest/params.h"
#include "unrest/scenario.h"

#define PATH_SIZE 512

enum file_kind { FILE_DISK, FILE_MEMORY, FILE_SET };

/* A file the tree's settings came from: their `file` stamps point at its name, their
 * hooks into its scan. It lives as long as a tree that refers to it. */
struct sc_file {
	char *name;                 /* as messages show it */
	enum file_kind kind;
	struct cf_text_scan scan;   /* its wide integer literals, hooked to settings */
};

/* What a loaded scenario was read from, parsed once: the files and the merged tree
 * with the scenario's own overrides. Derived scenarios copy the tree, never re-read
 * a file. Never changed after the load, so threads may read it at once. */
struct sc_source {
	struct sc_file **files;
	size_t nfiles;
	struct cf_setting *tree;
	char *path;                 /* the scenario as named */
};

struct ur_scenario {
	struct ur_params params;
	double **blocks;            /* arrays of discrete distributions it owns */
	size_t nblocks;
	struct sc_source *source;   /* loaded scenarios only: what it was read from */
	/* The printout, made at the load, or for a derived scenario when first asked. */
	pthread_mutex_t text_lock;
	char *text;
	size_t text_len;
	uint64_t hash;
	const struct ur_posterior *posterior; /* NULL: none */
	bool owns_posterior;        /* else its base's */
};

struct sc_msg {
	char *text;
	size_t rank;                /* the file's index: messages sort by file, */
	unsigned line;              /* then line, */
	size_t seq;                 /* then the order they were found */
};

struct loader {
	struct sc_file **files;
	size_t nfiles, cap_files;
	size_t borrowed;            /* files[0 .. borrowed) belong to a source */
	struct sc_msg *msgs;
	size_t nmsgs, cap_msgs;
	bool missing, usage, bad, nomem;
	struct ur_scenario *sc;
	struct ur_params *p;
	bool regions_ok;
	const struct cf_setting *actions; /* government.actions in the tree */
};

struct path {
	char buf[PATH_SIZE];
	size_t len;
};

/* ---- messages (load.c) ---------------------------------------------------------------- */
char *sc_vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
char *sc_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Keeps text (malloc'd; NULL means out of memory) as a message of file `rank`. */
void sc_add_msg(struct loader *L, size_t rank, unsigned line, char *text);
/* A message about a file as a whole or a line of it, not a setting. */
void sc_report_file(struct loader *L, size_t rank, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A message about the setting at `where` (or, when it is absent, its nearest
 * ancestor that exists) whose path is `path`. */
void sc_report(struct loader *L, const struct cf_setting *where, const char *path,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A --set that cannot be applied at all. */
void sc_report_usage(struct loader *L, const char *set, const char *path,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct sc_file *sc_add_file(struct loader *L, const char *name, enum file_kind kind);
/* What a setting is, for "got ...". */
void sc_describe(const struct cf_setting *s, char *buf, size_t size);
#define DESCRIBE(s) (sc_describe((s), found, sizeof found), found)

/* ---- files and bases (chain.c) ------------------------------------------------------ */
#define SC_MAX_BASE_DEPTH UR_MAX_BASE_DEPTH
struct chain {
	dev_t dev[SC_MAX_BASE_DEPTH + 1];
	ino_t ino[SC_MAX_BASE_DEPTH + 1];
	const char *name[SC_MAX_BASE_DEPTH + 1];
	size_t n;
};
struct cf_setting *sc_parse_text(struct loader *L, struct sc_file *file, const char *text,
				 size_t len);
struct cf_setting *sc_load_chain(struct loader *L, const char *path,
				 const struct cf_setting *from, struct chain *chain);
struct cf_setting *sc_apply_base(struct loader *L, struct cf_setting *cfg, const char *path,
				 bool from_memory, struct chain *chain);
const char *sc_dist_name_of(const struct cf_setting *group);
/* rel joined to the folder of file (rel itself when absolute or file has no folder),
 * "." and ".." taken out: how `base` and `scenario.posterior` are looked up. */
char *sc_join_dir(const char *file, const char *rel);

/* ---- the scenario's posterior (posterior.c) ------------------------------------------- */
struct ur_posterior;
/* Reads and checks the posterior file that scenario.posterior names (cfg: the merged
 * tree; L->p: the params filled from it, which pass every check), and keeps it in
 * L->sc, with L->p's posterior set to the file's absolute name; `inherit` (a derived
 * scenario's base's posterior, or NULL) is shared instead when it is the same file.
 * Errors go to L's messages. */
void sc_posterior_load(struct loader *L, const struct cf_setting *cfg,
		       const struct ur_posterior *inherit);
void sc_posterior_destroy(struct ur_posterior *posterior);

/* ---- the schema walk (fill.c) ------------------------------------------------------- */
size_t sc_path_push(struct path *p, const char *name);
size_t sc_path_push_index(struct path *p, size_t i);
void sc_path_pop(struct path *p, size_t old);
const char *sc_closest(const char *name, const char *const *candidates, size_t n);
const char *sc_closest_child(const struct sc_node *node, const char *name);
/* What replaced or removed a setting an older scenario may still use ("fuel.level",
 * "regions.[3].mobilizable_share"), as a message, or NULL. */
const char *sc_replaced(const char *path);
void sc_did_you_mean(const char *suggestion, char *buf, size_t size);
bool sc_family_takes(const struct sc_dist_family_info *fi, enum sc_dist_param prm);
int sc_param_by_name(const char *name);
void sc_fill_group(struct loader *L, const struct sc_node *node, const struct cf_setting *s,
		   const struct cf_setting *anchor, char *base, struct path *path, int kind);

/* ---- checks across settings (cross.c) ------------------------------------------------- */
const struct cf_setting *sc_lookup(const struct cf_setting *root, const char *path);
void sc_check_actions(struct loader *L);
void sc_check_across(struct loader *L, const struct cf_setting *root);

/* ---- the scenario's historical record (record.c) ------------------------------------ */
/* Resolves scenario.record and scenario.regions_file against the files that set them
 * into params (absolute paths) and checks both files' format and region ids. */
void sc_check_record(struct loader *L, const struct cf_setting *root);

/* ---- --set (set.c) -------------------------------------------------------------------- */
void sc_apply_set(struct loader *L, struct cf_setting *cfg, const char *set);

/* ---- the diag's store (diag.c) ---------------------------------------------------------- */
struct ur_diag_entry {
	char *text;
};

/* Appends a copy of text (respecting the limit is the caller's business); 0 or -1
 * when out of memory. */
int sc_diag_add(struct ur_diag *diag, const char *text);

#endif /* UNREST_SCENARIO_INTERNAL_H */
