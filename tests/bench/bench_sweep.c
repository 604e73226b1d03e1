/*
 * bench_sweep.c: how fast a sweep's points are checked.
 *
 *   bench_sweep SCENARIO [POINTS]...        (default: 10000 1000000)
 *
 * For each POINTS, writes a grid sweep over SCENARIO (the reference scenario in the
 * meson benchmark) of two dimensions, agents.w_s and
 * government.actions.[csto_request].delay.median, with about sqrt(POINTS) values each,
 * one replication, and times ur_sweep_load: reading the sweep file and the scenario
 * once, building the design and the sweep's text, and checking every point (the
 * point's values applied to a copy of the scenario's params through the schema, then
 * the checks between settings). Then it times ur_sweep_point_scenario alone, what a
 * worker does when it takes up a point. Prints one CSV row per POINTS on stdout:
 *   points, load_s, us_per_point_load, derive_us_per_point
 * Before sweeps read their files once, loading took about 1 ms a point (a reload and
 * a printout of the scenario per point).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unrest/scenario.h"
#include "unrest/sweep.h"

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A grid sweep of a x b points in dir/bench.cfg; its path. */
static char *write_sweep(const char *dir, const char *scenario, size_t a, size_t b)
{
	size_t n = strlen(dir) + 16;
	char *path = malloc(n);
	if (!path)
		return NULL;
	snprintf(path, n, "%s/bench.cfg", dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		free(path);
		return NULL;
	}
	fprintf(f, "scenario = \"%s\";\nreplications = 1;\nseed = 1;\ndesign = \"grid\";\n"
		"parameters = (\n  { path = \"agents.w_s\"; values = [", scenario);
	for (size_t i = 0; i < a; i++)
		fprintf(f, "%s%.17e", i ? ", " : " ", (double)i / (double)a);
	fputs(" ]; },\n  { path = \"government.actions.[csto_request].delay.median\"; "
	      "values = [", f);
	for (size_t i = 0; i < b; i++)
		fprintf(f, "%s%.17e", i ? ", " : " ", 1.0 + 47.0 * (double)i / (double)b);
	fputs(" ]; }\n);\n", f);
	if (fclose(f) != 0) {
		free(path);
		return NULL;
	}
	return path;
}

static int bench(const char *dir, const char *scenario, size_t points)
{
	size_t a = (size_t)ceil(sqrt((double)points));
	size_t b = (points + a - 1) / a;
	char *path = write_sweep(dir, scenario, a, b);
	if (!path)
		return -1;
	struct ur_diag diag;
	ur_diag_init(&diag, 5);
	enum ur_scenario_status st;
	double t0 = seconds();
	struct ur_sweep *sw = ur_sweep_load(path, &diag, &st);
	double load_s = seconds() - t0;
	if (!sw) {
		ur_diag_print(&diag, stderr);
		ur_diag_finish(&diag);
		remove(path);
		free(path);
		return -1;
	}
	size_t n = ur_sweep_points(sw), taken = n < 100000 ? n : 100000;
	t0 = seconds();
	for (size_t i = 0; i < taken; i++) {
		struct ur_scenario *sc = ur_sweep_point_scenario(sw, i * (n / taken), &diag, &st);
		if (!sc) {
			ur_diag_print(&diag, stderr);
			break;
		}
		ur_scenario_destroy(sc);
	}
	double derive_s = seconds() - t0;
	printf("%zu,%.3f,%.2f,%.2f\n", n, load_s, load_s / (double)n * 1e6,
	       derive_s / (double)taken * 1e6);
	fflush(stdout);
	ur_sweep_destroy(sw);
	ur_diag_finish(&diag);
	remove(path);
	free(path);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: bench_sweep SCENARIO [POINTS]...\n", stderr);
		return 64;
	}
	char dir[] = "/tmp/bench-sweep-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 73;
	}
	char scenario[4096];
	if (argv[1][0] != '/' && getcwd(scenario, sizeof scenario))
		snprintf(scenario + strlen(scenario), sizeof scenario - strlen(scenario), "/%s",
			 argv[1]);
	else
		snprintf(scenario, sizeof scenario, "%s", argv[1]);
	puts("points,load_s,us_per_point_load,derive_us_per_point");
	int rc = 0;
	if (argc == 2) {
		rc |= bench(dir, scenario, 10000);
		rc |= bench(dir, scenario, 1000000);
	}
	for (int i = 2; i < argc; i++)
		rc |= bench(dir, scenario, (size_t)strtoull(argv[i], NULL, 10));
	rmdir(dir);
	return rc ? 70 : 0;
}
