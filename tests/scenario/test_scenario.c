/*
 * test_scenario.c: the scenario module against its contract (scenario.h).
 *
 * Arguments (from meson.build): the bad corpus directory, docs/scenario-reference.md,
 * then every shipped scenario. The bad corpus holds one file per mistake with the exact
 * messages and status expected of it in a sibling .expected file (scenario-tool check
 * writes them; a reviewer reads them). The shipped scenarios must load, and their
 * printout must load back to itself. The rest builds small scenarios in a temporary
 * directory: inheritance, --set, time, hashes, limits.
 */
/* realpath() is XSI. */
#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "corpus.h"
#include "unrest/scenario.h"

/* Reals the loader stores are the file's values exactly (strtod of the literal), so
 * comparisons are exact unless said otherwise. */
#define assert_real_equal(a, b, tol)                                                   \
	do {                                                                           \
		double a_ = (a), b_ = (b);                                             \
		if (!(fabs(a_ - b_) <= (tol)))                                         \
			fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_, \
				 (double)(tol));                                       \
	} while (0)

struct args {
	const char *bad_dir;
	const char *reference;
	char **shipped;
	int nshipped;
	char tmpdir[64];
};

/* ---- helpers ------------------------------------------------------------------------ */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t size = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (size + 1 >= cap) {
			char *b = realloc(buf, cap ? 2 * cap : 4096);
			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
			cap = cap ? 2 * cap : 4096;
		}
		got = fread(buf + size, 1, cap - size - 1, f);
		size += got;
	} while (got > 0);
	fclose(f);
	buf[size] = '\0';
	return buf;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Loads dir/name with the overrides; returns the scenario or NULL, and the messages
 * joined by newlines in *messages (caller frees) when messages is not NULL. */
static struct ur_scenario *load_in(const char *dir, const char *name,
				   const char *const *sets, size_t nsets,
				   enum ur_scenario_status *status, char **messages)
{
	char path[512];
	struct ur_diag diag;
	struct ur_scenario *sc;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	ur_diag_init(&diag, 0);
	sc = ur_scenario_load(path, sets, nsets, &diag, status);
	if (messages) {
		size_t size = 1;
		for (size_t i = 0; i < ur_diag_count(&diag); i++)
			size += strlen(ur_diag_message(&diag, i)) + 1;
		*messages = calloc(1, size);
		assert_non_null(*messages);
		for (size_t i = 0; i < ur_diag_count(&diag); i++) {
			strcat(*messages, ur_diag_message(&diag, i));
			strcat(*messages, "\n");
		}
	}
	ur_diag_finish(&diag);
	return sc;
}

static struct ur_scenario *load_text(const char *text, enum ur_scenario_status *status)
{
	struct ur_diag diag;
	struct ur_scenario *sc;

	ur_diag_init(&diag, 0);
	sc = ur_scenario_load_buffer("mem.cfg", text, strlen(text), NULL, 0, &diag, status);
	if (!sc)
		for (size_t i = 0; i < ur_diag_count(&diag); i++)
			print_message("  %s\n", ur_diag_message(&diag, i));
	ur_diag_finish(&diag);
	return sc;
}

#define SMALL_HEAD                                                                      \
	"scenario = { name = \"small\"; start = \"2022-01-01T00:00:00+06:00\"; };\n"      \
	"regions = (\n"                                                                 \
	"  { id = \"A\"; name = \"A\"; population = 1000; lat = 43.0; lon = 51.0; "       \
	"police = 10.0;\n"                                                              \
	"    facilities = ( { id = \"hall\"; name = \"Hall\"; } ); },\n"                  \
	"  { id = \"B\"; name = \"B\"; population = 2000; lat = 44.0; lon = 76.0; "       \
	"police = 20.0; }\n"                                                            \
	");\n"
#define SMALL_FIRST "  { id = \"first\"; kind = \"address\"; at = 5.0; }"
#define SMALL_SECOND                                                                    \
	"  { id = \"second\"; kind = \"price_rollback\"; after = \"first\"; "              \
	"regions = [ \"B\" ]; }"

static const char small[] = SMALL_HEAD "government = { actions = (\n" SMALL_FIRST ",\n"
			    SMALL_SECOND "\n); };\n";

/* ---- the temporary directory -------------------------------------------------------- */

static void remove_tmpdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[600];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		remove(path);
	}
	closedir(d);
	rmdir(dir);
}

/* ---- the bad corpus ----------------------------------------------------------------- */

static int compare_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void test_bad_corpus(void **state)
{
	struct args *a = *state;
	char cwd[4096];
	DIR *d;
	struct dirent *e;
	char *names[512];
	size_t n = 0, failures = 0;

	assert_non_null(getcwd(cwd, sizeof cwd));
	d = opendir(a->bad_dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL && n < 512) {
		size_t len = strlen(e->d_name);
		if (len > 4 && strcmp(e->d_name + len - 4, ".cfg") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], compare_names);
	/* Messages name files as the load was given them: run from the corpus folder. */
	assert_int_equal(chdir(a->bad_dir), 0);
	for (size_t i = 0; i < n; i++) {
		char expected_path[600];
		char *expected, *got;

		snprintf(expected_path, sizeof expected_path, "%.*s.expected",
			 (int)(strlen(names[i]) - 4), names[i]);
		expected = slurp(expected_path);
		got = corpus_run(names[i]);
		if (!expected) {
			print_error("%s: no %s\n", names[i], expected_path);
			failures++;
		} else if (!got || strcmp(expected, got) != 0) {
			print_error("%s: expected\n%sgot\n%s", names[i], expected, got ? got : "");
			failures++;
		} else if (strstr(got, "\nstatus 0\n") || strncmp(got, "status 0", 8) == 0) {
			print_error("%s: a bad file loaded\n", names[i]);
			failures++;
		}
		free(expected);
		free(got);
		free(names[i]);
	}
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(failures, 0);
	assert_true(n >= 40);
}

/* ---- shipped scenarios -------------------------------------------------------------- */

static void test_shipped_scenarios_load(void **state)
{
	struct args *a = *state;

	assert_true(a->nshipped >= 2);
	for (int i = 0; i < a->nshipped; i++) {
		struct ur_diag diag;
		enum ur_scenario_status status;
		struct ur_scenario *sc;

		ur_diag_init(&diag, 0);
		sc = ur_scenario_load(a->shipped[i], NULL, 0, &diag, &status);
		if (!sc) {
			ur_diag_print(&diag, stderr);
			fail_msg("%s does not load (status %d)", a->shipped[i], (int)status);
		}
		assert_int_equal(status, UR_SCENARIO_OK);
		assert_int_equal(ur_diag_count(&diag), 0);
		ur_scenario_destroy(sc);
		ur_diag_finish(&diag);
	}
}

