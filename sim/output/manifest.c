/*
 * manifest.c: manifest.cfg, what made an output folder and how each unit ended.
 *
 * The manifest is libconfig text written by hand: only sim/conf/parse.c includes
 * libconfig.h (manifest_read.c reads the file back through sim/conf), and libconfig's
 * writer would also fix the layout (one list item per line, its own number formats)
 * that this file keeps stable for tools that diff manifests. The test suite reads the
 * result back with libconfig.
 *
 * Layout, one setting a line:
 *   program = "unrestsim";
 *   version = "0.1.0";
 *   command = "run";
 *   command_line = [ "unrestsim", "run", "x.cfg", "-j", "2" ];
 *   scenario = "x.cfg";
 *   scenario_hash = "0x...";
 *   posterior = "..."; posterior_checksum = "0x...";  (a scenario with a posterior)
 *   master_seed = "0x...";
 *   record = "/path/to/record.csv";       (when the scenario names one)
 *   record_hash = "0x...";
 *   regions_file = "/path/to/regions.csv";
 *   regions_hash = "0x...";
 *   files = [ "scenario.cfg", "summary.csv" ];
 *   units_total = 2;
 *   units_done = 1;
 *   units_failed = 1;
 *   units = (
 *     { replication = 0; seed = "0x..."; status = "done"; },
 *     { replication = 1; seed = "0x..."; status = "failed"; reason = "..."; }
 *   );
 * Seeds and hashes are strings in the format of ur_rng_seed_format, as summary.csv
 * writes them: a 64-bit value does not fit libconfig's signed 64-bit integers.
 */
#include "unrest/output.h"

#include <assert.h>
#include <inttypes.h>

#include "unrest/rng.h"

/* `name = "text";` and a newline. */
static void write_string_setting(FILE *f, const char *name, const char *text)
{
	fprintf(f, "%s = ", name);
	ur_config_string_write(f, text ? text : "");
	fputs(";\n", f);
}

static void write_seed_setting(FILE *f, const char *name, uint64_t seed)
{
	char text[UR_RNG_SEED_TEXT_SIZE];
	ur_rng_seed_format(seed, text);
	write_string_setting(f, name, text);
}

/* `name = [ "a", "b" ];` on one line, so that a tool can drop it with a line filter. */
static void write_string_array(FILE *f, const char *name, size_t n,
			       const char *const *items)
{
	fprintf(f, "%s = [", name);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : " ", f);
		ur_config_string_write(f, items[i] ? items[i] : "");
	}
	fputs(n ? " ];\n" : "];\n", f);
}

int ur_file_hash(const char *path, uint64_t *hash)
{
	FILE *f = fopen(path, "rb");
	unsigned char buf[8192];
	uint64_t h = 14695981039346656037ull;
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		for (size_t i = 0; i < n; i++) {
			h ^= buf[i];
			h *= 1099511628211ull;
		}
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return -1;
	*hash = h;
	return 0;
}

int ur_manifest_write(FILE *f, const struct ur_manifest *m)
{
	assert(f && m);
	assert(m->argc >= 0 && (m->argv || m->argc == 0));
	assert(m->files || m->nfiles == 0);
	assert(m->units || m->nunits == 0);

	size_t failed = 0;
	for (size_t i = 0; i < m->nunits; i++)
		failed += m->units[i].failed;

	/* Every write goes through the stream, whose error flag is checked once at the
	 * end: a write error is sticky in stdio. */
	write_string_setting(f, "program", "unrestsim");
	write_string_setting(f, "version", m->version);
	write_string_setting(f, "command", m->command);
	write_string_array(f, "command_line", (size_t)m->argc, m->argv);
	write_string_setting(f, "scenario", m->scenario);
	write_seed_setting(f, "scenario_hash", m->scenario_hash);
	if (m->posterior) {
		write_string_setting(f, "posterior", m->posterior);
		write_seed_setting(f, "posterior_checksum", m->posterior_checksum);
	}
	write_seed_setting(f, "master_seed", m->master_seed);
	if (m->record && *m->record) {
		write_string_setting(f, "record", m->record);
		write_seed_setting(f, "record_hash", m->record_hash);
	}
	if (m->regions_file && *m->regions_file) {
		write_string_setting(f, "regions_file", m->regions_file);
		write_seed_setting(f, "regions_hash", m->regions_hash);
	}
	write_string_array(f, "files", m->nfiles, m->files);
	/* Counts as 64-bit integers (the L suffix) when they do not fit libconfig's
	 * 32-bit int; a run's counts always fit. */
	fprintf(f, "units_total = %zu%s;\n", m->nunits, m->nunits > INT32_MAX ? "L" : "");
	fprintf(f, "units_done = %zu%s;\n", m->nunits - failed,
		m->nunits - failed > INT32_MAX ? "L" : "");
	fprintf(f, "units_failed = %zu%s;\n", failed, failed > INT32_MAX ? "L" : "");
	fputs("units = (", f);
	for (size_t i = 0; i < m->nunits; i++) {
		const struct ur_manifest_unit *u = &m->units[i];
		char seed[UR_RNG_SEED_TEXT_SIZE];
		ur_rng_seed_format(u->seed, seed);
		fputs(i ? ",\n  { " : "\n  { ", f);
		if (u->point >= 0)
			fprintf(f, "point = %ld%s; ", u->point, u->point > INT32_MAX ? "L" : "");
		fprintf(f, "replication = %" PRIu64 "%s; seed = \"%s\"; status = \"%s\";",
			u->replication, u->replication > INT32_MAX ? "L" : "", seed,
			u->failed ? "failed" : "done");
		if (u->failed) {
			fputs(" reason = ", f);
			ur_config_string_write(f, u->reason ? u->reason : "unknown");
			putc(';', f);
		}
		fputs(" }", f);
	}
	fputs(m->nunits ? "\n);\n" : ");\n", f);
	return ferror(f) ? -1 : 0;
}