static void test_shipped_round_trip(void **state)
{
	struct args *a = *state;

	for (int i = 0; i < a->nshipped; i++) {
		struct ur_diag diag;
		enum ur_scenario_status status;
		struct ur_scenario *sc, *again;
		char *copy;

		ur_diag_init(&diag, 0);
		sc = ur_scenario_load(a->shipped[i], NULL, 0, &diag, &status);
		assert_non_null(sc);
		/* through a file on disk, as `check > x.cfg` then `run x.cfg` would */
		write_file(a->tmpdir, "printout.cfg", ur_scenario_text(sc));
		again = load_in(a->tmpdir, "printout.cfg", NULL, 0, &status, NULL);
		assert_non_null(again);
		assert_string_equal(ur_scenario_text(again), ur_scenario_text(sc));
		assert_true(ur_scenario_hash(again) == ur_scenario_hash(sc));
		copy = strdup(ur_scenario_text(sc));
		ur_scenario_destroy(sc);
		ur_scenario_destroy(again);
		/* and from memory */
		again = load_text(copy, &status);
		assert_non_null(again);
		assert_string_equal(ur_scenario_text(again), copy);
		ur_scenario_destroy(again);
		free(copy);
		ur_diag_finish(&diag);
	}
}

static const char *find_shipped(const struct args *a, const char *suffix)
{
	for (int i = 0; i < a->nshipped; i++) {
		size_t l = strlen(a->shipped[i]), s = strlen(suffix);
		if (l >= s && strcmp(a->shipped[i] + l - s, suffix) == 0)
			return a->shipped[i];
	}
	return NULL;
}

static void test_reference_scenario_content(void **state)
{
	struct args *a = *state;
	const char *path = find_shipped(a, "/kazakhstan-2022.cfg");
	struct ur_diag diag;
	enum ur_scenario_status status;
	struct ur_scenario *sc;
	const struct ur_params *p;
	int64_t population = 0, troops = 0;
	int ala = -1, man = -1;

	assert_non_null(path);
	ur_diag_init(&diag, 0);
	sc = ur_scenario_load(path, NULL, 0, &diag, &status);
	assert_non_null(sc);
	p = ur_scenario_params(sc);
	assert_int_equal(p->nregions, 17);
	for (size_t r = 0; r < p->nregions; r++) {
		population += p->regions[r].population;
		if (strcmp(p->regions[r].id, "ALA") == 0)
			ala = (int)r;
		if (strcmp(p->regions[r].id, "MAN") == 0)
			man = (int)r;
	}
	/* regions-2022.csv: the populations sum to 19,503,159 */
	assert_true(population == 19503159);
	assert_true(ala >= 0 && man >= 0);
	assert_real_equal(p->regions[man].lpg_share, 0.8, 0.0);
	assert_true(p->scenario.start_epoch == 1640973600); /* 2021-12-31T18:00:00Z */
	assert_int_equal(p->scenario.utc_offset_s, 6 * 3600);
	assert_int_equal(p->elite.region, ala);
	assert_int_equal(p->outcomes.capital, ala);
	assert_true(p->elite.nseize >= 2);
	for (size_t i = 0; i < p->csto.ncontingents; i++)
		troops += p->csto.contingents[i].troops;
	assert_int_equal(p->csto.ncontingents, 5);
	assert_true(troops >= 2030 && troops <= 2500); /* the record's bracket */
	/* every `after` points at an earlier action that exists */
	for (size_t i = 0; i < p->government.nactions; i++) {
		const struct ur_action *act = &p->government.actions[i];
		if (act->trigger.kind == UR_TRIGGER_AFTER)
			assert_true(act->trigger.after >= 0 &&
				    (size_t)act->trigger.after < p->government.nactions &&
				    act->trigger.after != (int)i);
	}
	ur_scenario_destroy(sc);
	ur_diag_finish(&diag);
}

/* ---- inheritance -------------------------------------------------------------------- */

static void test_inheritance_merges_groups_replaces_lists(void **state)
{
	struct args *a = *state;
	enum ur_scenario_status status;
	struct ur_scenario *sc;
	const struct ur_params *p;
	char *msgs = NULL;

	write_file(a->tmpdir, "base.cfg", small);
	write_file(a->tmpdir, "middle.cfg",
		   "base = \"base.cfg\";\n"
		   "scenario = { horizon = 100.0; };\n"
		   "agents = { threshold = { dist = \"lognormal\"; median = 0.2; sigma = 0.1; };\n"
		   "           w_s = 0.5; };\n");
	write_file(a->tmpdir, "child.cfg",
		   "base = \"middle.cfg\";\n"
		   "scenario = { seed = 7; };\n"
		   "agents = { threshold = { median = 0.3; }; };\n" /* same family: merges */
		   "regions = (\n"
		   "  { id = \"C\"; name = \"C\"; population = 5; lat = 0.0; lon = 0.0; police = 1.0; }\n"
		   ");\n"
		   "government = { actions = (); };\n");
	sc = load_in(a->tmpdir, "child.cfg", NULL, 0, &status, &msgs);
	if (!sc)
		fail_msg("child.cfg: %s", msgs);
	p = ur_scenario_params(sc);
	/* groups merge by path through the whole chain */
	assert_string_equal(p->scenario.name, "small");
	assert_real_equal(p->scenario.horizon_h, 100.0, 0.0);
	assert_true(p->scenario.seed == 7);
	assert_real_equal(p->agents.w_s, 0.5, 0.0);
	/* a distribution naming no other family merges: sigma from middle, median here */
	assert_int_equal(p->agents.threshold.family, UR_DIST_LOGNORMAL);
	assert_real_equal(p->agents.threshold.median, 0.3, 0.0);
	assert_real_equal(p->agents.threshold.sigma, 0.1, 0.0);
	/* lists replace as a whole */
	assert_int_equal(p->nregions, 1);
	assert_string_equal(p->regions[0].id, "C");
	assert_int_equal(p->government.nactions, 0);
	ur_scenario_destroy(sc);
	free(msgs);

	/* a distribution naming another family replaces the base's */
	write_file(a->tmpdir, "other.cfg",
		   "base = \"middle.cfg\";\n"
		   "agents = { threshold = { dist = \"constant\"; value = 0.4; }; };\n");
	sc = load_in(a->tmpdir, "other.cfg", NULL, 0, &status, &msgs);
	if (!sc)
		fail_msg("other.cfg: %s", msgs);
	p = ur_scenario_params(sc);
	assert_int_equal(p->agents.threshold.family, UR_DIST_CONSTANT);
	assert_real_equal(p->agents.threshold.value, 0.4, 0.0);
	assert_int_equal(p->nregions, 2); /* from base.cfg, two levels up */
	ur_scenario_destroy(sc);
	free(msgs);
}

static void test_inheritance_errors_name_their_file(void **state)
{
	struct args *a = *state;
	enum ur_scenario_status status;
	struct ur_scenario *sc;
	char *msgs = NULL;
	char expected[600];

	write_file(a->tmpdir, "base.cfg", small);
	write_file(a->tmpdir, "bad-base.cfg", "base = \"base.cfg\";\n\nnetwork = { mu = 2.0; };\n");
	write_file(a->tmpdir, "derived.cfg", "base = \"bad-base.cfg\";\nnetwork = { nationwide = 0.1; };\n");
	sc = load_in(a->tmpdir, "derived.cfg", NULL, 0, &status, &msgs);
	assert_null(sc);
	assert_int_equal(status, UR_SCENARIO_BAD_INPUT);
	snprintf(expected, sizeof expected, "%s/bad-base.cfg:3: network.mu: must be <= 1, got 2.0\n",
		 a->tmpdir);
	assert_string_equal(msgs, expected);
	free(msgs);
}

/* ---- the scenario's record ------------------------------------------------------------ */

/* A record named in a base file is read relative to that file, from whatever folder
 * the derived file is in; it is kept as an absolute path, so the printout loads again
 * from another folder and names the same file; a --set names a file relative to the
 * working folder, and one that is not there is refused. */
static void test_record_resolved_against_its_file(void **state)
{
	struct args *a = *state;
	enum ur_scenario_status status;
	struct ur_scenario *sc, *again;
	char sub[128], path[600], real[PATH_MAX], *msgs = NULL;

	write_file(a->tmpdir, "base.cfg", small);
	write_file(a->tmpdir, "rec-facts.csv",
		   "quantity,value,low,high,unit,hour,hour_low,hour_high,region,source,grade\n"
		   "deaths_total,3,2,4,persons,,,,B,\"A source, 1 Jan\",A\n");
	write_file(a->tmpdir, "rec-regions.csv",
		   "id,name,centre,population,utc_offset,lat,lon,first_protest_day,"
		   "first_protest_grade\n"
		   "A,A,A,1000,+06:00,43.0,51.0,0,A\r\n"
		   "B,B,B,2000,+06:00,44.0,76.0,,\r\n");
	write_file(a->tmpdir, "rec-base.cfg",
		   "base = \"base.cfg\";\nscenario = { record = \"rec-facts.csv\"; "
		   "regions_file = \"rec-regions.csv\"; };\n");
	snprintf(sub, sizeof sub, "%s/sub", a->tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(sub, "derived.cfg", "base = \"../rec-base.cfg\";\n");

	sc = load_in(sub, "derived.cfg", NULL, 0, &status, &msgs);
	if (!sc)
		fail_msg("%s", msgs);
	free(msgs);
	snprintf(path, sizeof path, "%s/rec-facts.csv", a->tmpdir);
	assert_non_null(realpath(path, real));
	assert_string_equal(ur_scenario_params(sc)->scenario.record, real);
	snprintf(path, sizeof path, "%s/rec-regions.csv", a->tmpdir);
	assert_non_null(realpath(path, real));
	assert_string_equal(ur_scenario_params(sc)->scenario.regions_file, real);

	write_file(sub, "printout.cfg", ur_scenario_text(sc));
	again = load_in(sub, "printout.cfg", NULL, 0, &status, NULL);
	assert_non_null(again);
	assert_string_equal(ur_scenario_params(again)->scenario.record,
			    ur_scenario_params(sc)->scenario.record);
	ur_scenario_destroy(again);

	const char *sets[] = { "scenario.record=\"rec-facts.csv\"" };
	again = load_in(sub, "derived.cfg", sets, 1, &status, &msgs);
	assert_null(again);
	assert_int_equal(status, UR_SCENARIO_MISSING);
	assert_non_null(strstr(msgs, "scenario.record: expected a file"));
	free(msgs);
	ur_scenario_destroy(sc);

	snprintf(path, sizeof path, "%s/derived.cfg", sub);
	remove(path);
	snprintf(path, sizeof path, "%s/printout.cfg", sub);
	remove(path);
	rmdir(sub);
}

/* ---- --set -------------------------------------------------------------------------- */

static void test_set_applies_typed_values(void **state)
{
	struct args *a = *state;
	const char *sets[] = {
		"scenario.horizon=100",                     /* an integer where a real goes */
		"scenario.seed=9000000000",                 /* beyond 32 bits */
		"scenario.name=\"quoted name\"",
		"agents.stratified=true",
		"regions.[B].police=55.5",                  /* an item by id */
		"regions.[0].hardship=0.25",                /* an item by index */
		"government.actions.[second].delay.dist=lognormal", /* default dist, new family */
		"government.actions.[second].delay.median=6",
		"government.actions.[second].delay.sigma=0.5",
		"output.events=all",
		"network.mu=0.125",                         /* a group the file does not have */
		"elite.fighters.median=250",                /* a default distribution */
		"outcomes.capital=B",
	};
	enum ur_scenario_status status;
	struct ur_scenario *sc;
	const struct ur_params *p;
	char *msgs = NULL;

	write_file(a->tmpdir, "small.cfg", small);
	sc = load_in(a->tmpdir, "small.cfg", sets, sizeof sets / sizeof sets[0], &status, &msgs);
	if (!sc)
		fail_msg("%s", msgs);
	p = ur_scenario_params(sc);
	assert_real_equal(p->scenario.horizon_h, 100.0, 0.0);
	assert_true(p->scenario.seed == 9000000000ull);
	assert_string_equal(p->scenario.name, "quoted name");
	assert_true(p->agents.stratified);
	assert_real_equal(p->regions[1].police, 55.5, 0.0);
	assert_real_equal(p->regions[0].hardship, 0.25, 0.0);
	assert_int_equal(p->government.actions[1].delay_h.family, UR_DIST_LOGNORMAL);
	assert_real_equal(p->government.actions[1].delay_h.median, 6.0, 0.0);
	assert_real_equal(p->government.actions[1].delay_h.sigma, 0.5, 0.0);
	assert_int_equal(p->output.events, UR_EVENTS_ALL);
	assert_real_equal(p->network.mu, 0.125, 0.0);
	assert_real_equal(p->network.nationwide, 0.3, 0.0); /* the rest keeps its default */
	assert_int_equal(p->elite.fighters.family, UR_DIST_LOGNORMAL);
	assert_real_equal(p->elite.fighters.median, 250.0, 0.0);
	assert_real_equal(p->elite.fighters.sigma, 0.5, 0.0);
	assert_int_equal(p->outcomes.capital, 1);
	ur_scenario_destroy(sc);
	free(msgs);
}

static void test_set_by_id_survives_reordering(void **state)
{
	struct args *a = *state;
	const char *sets[] = { "government.actions.[first].at=9" };
	static const char reordered[] = SMALL_HEAD "government = { actions = (\n" SMALL_SECOND
					",\n" SMALL_FIRST "\n); };\n";
	enum ur_scenario_status status;
	struct ur_scenario *sc;
	const struct ur_params *p;

	write_file(a->tmpdir, "reordered.cfg", reordered);
	sc = load_in(a->tmpdir, "reordered.cfg", sets, 1, &status, NULL);
	assert_non_null(sc);
	p = ur_scenario_params(sc);
	assert_string_equal(p->government.actions[1].id, "first");
	assert_real_equal(p->government.actions[1].trigger.at_h, 9.0, 0.0);
	assert_int_equal(p->government.actions[0].trigger.after, 1);
	ur_scenario_destroy(sc);
}

static void test_set_usage_errors_have_status_64(void **state)
{
	struct args *a = *state;
	const char *sets[] = { "scenario.horizn=5" };
	enum ur_scenario_status status;
	struct ur_scenario *sc;
	char *msgs = NULL;

	write_file(a->tmpdir, "small.cfg", small);
	sc = load_in(a->tmpdir, "small.cfg", sets, 1, &status, &msgs);
	assert_null(sc);
	assert_int_equal(status, UR_SCENARIO_USAGE);
	assert_string_equal(msgs, "--set scenario.horizn=5: scenario.horizn: unknown setting "
				  "(did you mean \"horizon\"?)\n");
	free(msgs);
}

/* ---- files and statuses ------------------------------------------------------------- */

static void test_missing_file_status_66(void **state)
{
	struct args *a = *state;
	enum ur_scenario_status status;
	char *msgs = NULL;
	char expected[600];
	struct ur_scenario *sc = load_in(a->tmpdir, "nope.cfg", NULL, 0, &status, &msgs);

	assert_null(sc);
	assert_int_equal(status, UR_SCENARIO_MISSING);
	snprintf(expected, sizeof expected, "%s/nope.cfg: cannot open: %s\n", a->tmpdir,
		 strerror(ENOENT));
	assert_string_equal(msgs, expected);
	free(msgs);
}

static void test_check_prints_and_returns_status(void **state)
{
	struct args *a = *state;
	char path[600], *out = NULL, *err = NULL;
	size_t out_size = 0, err_size = 0;
	FILE *o, *e;
	int rc;

	write_file(a->tmpdir, "small.cfg", small);
	snprintf(path, sizeof path, "%s/small.cfg", a->tmpdir);
	o = open_memstream(&out, &out_size);
	e = open_memstream(&err, &err_size);
	assert_non_null(o);
	assert_non_null(e);
	rc = ur_scenario_check(path, NULL, 0, o, e);
	fclose(o);
	fclose(e);
	assert_int_equal(rc, 0);
	assert_int_equal(err_size, 0);
	assert_non_null(strstr(out, "name = \"small\";"));
	free(out);
	free(err);

	o = open_memstream(&out, &out_size);
	e = open_memstream(&err, &err_size);
	{
		const char *sets[] = { "agents.w_g=-2" };
		rc = ur_scenario_check(path, sets, 1, o, e);
	}
	fclose(o);
	fclose(e);
	assert_int_equal(rc, 64);
	assert_int_equal(out_size, 0);
	assert_string_equal(err, "--set agents.w_g=-2: agents.w_g: must be >= 0, got -2.0\n");
	free(out);
	free(err);
}

static void test_buffer_refuses_base(void **state)
{
	struct ur_diag diag;
	enum ur_scenario_status status;
	const char text[] = "base = \"kazakhstan-2022.cfg\";\n";
	struct ur_scenario *sc;

	(void)state;
	ur_diag_init(&diag, 0);
	sc = ur_scenario_load_buffer("mem.cfg", text, sizeof text - 1, NULL, 0, &diag, &status);
	assert_null(sc);
	assert_int_equal(status, UR_SCENARIO_BAD_INPUT);
	assert_int_equal(ur_diag_count(&diag), 1);
	assert_string_equal(ur_diag_message(&diag, 0),
			    "mem.cfg:1: base: cannot be followed from memory, got \"kazakhstan-2022.cfg\"");
	ur_diag_finish(&diag);
}

static void test_wide_integer_literals(void **state)
{
	/* libconfig 1.5 keeps only the low 32 bits of 3000000000; the loader reads the
	 * literal's true value where a 64-bit integer or a real is expected. */
	static const char too_many[] =
		SMALL_HEAD "csto = { contingents = ( { country = \"X\"; troops = 3000000000; } ); };\n";
	static const char wide[] =
		"scenario = { name = \"w\"; start = \"2022-01-01T00:00:00Z\";\n"
		"  seed = 9223372036854775807; };\n"
		"regions = ( { id = \"A\"; name = \"A\"; population = 3000000000; lat = 0.0;\n"
		"  lon = 0.0; police = 1.0; } );\n"
		"damage = { per_active_hour = 4000000000; };\n";
	struct ur_diag diag;
	enum ur_scenario_status status;
	struct ur_scenario *sc;
	const struct ur_params *p;

	(void)state;
	/* troops must be <= 1e7: the true value is refused, not a wrapped one */
	ur_diag_init(&diag, 0);
	sc = ur_scenario_load_buffer("mem.cfg", too_many, strlen(too_many), NULL, 0, &diag,
				     &status);
	assert_null(sc);
	assert_int_equal(ur_diag_count(&diag), 1);
	assert_string_equal(ur_diag_message(&diag, 0),
			    "mem.cfg:7: csto.contingents.[0].troops: must be <= 10000000, "
			    "got 3000000000");
	ur_diag_finish(&diag);

	sc = load_text(wide, &status);
	assert_non_null(sc);
	p = ur_scenario_params(sc);
	assert_true(p->scenario.seed == 9223372036854775807ull);
	assert_true(p->regions[0].population == 3000000000);
	assert_real_equal(p->damage.usd_per_active_hour, 4e9, 0.0);
	/* and they print so that libconfig reads them whole */
	assert_non_null(strstr(ur_scenario_text(sc), "seed = 9223372036854775807L;"));
	assert_non_null(strstr(ur_scenario_text(sc), "population = 3000000000L;"));
	ur_scenario_destroy(sc);
}

static void test_diag_limit(void **state)
{
	char text[4096];
	size_t used;
	struct ur_diag diag;
	enum ur_scenario_status status;
	struct ur_scenario *sc;

	(void)state;
	used = (size_t)snprintf(text, sizeof text, "%s network = {\n", small);
	for (int i = 0; i < 8; i++)
		used += (size_t)snprintf(text + used, sizeof text - used, "  bad%d = 1;\n", i);
	snprintf(text + used, sizeof text - used, "};\n");
	ur_diag_init(&diag, 5);
	sc = ur_scenario_load_buffer("mem.cfg", text, strlen(text), NULL, 0, &diag, &status);
	assert_null(sc);
	assert_int_equal(ur_diag_count(&diag), 6);
	assert_int_equal(diag.total, 8);
	assert_string_equal(ur_diag_message(&diag, 5), "mem.cfg: 3 more errors not shown");
	ur_diag_finish(&diag);
	ur_diag_finish(NULL); /* a no-op */
	ur_scenario_destroy(NULL);
}

static void test_hash_is_identity(void **state)
{
	enum ur_scenario_status status;
	struct ur_scenario *x = load_text(small, &status), *y = load_text(small, &status), *z;
	char changed[sizeof small + 32];

	(void)state;
	assert_non_null(x);
	assert_non_null(y);
	assert_true(ur_scenario_hash(x) == ur_scenario_hash(y));
	/* comments and spacing do not count; values do */
	snprintf(changed, sizeof changed, "# a comment\n%s", small);
	z = load_text(changed, &status);
	assert_non_null(z);
	assert_true(ur_scenario_hash(z) == ur_scenario_hash(x));
	ur_scenario_destroy(z);
	snprintf(changed, sizeof changed, "%s%s", small, "agents = { k = 2.4; };\n");
	z = load_text(changed, &status);
	assert_non_null(z);
	assert_true(ur_scenario_hash(z) != ur_scenario_hash(x));
	ur_scenario_destroy(x);
	ur_scenario_destroy(y);
	ur_scenario_destroy(z);
}

/* What editors write that libconfig 1.5 alone refuses: a UTF-8 byte-order mark at the
 * start, and a last line that is a comment with no line end. Both load, from a file
 * and from memory, as the same scenario as the plain text. */
static void test_editor_quirks_accepted(void **state)
{
	struct args *a = *state;
	enum ur_scenario_status status;
	struct ur_scenario *plain = load_text(small, &status), *quirky;
	char text[sizeof small + 64];
	char *msgs = NULL;

	assert_non_null(plain);
	snprintf(text, sizeof text, "\xEF\xBB\xBF%s# the last line, with no line end", small);
	quirky = load_text(text, &status);
	assert_non_null(quirky);
	assert_true(ur_scenario_hash(quirky) == ur_scenario_hash(plain));
	ur_scenario_destroy(quirky);

	write_file(a->tmpdir, "quirky.cfg", text);
	quirky = load_in(a->tmpdir, "quirky.cfg", NULL, 0, &status, &msgs);
	if (!quirky)
		fail_msg("%s", msgs);
	assert_true(ur_scenario_hash(quirky) == ur_scenario_hash(plain));
	ur_scenario_destroy(quirky);
	free(msgs);

	/* A mark anywhere else is not a mark but a syntax error, with its line. */
	snprintf(text, sizeof text, "%s\xEF\xBB\xBF", small);
	write_file(a->tmpdir, "quirky.cfg", text);
	quirky = load_in(a->tmpdir, "quirky.cfg", NULL, 0, &status, &msgs);
	assert_null(quirky);
	assert_int_equal(status, UR_SCENARIO_BAD_INPUT);
	free(msgs);
	ur_scenario_destroy(plain);
}

/* The adjust, cash_transfer and curfew kinds and price steps as the loader reads
 * them. */
static void test_new_action_kinds_load(void **state)
{
	static const char text[] = SMALL_HEAD
		"fuel = { gamma = 0.5; steps = ( { at = 1.0; ratio = 3.0; regions = [ \"B\" ]; } ); };\n"
		"government = { actions = (\n"
		"  { id = \"arrests\"; kind = \"adjust\"; at = 2.0; setting = \"arrests.probability\";"
		" op = \"multiply\"; value = 4.0; duration = { dist = \"constant\"; value = 9.0; }; },\n"
		"  { id = \"cash\"; kind = \"cash_transfer\"; at = 3.0; amount = 0.25;"
		" regions = [ \"A\" ]; reach = { dist = \"exponential\"; mean = 6.0; }; },\n"
		"  { id = \"night\"; kind = \"curfew\"; at = 4.0; from = 21.0; to = 5.5;"
		" risk_multiplier = 1.5; reconsider_multiplier = 0.6; },\n"
		"  { id = \"rb\"; kind = \"price_rollback\"; at = 5.0; ratio = 1.5;"
		" regions = [ \"B\" ]; }\n"
		"); };\n";
	enum ur_scenario_status status;
	struct ur_scenario *sc = load_text(text, &status);

	(void)state;
	assert_non_null(sc);
	const struct ur_params *p = ur_scenario_params(sc);
	assert_real_equal(p->fuel.gamma, 0.5, 0.0);
	assert_int_equal(p->fuel.nsteps, 1);
	assert_real_equal(p->fuel.steps[0].ratio, 3.0, 0.0);
	assert_int_equal(p->fuel.steps[0].regions.n, 1);
	assert_int_equal(p->fuel.steps[0].regions.idx[0], 1);
	const struct ur_action *a = &p->government.actions[0];
	assert_int_equal(a->kind, UR_ACTION_ADJUST);
	assert_string_equal(a->setting, "arrests.probability");
	assert_int_equal(a->op, UR_ADJUST_MULTIPLY);
	assert_real_equal(a->value, 4.0, 0.0);
	assert_true(a->has_duration);
	a = &p->government.actions[1];
	assert_int_equal(a->kind, UR_ACTION_CASH_TRANSFER);
	assert_real_equal(a->amount, 0.25, 0.0);
	assert_int_equal(a->reach_h.family, UR_DIST_EXPONENTIAL);
	assert_int_equal(a->regions.n, 1);
	a = &p->government.actions[2];
	assert_int_equal(a->kind, UR_ACTION_CURFEW);
	assert_real_equal(a->from_hour, 21.0, 0.0);
	assert_real_equal(a->to_hour, 5.5, 0.0);
	assert_real_equal(a->risk_multiplier, 1.5, 0.0);
	assert_false(a->has_duration);
	assert_real_equal(p->government.actions[3].ratio, 1.5, 0.0);
	ur_scenario_destroy(sc);
}

static void test_defaults_fill_params(void **state)
{
	enum ur_scenario_status status;
	struct ur_scenario *sc = load_text(small, &status);
	const struct ur_params *p;

	(void)state;
	assert_non_null(sc);
	p = ur_scenario_params(sc);
	assert_real_equal(p->scenario.horizon_h, 504.0, 0.0);
	assert_real_equal(p->agents.k, 2.3, 0.0);
	assert_true(isnan(p->regions[0].eta));
	assert_real_equal(ur_region_eta(p, 0), p->agents.eta, 0.0);
	assert_int_equal(p->fuel.nsteps, 0);
	assert_real_equal(p->fuel.gamma, 1.0, 0.0);
	assert_int_equal(p->outcomes.capital, 0);
	assert_int_equal(p->elite.region, UR_NONE);
	assert_int_equal(p->government.actions[0].trigger.kind, UR_TRIGGER_AT);
	assert_int_equal(p->government.actions[1].trigger.kind, UR_TRIGGER_AFTER);
	assert_int_equal(p->government.actions[1].trigger.after, 0);
	assert_false(p->government.actions[1].regions.all);
	assert_int_equal(p->government.actions[1].regions.n, 1);
	assert_int_equal(p->government.actions[1].regions.idx[0], 1);
	assert_int_equal(p->agents.threshold.family, UR_DIST_CONSTANT);
	assert_true(p->output.summary && p->output.national && p->output.timeseries);
	ur_scenario_destroy(sc);
}

static void test_numbers_ignore_the_locale(void **state)
{
	/* A program that switched to a locale with decimal commas still reads and
	 * prints '.' decimals. Skipped where no such locale is installed. */
	static const char *const names[] = { "de_DE.UTF-8", "fr_FR.UTF-8", "ru_RU.UTF-8" };
	locale_t comma = (locale_t)0, old;
	enum ur_scenario_status status;
	struct ur_scenario *sc;
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0] && !comma; i++)
		comma = newlocale(LC_ALL_MASK, names[i], (locale_t)0);
	if (!comma)
		skip();
	old = uselocale(comma);
	snprintf(buf, sizeof buf, "%.1f", 0.5);
	assert_string_equal(buf, "0,5"); /* the locale is in force */
	sc = load_text(SMALL_HEAD "agents = { k = 2.5; };\n", &status);
	assert_non_null(sc);
	assert_real_equal(ur_scenario_params(sc)->agents.k, 2.5, 0.0);
	assert_non_null(strstr(ur_scenario_text(sc), "k = 2.5;"));
	snprintf(buf, sizeof buf, "%.1f", 0.5);
	assert_string_equal(buf, "0,5"); /* and is in force again after the load */
	ur_scenario_destroy(sc);
	uselocale(old);
	freelocale(comma);
}

/* ---- time --------------------------------------------------------------------------- */

static void test_time_parse(void **state)
{
	int64_t epoch;
	int32_t offset;
	static const char *const bad[] = {
		"2022-01-01T00:00:00",        /* no offset */
		"2022-01-01 00:00:00+06:00",  /* no T */
		"2022-02-29T00:00:00Z",       /* 2022 is not a leap year */
		"2022-13-01T00:00:00Z",
		"2022-01-01T24:00:00Z",
		"2022-01-01T00:00:00+19:00",
		"2022-01-01T00:00:00+0600",
		"2022-01-01T00:00:00Zjunk",
		"",
	};

	(void)state;
	assert_int_equal(ur_time_parse("2022-01-01T00:00:00+06:00", &epoch, &offset), 0);
	assert_true(epoch == 1640973600);
	assert_int_equal(offset, 21600);
	assert_int_equal(ur_time_parse("2022-01-01T00:00Z", &epoch, &offset), 0);
	assert_true(epoch == 1640995200);
	assert_int_equal(offset, 0);
	assert_int_equal(ur_time_parse("1969-12-31T20:30:00-03:30", &epoch, &offset), 0);
	assert_true(epoch == 0);
	assert_int_equal(offset, -12600);
	assert_int_equal(ur_time_parse("2024-02-29T12:00:00+05:00", &epoch, &offset), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ur_time_parse(bad[i], &epoch, &offset) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void test_time_format(void **state)
{
	struct ur_scenario_params sp = { 0 };
	char buf[UR_TIME_TEXT_SIZE];

	(void)state;
	assert_int_equal(ur_time_parse("2022-01-01T00:00:00+06:00", &sp.start_epoch,
				       &sp.utc_offset_s), 0);
	/* the record: the security council changed hands at hour 115, 5 Jan 19:00 */
	assert_string_equal(ur_time_format(&sp, 115.0, buf), "2022-01-05T19:00:00+06:00");
	assert_string_equal(ur_time_format(&sp, 0.0, buf), "2022-01-01T00:00:00+06:00");
	assert_string_equal(ur_time_format(&sp, 97.5, buf), "2022-01-05T01:30:00+06:00");
	assert_string_equal(ur_time_format(&sp, -0.5, buf), "2021-12-31T23:30:00+06:00");
	/* rounded to the nearest second */
	assert_string_equal(ur_time_format(&sp, 1.0 / 3600.0 * 0.6, buf),
			    "2022-01-01T00:00:01+06:00");
	assert_string_equal(ur_time_format(&sp, 504.0, buf), "2022-01-22T00:00:00+06:00");
	assert_int_equal(ur_time_parse("2022-01-01T00:00:00-05:30", &sp.start_epoch,
				       &sp.utc_offset_s), 0);
	assert_string_equal(ur_time_format(&sp, 24.0 * 59, buf), "2022-03-01T00:00:00-05:30");
}

/* ---- the reference page ------------------------------------------------------------- */

#define BEGIN_MARK "<!-- BEGIN SCHEMA -->\n"
#define END_MARK "<!-- END SCHEMA -->"

static void test_reference_page_matches_schema(void **state)
{
	struct args *a = *state;
	char *doc = slurp(a->reference), *gen = NULL, *begin, *end;
	size_t size = 0;
	FILE *f = open_memstream(&gen, &size);

	assert_non_null(doc);
	assert_non_null(f);
	assert_int_equal(ur_params_write_reference(f), 0);
	fclose(f);
	begin = strstr(doc, BEGIN_MARK);
	end = strstr(doc, END_MARK);
	assert_non_null(begin);
	assert_non_null(end);
	begin += strlen(BEGIN_MARK);
	*end = '\0';
	if (strcmp(begin, gen) != 0)
		fail_msg("%s is out of date: regenerate the part between its markers with "
			 "`scenario-tool reference`", a->reference);
	free(doc);
	free(gen);
}

/* ur_params_defaults (sim/params, what the model's tests start from) gives what the
 * loader gives a file that sets only the required settings, byte for byte. */
static void test_params_defaults_equal_loader(void **state)
{
	static const char text[] =
		"scenario = { name = \"d\"; start = \"2022-01-01T00:00:00+06:00\"; };\n"
		"regions = ( { id = \"R\"; name = \"R\"; population = 1000; lat = 1.5; "
		"lon = 2.5; police = 10.0; } );\n";
	enum ur_scenario_status status;
	struct ur_scenario *sc = load_text(text, &status);
	struct ur_params *p = malloc(sizeof *p);

	(void)state;
	assert_non_null(sc);
	assert_non_null(p);
	ur_params_defaults(p);
	assert_int_equal(p->nregions, 0);
	assert_true(p->government.nactions == 0);
	snprintf(p->scenario.name, sizeof p->scenario.name, "d");
	snprintf(p->scenario.start_text, sizeof p->scenario.start_text,
		 "2022-01-01T00:00:00+06:00");
	assert_int_equal(ur_time_parse(p->scenario.start_text, &p->scenario.start_epoch,
				       &p->scenario.utc_offset_s), 0);
	struct ur_region *r = ur_params_add(p, "regions");
	assert_non_null(r);
	assert_int_equal(p->nregions, 1);
	snprintf(r->id, sizeof r->id, "R");
	snprintf(r->name, sizeof r->name, "R");
	r->population = 1000;
	r->lat = 1.5;
	r->lon = 2.5;
	r->police = 10.0;
	p->outcomes.capital = 0; /* the first region, once there is one */
	assert_int_equal(ur_params_set(p, "agents.w_s=0.5"), 0);
	assert_int_equal(ur_params_set(p, "agents.w_s=0"), 0);
	assert_int_equal(ur_params_set(p, "agents.w_s=-1"), -1);
	assert_int_equal(ur_params_check_across(p, NULL, NULL), 0);
	char *printed = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&printed, &len);
	assert_non_null(f);
	assert_int_equal(ur_params_write(p, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(printed, ur_scenario_text(sc));
	free(printed);
	free(p);
	ur_scenario_destroy(sc);
}

/* Base files chain up to UR_MAX_BASE_DEPTH (16) files under the scenario; a 17th is
 * refused with a message naming the limit. */
static void test_base_depth_limit(void **state)
{
	struct args *a = *state;
	char dir[96], path[256];
	snprintf(dir, sizeof dir, "%s/depth", a->tmpdir);
	assert_int_equal(mkdir(dir, 0777), 0);
	for (int i = 0; i <= UR_MAX_BASE_DEPTH + 1; i++) {
		snprintf(path, sizeof path, "%s/f%d.cfg", dir, i);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		if (i == 0)
			fputs(small, f);
		else
			fprintf(f, "base = \"f%d.cfg\";\nagents = { w_s = 0.%d; };\n", i - 1, i);
		assert_int_equal(fclose(f), 0);
	}
	struct ur_diag diag;
	enum ur_scenario_status status;
	ur_diag_init(&diag, 20);
	snprintf(path, sizeof path, "%s/f%d.cfg", dir, UR_MAX_BASE_DEPTH);
	struct ur_scenario *sc = ur_scenario_load(path, NULL, 0, &diag, &status);
	assert_non_null(sc);
	assert_real_equal(ur_scenario_params(sc)->agents.w_s, 0.16, 0.0);
	ur_scenario_destroy(sc);
	snprintf(path, sizeof path, "%s/f%d.cfg", dir, UR_MAX_BASE_DEPTH + 1);
	sc = ur_scenario_load(path, NULL, 0, &diag, &status);
	assert_null(sc);
	assert_int_equal(status, UR_SCENARIO_BAD_INPUT);
	assert_int_equal(ur_diag_count(&diag), 1);
	snprintf(path, sizeof path,
		 "%s/f1.cfg:1: base: must end within 16 base files of the scenario, got a 17th",
		 dir);
	assert_string_equal(ur_diag_message(&diag, 0), path);
	ur_diag_finish(&diag);
}

/* ---- derived scenarios ---------------------------------------------------------------- */

/* Every message of a diag, one a line, in a malloc'd string. */
static char *diag_text(const struct ur_diag *diag)
{
	size_t n = 1;
	for (size_t i = 0; i < ur_diag_count(diag); i++)
		n += strlen(ur_diag_message(diag, i)) + 1;
	char *t = calloc(1, n);
	assert_non_null(t);
	for (size_t i = 0; i < ur_diag_count(diag); i++) {
		strcat(t, ur_diag_message(diag, i));
		strcat(t, "\n");
	}
	return t;
}

/* A derived scenario (fast path, and the exact one on the tree) is what loading the
 * file again with the same overrides gives: the same status, messages and printout. */
static void test_derive_matches_reload(void **state)
{
	struct args *a = *state;
	const char *path = find_shipped(a, "/kazakhstan-2022-early-rollback.cfg");
	/* Without the reference's posterior: the cases move settings it draws, which a
	 * --set of a scenario with the posterior may not. */
	static const char *const base_sets[] = { "scenario.replications=7",
						 "government.actions.[blackout].probability=0.5",
						 "scenario.posterior=\"\"" };
	static const char *const cases[][3] = {
		/* accepted by the fast path */
		{ "agents.w_s=0.25" }, { "scenario.horizon=100" }, { "scenario.seed=12345" },
		{ "scenario.replications=3" }, { "agents.stratified=true" },
		{ "output.events=\"major\"" }, { "output.events=none" },
		{ "regions.[ALA].population=2000000" }, { "regions.[7].police=1234.5" },
		{ "regions.[MAN].eta=0.3" }, { "regions.[MAN].name=\"Mangystau oblast\"" },
		{ "government.actions.[csto_request].delay.median=12" },
		{ "government.actions.[csto_request].delay.sigma=0.9" },
		{ "government.actions.[lethal_force].lethality=5" },
		{ "government.actions.[throttle].state=off" },
		{ "government.edits.[0].probability=0.5" },
		{ "government.edits.[0].delay.max=12" },
		{ "agents.threshold.sigma=1.1" }, { "elite.delay.median=4" },
		{ "csto.contingents.[Russia].troops=3000" },
		{ "fuel.steps.[0].ratio=3" },
		{ "agents.w_s=0.1", "agents.w_n=2", "network.mu=0.4" },
		/* a `when` trigger's threshold and hold (a calibration's priors, a
		 * posterior's columns) */
		{ "government.actions.[soe_man_ala].when.value=12000" },
		{ "government.actions.[soe_man_ala].when.hold=3" },
		{ "government.actions.[soe_nur].when.value=200",
		  "government.actions.[throttle].when.hold=30" },
		/* refused (by ur_params_set, or by the checks across settings after it), or
		 * left to the tree, with the loader's messages */
		{ "agents.w_s=-1" }, { "agents.w_s=abc" }, { "agents.nope=1" },
		{ "scenario.replications=5000000" }, { "scenario.horizon=1e300" },
		{ "scenario.sample_interval=1e-300" },
		{ "regions.[XXX].police=1" }, { "regions.[99].police=1" },
		{ "government.actions.[csto_request].kind=envoys" },
		{ "government.actions.[csto_request].at=5" },
		{ "government.actions.[dismiss].when.value=5" },
		{ "government.actions.[soe_man_ala].when.value=-1" },
		{ "government.actions.[soe_man_ala].when.region=ALR" },
		{ "government.actions.[csto_request].state=off" },
		{ "government.actions.[csto_request].delay.mu=1" },
		{ "government.actions.[csto_request].delay.dist=constant" },
		{ "government.actions.[csto_request].delay.value=3" },
		{ "government.actions.[envoys_man].duration.value=3" },
		{ "government.edits.[x].at=1" },
		{ "elite.region=NUR" }, { "outcomes.capital=NUR" },
		{ "regions.[ALA].id=ALX" },
		{ "internet.off_level=0.9" }, { "government.actions.[rollback_national].ratio=3" },
		{ "government.actions.[rollback_man].ratio=2.5" },
		{ "scenario.agent_scale=1", "regions.[ALA].population=9000000000" },
		{ "elite.probability=0.5", "agents.w_s=2" },
		{ "scenario.name=\"tab\there\"" },
	};

	const size_t nfast = 25; /* the cases ur_params_set takes itself */

	assert_non_null(path);
	struct ur_diag diag;
	enum ur_scenario_status status;
	ur_diag_init(&diag, 20);
	struct ur_scenario *base = ur_scenario_load(path, base_sets, 3, &diag, &status);
	assert_non_null(base);
	ur_diag_finish(&diag);
	struct ur_params *copy = malloc(sizeof *copy);
	assert_non_null(copy);
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		int taken = 0;
		*copy = *ur_scenario_params(base);
		for (size_t i = 0; i < 3 && cases[c][i]; i++)
			taken |= ur_params_set(copy, cases[c][i]);
		if (c < nfast && taken != 0)
			fail_msg("ur_params_set declines %s", cases[c][0]);
	}
	free(copy);
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const char *sets[6] = { base_sets[0], base_sets[1], base_sets[2] };
		size_t n = 0;
		while (n < 3 && cases[c][n])
			n++;
		for (size_t i = 0; i < n; i++)
			sets[3 + i] = cases[c][i];

		struct ur_diag d_load, d_fast, d_exact;
		enum ur_scenario_status s_load, s_fast, s_exact;
		ur_diag_init(&d_load, 20);
		ur_diag_init(&d_fast, 20);
		ur_diag_init(&d_exact, 20);
		struct ur_scenario *load = ur_scenario_load(path, sets, 3 + n, &d_load, &s_load);
		struct ur_scenario *fast = ur_scenario_derive(base, cases[c], n, 0, &d_fast,
							      &s_fast);
		struct ur_scenario *exact = ur_scenario_derive(base, cases[c], n, UR_DERIVE_EXACT,
							       &d_exact, &s_exact);
		char *m_load = diag_text(&d_load), *m_fast = diag_text(&d_fast),
		     *m_exact = diag_text(&d_exact);
		if (s_load != s_fast || s_load != s_exact || strcmp(m_load, m_fast) != 0 ||
		    strcmp(m_load, m_exact) != 0)
			fail_msg("%s: reload %d\n%s, derived %d\n%s, exact %d\n%s", cases[c][0],
				 (int)s_load, m_load, (int)s_fast, m_fast, (int)s_exact, m_exact);
		if (load) {
			assert_non_null(fast);
			assert_non_null(exact);
			assert_string_equal(ur_scenario_text(load), ur_scenario_text(fast));
			assert_string_equal(ur_scenario_text(load), ur_scenario_text(exact));
			assert_true(ur_scenario_hash(load) == ur_scenario_hash(fast));
		}
		free(m_load);
		free(m_fast);
		free(m_exact);
		ur_scenario_destroy(load);
		ur_scenario_destroy(fast);
		ur_scenario_destroy(exact);
		ur_diag_finish(&d_load);
		ur_diag_finish(&d_fast);
		ur_diag_finish(&d_exact);
	}
	ur_scenario_destroy(base);
}

/* A derived scenario reads no file: the base's files may be gone. */
static void test_derive_reads_no_file(void **state)
{
	struct args *a = *state;
	char dir[96], top[128], bottom[128];
	snprintf(dir, sizeof dir, "%s/derive", a->tmpdir);
	assert_int_equal(mkdir(dir, 0777), 0);
	snprintf(bottom, sizeof bottom, "%s/bottom.cfg", dir);
	snprintf(top, sizeof top, "%s/top.cfg", dir);
	FILE *f = fopen(bottom, "w");
	assert_non_null(f);
	fputs(small, f);
	assert_int_equal(fclose(f), 0);
	f = fopen(top, "w");
	assert_non_null(f);
	fputs("base = \"bottom.cfg\";\nagents = { w_s = 0.5; };\n", f);
	assert_int_equal(fclose(f), 0);

	struct ur_diag diag;
	enum ur_scenario_status status;
	ur_diag_init(&diag, 20);
	struct ur_scenario *base = ur_scenario_load(top, NULL, 0, &diag, &status);
	assert_non_null(base);
	assert_int_equal(unlink(top), 0);
	assert_int_equal(unlink(bottom), 0);
	assert_int_equal(rmdir(dir), 0);
	const char *ok[] = { "agents.w_s=0.75" };
	const char *bad[] = { "agents.w_s=-1" };
	for (unsigned flags = 0; flags <= UR_DERIVE_EXACT; flags++) {
		struct ur_scenario *d = ur_scenario_derive(base, ok, 1, flags, &diag, &status);
		if (!d)
			fail_msg("flags %u: status %d, %s", flags, (int)status,
				 ur_diag_count(&diag) ? ur_diag_message(&diag, 0) : "");
		assert_real_equal(ur_scenario_params(d)->agents.w_s, 0.75, 0.0);
		ur_scenario_destroy(d);
		d = ur_scenario_derive(base, bad, 1, flags, &diag, &status);
		assert_null(d);
		assert_int_equal(status, UR_SCENARIO_USAGE);
	}
	assert_int_equal(ur_diag_count(&diag), 2);
	assert_string_equal(ur_diag_message(&diag, 0),
			    "--set agents.w_s=-1: agents.w_s: must be >= 0, got -1.0");
	ur_diag_finish(&diag);
	ur_scenario_destroy(base);
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	int rc;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_bad_corpus, &a),
		cmocka_unit_test(test_new_action_kinds_load),
		cmocka_unit_test_prestate(test_shipped_scenarios_load, &a),
		cmocka_unit_test_prestate(test_shipped_round_trip, &a),
		cmocka_unit_test_prestate(test_reference_scenario_content, &a),
		cmocka_unit_test_prestate(test_inheritance_merges_groups_replaces_lists, &a),
		cmocka_unit_test_prestate(test_inheritance_errors_name_their_file, &a),
		cmocka_unit_test_prestate(test_record_resolved_against_its_file, &a),
		cmocka_unit_test_prestate(test_set_applies_typed_values, &a),
		cmocka_unit_test_prestate(test_set_by_id_survives_reordering, &a),
		cmocka_unit_test_prestate(test_set_usage_errors_have_status_64, &a),
		cmocka_unit_test_prestate(test_missing_file_status_66, &a),
		cmocka_unit_test_prestate(test_check_prints_and_returns_status, &a),
		cmocka_unit_test(test_buffer_refuses_base),
		cmocka_unit_test(test_wide_integer_literals),
		cmocka_unit_test(test_diag_limit),
		cmocka_unit_test(test_hash_is_identity),
		cmocka_unit_test_prestate(test_editor_quirks_accepted, &a),
		cmocka_unit_test(test_defaults_fill_params),
		cmocka_unit_test(test_numbers_ignore_the_locale),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test_prestate(test_reference_page_matches_schema, &a),
		cmocka_unit_test(test_params_defaults_equal_loader),
		cmocka_unit_test_prestate(test_base_depth_limit, &a),
		cmocka_unit_test_prestate(test_derive_matches_reload, &a),
		cmocka_unit_test_prestate(test_derive_reads_no_file, &a),
	};

	if (argc < 4) {
		fprintf(stderr, "usage: %s BAD_DIR REFERENCE.md SCENARIO...\n", argv[0]);
		return 64;
	}
	a.bad_dir = argv[1];
	a.reference = argv[2];
	a.shipped = argv + 3;
	a.nshipped = argc - 3;
	snprintf(a.tmpdir, sizeof a.tmpdir, "/tmp/unrest-scenario-XXXXXX");
	if (!mkdtemp(a.tmpdir)) {
		perror("mkdtemp");
		return 70;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	remove_tmpdir(a.tmpdir);
	return rc;
}
