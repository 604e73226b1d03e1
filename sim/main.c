/*
 * main.c: the unrestsim command line.
 *
 * This is the only file that sees argv, calls exit(), installs signal handlers or a GSL
 * error handler: every layer below returns status codes and messages, and this file
 * turns them into diagnostics on stderr and sysexits(3) codes. Each subcommand names
 * the shared options it takes and declares only its own; parse_command_args parses
 * them all with getopt_long and validates every value before any work starts, so a
 * usage mistake never leaves output behind and gets the same message from every
 * command.
 */
/* realpath(3) is X/Open (the project defines only _POSIX_C_SOURCE): it names the
 * installed scenarios' folder without "bin/.." in listings and messages. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "unrest/calib.h"
#include "unrest/rng.h"
#include "unrest/run.h"
#include "unrest/scenario.h"
#include "unrest/sens.h"
#include "unrest/sweep.h"

#ifndef UNRESTSIM_VERSION
#define UNRESTSIM_VERSION "unknown"
#endif
/* Where `meson install` puts the shipped scenarios: the absolute path under the
 * configured prefix, and the same folder relative to the folder of the installed
 * program (empty when bindir or datadir lies outside the prefix). */
#ifndef UNRESTSIM_SCENARIO_DIR
#define UNRESTSIM_SCENARIO_DIR ""
#endif
#ifndef UNRESTSIM_SCENARIO_DIR_FROM_BINDIR
#define UNRESTSIM_SCENARIO_DIR_FROM_BINDIR ""
#endif

static const char usage_text[] =
	"Usage: unrestsim COMMAND [OPTION]...\n"
	"       unrestsim --help | --version\n"
	"\n"
	"A discrete-event simulator of civil unrest, state response and foreign\n"
	"intervention.\n"
	"\n"
	"Commands:\n"
	"%s"
	"\n"
	"Options:\n"
	"  -h, --help       print this help and exit\n"
	"  -V, --version    print the version and exit\n"
	"\n"
	"'unrestsim help COMMAND' (or 'unrestsim COMMAND --help') describes a command.\n"
	"A scenario is given as a file, or by name alone when it is installed or on\n"
	"UNRESTSIM_PATH ('unrestsim run kazakhstan-2022'; 'unrestsim scenarios' lists\n"
	"them). Exit status follows\n"
	"sysexits(3): 0 success, 64 usage, 65 bad scenario or data, 66 input missing,\n"
	"70 internal error, 73 cannot create output, 74 I/O error.\n"
	"See unrestsim(1).\n";

struct command {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
	const char *usage;   /* what COMMAND --help prints */
};

/* A usage error: the message, a pointer to the right --help, and EX_USAGE. command is
 * the subcommand ("run") or NULL for the program's own options. */
__attribute__((format(printf, 2, 3)))
static int usage_error(const char *command, const char *fmt, ...)
{
	const char *space = command ? " " : "";
	if (!command)
		command = "";
	va_list ap;
	fprintf(stderr, "unrestsim%s%s: ", space, command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'unrestsim%s%s --help'.\n", space, command);
	return EX_USAGE;
}

/* The usage error for what getopt_long refused: a missing value (':', with optstring
 * starting with ':'), a value given to a long option that takes none ("--help=x":
 * getopt_long reports it as '?' with optopt the option's code, as it does an unknown
 * short option), or an unknown option. options is the command's table. */
static int option_error(const char *command, int opt, char **argv,
			const struct option *options)
{
	const char *arg = argv[optind - 1];
	if (opt == ':')
		return usage_error(command, "option '%s' needs a value", arg);
	const char *eq = strchr(arg, '=');
	if (optopt && strncmp(arg, "--", 2) == 0 && eq) {
		for (const struct option *o = options; o->name; o++)
			if (o->has_arg == no_argument && o->val == optopt &&
			    strncmp(o->name, arg + 2, (size_t)(eq - arg - 2)) == 0)
				return usage_error(command, "option '--%s' takes no value, got '%s'",
						   o->name, arg);
	}
	if (optopt)
		return usage_error(command, "unknown option '-%c'", optopt);
	return usage_error(command, "unknown option '%s'", arg);
}

/* What --version prints, in the form of the GNU coding standards. */
static int print_version(void)
{
	printf("unrestsim %s\n"
	       "Copyright (c) 2026 The unrestsim authors.\n"
	       "License MIT: <https://opensource.org/licenses/MIT>.\n"
	       "This is free software: you are free to change and redistribute it.\n"
	       "There is NO WARRANTY, to the extent permitted by law.\n",
	       UNRESTSIM_VERSION);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* ---- finding a scenario by name ------------------------------------------------ */

/* The folders searched for a scenario named without a '/': each entry of
 * UNRESTSIM_PATH (colon-separated; empty entries are skipped), then the installed
 * scenarios, found relative to this program's own file first (an installed tree
 * moved or staged with DESTDIR still finds its own data), then at the configured
 * prefix. Folders that do not exist are left out; each folder appears once. */
struct search_path {
	size_t count;
	char **dirs;
};

/* Adds dir[0..len) unless it is empty, no folder, or already there. Out of memory,
 * the folder is left out (a look-up then reports what it searched). */
static void search_path_add(struct search_path *sp, const char *dir, size_t len)
{
	if (len == 0)
		return;
	char *copy = strndup(dir, len);
	struct stat st;
	if (!copy || stat(copy, &st) != 0 || !S_ISDIR(st.st_mode)) {
		free(copy);
		return;
	}
	for (size_t i = 0; i < sp->count; i++)
		if (strcmp(sp->dirs[i], copy) == 0) {
			free(copy);
			return;
		}
	char **more = realloc(sp->dirs, (sp->count + 1) * sizeof *more);
	if (!more) {
		free(copy);
		return;
	}
	sp->dirs = more;
	sp->dirs[sp->count++] = copy;
}

/* The installed folder's path with "." and ".." resolved, so that the folder found
 * beside the program and the one at the prefix compare equal when they are one. */
static void search_path_add_installed(struct search_path *sp, const char *dir)
{
	char *real = realpath(dir, NULL);
	if (real)
		search_path_add(sp, real, strlen(real));
	free(real);
}

static void search_path_init(struct search_path *sp)
{
	sp->count = 0;
	sp->dirs = NULL;
	const char *env = getenv("UNRESTSIM_PATH");
	while (env && *env) {
		const char *colon = strchr(env, ':');
		size_t len = colon ? (size_t)(colon - env) : strlen(env);
		search_path_add(sp, env, len);
		env = colon ? colon + 1 : NULL;
	}
	/* /proc/self/exe is Linux's; elsewhere the prefix alone is searched. */
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	const char *rel = UNRESTSIM_SCENARIO_DIR_FROM_BINDIR;
	if (n > 0 && rel[0] != '\0') {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash && (size_t)(slash - self) + 1 + strlen(rel) < sizeof self) {
			strcpy(slash + 1, rel);
			search_path_add_installed(sp, self);
		}
	}
	if (UNRESTSIM_SCENARIO_DIR[0] != '\0')
		search_path_add_installed(sp, UNRESTSIM_SCENARIO_DIR);
}

static void search_path_finish(struct search_path *sp)
{
	for (size_t i = 0; i < sp->count; i++)
		free(sp->dirs[i]);
	free(sp->dirs);
	sp->dirs = NULL;
	sp->count = 0;
}

/* dir/sub/name/suffix, malloc'd; NULL when out of memory. */
static char *path_join(const char *dir, const char *sub, const char *name,
		       const char *suffix)
{
	size_t len = strlen(dir) + strlen(sub) + strlen(name) + strlen(suffix) + 3;
	char *path = malloc(len);
	if (path)
		snprintf(path, len, "%s/%s%s%s%s", dir, sub, sub[0] ? "/" : "", name, suffix);
	return path;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The file that the scenario (or sweep) argument `name` of `command` names. A name
 * with a '/', or one that names a file (not a folder: out/ may well hold a folder
 * named as a scenario) in the current folder, is a path and is taken as it is (the
 * loader reports a missing file). Any other name is looked up in each folder of the
 * search path, as DIR/NAME then DIR/NAME.cfg; for a sweep (`sweeps` true), first in
 * DIR/sweeps. Returns a malloc'd path and EX_OK, or NULL with the exit status after
 * printing why. */
static char *find_scenario(const char *command, const char *name, bool sweeps, int *status)
{
	*status = EX_OK;
	char *path = NULL;
	struct stat st;
	if (name[0] == '\0' || strchr(name, '/') ||
	    (stat(name, &st) == 0 && !S_ISDIR(st.st_mode)) || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		if (!(path = strdup(name)))
			goto nomem;
		return path;
	}
	struct search_path sp;
	search_path_init(&sp);
	static const char *const suffixes[] = {"", ".cfg"};
	for (size_t d = 0; d < sp.count; d++) {
		for (int s = sweeps ? 0 : 1; s < 2; s++) {
			for (size_t k = 0; k < 2; k++) {
				path = path_join(sp.dirs[d], s == 0 ? "sweeps" : "", name,
						 suffixes[k]);
				if (!path) {
					search_path_finish(&sp);
					goto nomem;
				}
				if (is_file(path)) {
					search_path_finish(&sp);
					return path;
				}
				free(path);
				path = NULL;
			}
		}
	}
	fprintf(stderr, "unrestsim %s: %s: no such file, and no %s named so in ", command,
		name, sweeps ? "sweep" : "scenario");
	if (sp.count == 0)
		fputs("any folder (UNRESTSIM_PATH is unset or names no folder, and no scenarios "
		      "are installed)", stderr);
	for (size_t d = 0; d < sp.count; d++)
		fprintf(stderr, "%s%s", d ? ", " : "", sp.dirs[d]);
	fprintf(stderr, "\n'unrestsim scenarios' lists what is found.\n");
	search_path_finish(&sp);
	*status = EX_NOINPUT;
	return NULL;
nomem:
	fprintf(stderr, "unrestsim %s: out of memory\n", command);
	*status = EX_SOFTWARE;
	return NULL;
}

/* The signal that asked a sweep to stop (SIGTERM, SIGINT), 0 before one came. The one
 * mutable static of the program: a signal handler can reach nothing else. The sweep
 * looks at it every 0.1 s and does the work (a checkpoint) outside the handler. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int signo)
{
	stop_signal = signo;
}

/* SIGTERM and SIGINT set stop_signal once (the sweep commits and stops); a second one
 * kills. */
static void catch_stop_signals(void)
{
	struct sigaction stop_action = {.sa_handler = on_stop_signal,
					.sa_flags = (int)SA_RESETHAND};
	sigemptyset(&stop_action.sa_mask);
	sigaction(SIGTERM, &stop_action, NULL);
	sigaction(SIGINT, &stop_action, NULL);
}

/* ---- unrestsim run ------------------------------------------------------------- */

static const char run_usage_text[] =
	"Usage: unrestsim run FILE [-o DIR] [-r REPS] [-s SEED] [-j JOBS]\n"
	"                     [--reps FIRST[-LAST]] [--set PATH=VALUE]...\n"
	"                     [--progress SECONDS] [-q]\n"
	"\n"
	"Runs REPS replications of the scenario in FILE and writes their results to the\n"
	"folder DIR: summary.csv, national.csv, timeseries.csv, events.csv (those the\n"
	"scenario's output settings enable), scenario.cfg and manifest.cfg.\n"
	"Replication k is seeded from (SEED, k) alone: the files are the same, byte for\n"
	"byte, for any JOBS.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR          the output folder (default: out/NAME, NAME the\n"
	"                            file's name without .cfg); made if missing; an\n"
	"                            existing folder must be empty or hold an earlier\n"
	"                            unrestsim output, which is replaced\n"
	"  -r, --replications REPS   replications, 1 to 1000000\n"
	"                            (default: the scenario's scenario.replications)\n"
	"  -s, --seed SEED           master seed, 0 to 9223372036854775807, decimal or\n"
	"                            0x hex (default: the scenario's scenario.seed)\n"
	"  -j, --jobs JOBS           worker threads, 1 to 256 (default: 1)\n"
	"      --reps FIRST[-LAST]   run only replications FIRST to LAST (or FIRST alone)\n"
	"                            of the REPS, numbered from 0 as the rep column\n"
	"                            shows; their rows are those of the whole run, byte\n"
	"                            for byte\n"
	"      --set PATH=VALUE      override a setting of the scenario (repeatable)\n"
	"      --progress SECONDS    when stderr is not a terminal, a progress line\n"
	"                            every SECONDS (0.1 to 86400; default: none)\n"
	"  -q, --quiet               no progress and no closing line; errors only\n"
	"  -h, --help                print this help and exit\n"
	"      --version             print the version and exit\n"
	"\n"
	"Progress is shown on stderr when stderr is a terminal. Exit status: 0 success,\n"
	"64 usage, 65 bad scenario, 66 scenario missing, 70 a replication failed (the\n"
	"others are written; manifest.cfg says which and why), 73 cannot create the\n"
	"output, 74 I/O error. See unrestsim(1) and docs/output.md.\n";

/* A decimal integer in [min, max] that is the whole of text: no sign, no space, no
 * trailing characters (strtoull alone accepts " -1" as 2^64 - 1). 0, or -1. */
static int parse_count(const char *text, uint64_t min, uint64_t max, uint64_t *value)
{
	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*value = v;
	return 0;
}

/* --reps FIRST[-LAST]: one replication index or an inclusive range of them, each a
 * decimal below UR_RUN_MAX_REPLICATIONS, FIRST <= LAST. 0, or -1. */
static int parse_reps(const char *text, uint64_t *first, uint64_t *last)
{
	char buf[48];
	if (strlen(text) >= sizeof buf)
		return -1;
	strcpy(buf, text);
	char *dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (parse_count(buf, 0, UR_RUN_MAX_REPLICATIONS - 1, first) != 0)
		return -1;
	*last = *first;
	if (dash && parse_count(dash + 1, 0, UR_RUN_MAX_REPLICATIONS - 1, last) != 0)
		return -1;
	return *first <= *last ? 0 : -1;
}

/* out/NAME, NAME the scenario file's name without its directory and ".cfg". */
static char *default_output_dir(const char *file)
{
	const char *slash = strrchr(file, '/');
	const char *name = slash ? slash + 1 : file;
	size_t len = strlen(name);
	if (len > 4 && strcmp(name + len - 4, ".cfg") == 0)
		len -= 4;
	if (len == 0) {
		name = "run";
		len = 3;
	}
	char *dir = malloc(len + 5);
	if (dir)
		snprintf(dir, len + 5, "out/%.*s", (int)len, name);
	return dir;
}

/* The progress line on a terminal: replications done/total, rate, time left. */
struct progress_line {
	const char *what;  /* what is counted: "replications", "units" */
	bool shown;        /* a line is on the terminal, not yet ended */
	double drawn_s;    /* when it was last drawn */
};

static void show_progress(void *context, const struct ur_run_progress *p)
{
	struct progress_line *line = context;
	/* At most ten redraws a second: short replications would flood the terminal. */
	if (line->shown && p->done < p->total && p->elapsed_s - line->drawn_s < 0.1)
		return;
	line->drawn_s = p->elapsed_s;
	char rate[32] = "", left[32] = "";
	if (p->done > 0 && p->elapsed_s > 0) {
		double per_s = (double)p->done / p->elapsed_s;
		if (per_s >= 0.1)
			snprintf(rate, sizeof rate, ", %.1f/s", per_s);
		else /* a slow run: per hour reads better than 0.0/s */
			snprintf(rate, sizeof rate, ", %.1f/h", per_s * 3600.0);
		if (p->done < p->total) {
			double s = (double)(p->total - p->done) / per_s;
			if (s < 3600)
				snprintf(left, sizeof left, ", %d:%02d left", (int)s / 60,
					 (int)s % 60);
			else
				snprintf(left, sizeof left, ", %.1f h left", s / 3600);
		}
	}
	char failed[32] = "";
	if (p->failed > 0)
		snprintf(failed, sizeof failed, " (%" PRIu64 " failed)", p->failed);
	/* \r and padding redraw the line in place; no terminal control sequences. */
	fprintf(stderr, "\r%s %" PRIu64 "/%" PRIu64 "%s%s%s%-12s", line->what,
		p->done, p->total, failed, rate, left, "");
	if (p->done == p->total)
		fputc('\n', stderr);
	fflush(stderr);
	line->shown = p->done < p->total;
}

/* Progress for a log (stderr not a terminal, a batch job's): one whole line every
 * `every_s` seconds, never a carriage return. */
struct progress_log {
	const char *command;  /* "run", "sweep" */
	const char *what;     /* "replications", "units" */
	double every_s;
	double next_s;        /* when the next line is due */
};

static void log_progress(void *context, const struct ur_run_progress *p)
{
	struct progress_log *log = context;
	if (p->elapsed_s < log->next_s || p->done >= p->total)
		return;
	while (log->next_s <= p->elapsed_s)
		log->next_s += log->every_s;
	char rate[48] = "", left[48] = ", time left unknown";
	double per_s = p->elapsed_s > 0 ? (double)p->done / p->elapsed_s : 0;
	if (per_s >= 0.1)
		snprintf(rate, sizeof rate, ", %.1f/s", per_s);
	else
		snprintf(rate, sizeof rate, ", %.1f/h", per_s * 3600.0);
	if (p->done > 0 && per_s > 0) {
		double s = (double)(p->total - p->done) / per_s;
		if (s < 3600)
			snprintf(left, sizeof left, ", %d:%02d left", (int)s / 60, (int)s % 60);
		else
			snprintf(left, sizeof left, ", %.1f h left", s / 3600);
	}
	fprintf(stderr, "unrestsim %s: %" PRIu64 "/%" PRIu64 " %s done, %" PRIu64
		" failed%s%s\n", log->command, p->done, p->total, log->what, p->failed, rate,
		left);
	fflush(stderr);
}

/* A number of seconds from min to max, the whole of text. 0, or -1. */
static int parse_seconds(const char *text, double min, double max, double *value)
{
	if (!((text[0] >= '0' && text[0] <= '9') || text[0] == '.'))
		return -1;
	errno = 0;
	char *end;
	double v = strtod(text, &end);
	if (errno != 0 || *end != '\0' || !(v >= min && v <= max))
		return -1;
	*value = v;
	return 0;
}

/* How a command reports progress: on a terminal a line redrawn in place; elsewhere a
 * line every --progress seconds (default_s <= 0: none unless asked); none with -q. */
struct progress_choice {
	struct progress_line line;
	struct progress_log log;
	ur_run_progress_fn fn;
	void *context;
};

static void choose_progress(struct progress_choice *c, const char *command,
			    const char *what, bool quiet, double every_s, double default_s)
{
	c->line = (struct progress_line){what, false, 0.0};
	c->fn = NULL;
	c->context = NULL;
	if (quiet)
		return;
	if (isatty(STDERR_FILENO)) {
		c->fn = show_progress;
		c->context = &c->line;
		return;
	}
	if (every_s <= 0)
		every_s = default_s;
	if (every_s <= 0)
		return;
	c->log = (struct progress_log){command, what, every_s, every_s};
	c->fn = log_progress;
	c->context = &c->log;
}

/* ---- the options commands share ---------------------------------------------- */

/* "K/N" with 1 <= K <= N <= 1000000. 0, or -1. */
static int parse_shard(const char *text, unsigned *k, unsigned *n)
{
	const char *slash = strchr(text, '/');
	char first[24];
	uint64_t a, b;
	if (!slash || (size_t)(slash - text) >= sizeof first)
		return -1;
	memcpy(first, text, (size_t)(slash - text));
	first[slash - text] = '\0';
	if (parse_count(first, 1, 1000000, &a) != 0 || parse_count(slash + 1, 1, 1000000, &b) != 0 ||
	    a > b)
		return -1;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

/* "unrestsim" then argv: the argc + 1 words the manifest records as the command line
 * (getopt_long permutes argv, so the copy is taken before parsing). NULL if out of
 * memory. */
static const char **copy_command_line(int argc, char **argv)
{
	const char **words = calloc((size_t)argc + 1, sizeof *words);
	if (!words)
		return NULL;
	words[0] = "unrestsim";
	for (int i = 0; i < argc; i++)
		words[i + 1] = argv[i];
	return words;
}

/* The options more than one command takes. Each is parsed and checked here, once, so
 * that a bad value gets the same message from every command that takes it; a command
 * names those it takes (a mask of TAKES_*) and declares only its own beside them. */
enum {
	TAKES_OUTPUT = 1u << 0,       /* -o, --output DIR */
	TAKES_REPLICATIONS = 1u << 1, /* -r, --replications REPS */
	TAKES_SEED = 1u << 2,         /* -s, --seed SEED */
	TAKES_JOBS = 1u << 3,         /* -j, --jobs JOBS */
	TAKES_SET = 1u << 4,          /* --set PATH=VALUE, repeatable */
	TAKES_SHARD = 1u << 5,        /* --shard K/N */
	TAKES_RESUME = 1u << 6,       /* --resume */
	TAKES_PROGRESS = 1u << 7,     /* --progress SECONDS */
	TAKES_QUIET = 1u << 8,        /* -q, --quiet */
};

/* The shared options' getopt_long entries. Those whose code is a lower-case letter
 * have that short form too; a command's own options are long only, with codes that
 * are none of these. */
static const struct {
	unsigned mask;
	struct option option;
} common_options[] = {
	{TAKES_OUTPUT, {"output", required_argument, NULL, 'o'}},
	{TAKES_REPLICATIONS, {"replications", required_argument, NULL, 'r'}},
	{TAKES_SEED, {"seed", required_argument, NULL, 's'}},
	{TAKES_JOBS, {"jobs", required_argument, NULL, 'j'}},
	{TAKES_SET, {"set", required_argument, NULL, 'S'}},
	{TAKES_SHARD, {"shard", required_argument, NULL, 'K'}},
	{TAKES_RESUME, {"resume", no_argument, NULL, 'R'}},
	{TAKES_PROGRESS, {"progress", required_argument, NULL, 'P'}},
	{TAKES_QUIET, {"quiet", no_argument, NULL, 'q'}},
	/* Every command answers these (unrestsim(1), COMMANDS). */
	{0, {"help", no_argument, NULL, 'h'}},
	{0, {"version", no_argument, NULL, 'V'}},
};

/* A command's own options: its getopt_long entries (NULL-terminated) and what to do
 * with each; handle returns -1 to go on, or the exit status to return (a usage
 * error, through usage_error(command, ...)). */
struct own_options {
	const struct option *options;
	int (*handle)(void *context, const char *command, int code, const char *value);
	void *context;
};

/* What parse_command_args read: the shared options' values (their defaults where not
 * given) and the one file. */
struct command_args {
	const char *command;        /* "run": the name in messages */
	const char *file;           /* the one file argument */
	const char *dir;            /* -o; after command_output_dir, else out/NAME */
	uint64_t jobs;              /* -j, 1 */
	uint64_t replications;      /* -r, when has_replications */
	uint64_t seed;              /* -s, when has_seed */
	bool has_replications, has_seed;
	unsigned shard, shards;     /* --shard, 1/1 */
	bool resume, quiet;
	double progress_s;          /* --progress, 0 when not given */
	const char **sets;          /* the --set values in order, nsets of them */
	size_t nsets;
	const char **command_line;  /* copy_command_line's words, nwords of them */
	int nwords;
	char *default_dir;          /* out/NAME when -o is not given */
};

/* The largest option table a command builds: the shared options and its own. */
#define COMMAND_OPTIONS_MAX 24

/* Parses the arguments of `command` (argv[0] its name) into *a: the shared options in
 * `takes`, own's options, and one `kind` file ("scenario", "sweep"); every value is
 * checked before any work starts. Returns -1 to go on, else the exit status to return
 * (a usage error, --help or --version answered, out of memory); command_args_free in
 * either case. */
static int parse_command_args(const char *command, const char *usage, const char *kind,
			      unsigned takes, const struct own_options *own, int argc,
			      char **argv, struct command_args *a)
{
	*a = (struct command_args){.command = command, .jobs = 1, .shard = 1, .shards = 1};
	a->command_line = copy_command_line(argc, argv);
	a->nwords = argc + 1;
	a->sets = calloc((size_t)argc + 1, sizeof *a->sets);
	if (!a->command_line || !a->sets) {
		fprintf(stderr, "unrestsim %s: out of memory\n", command);
		return EX_SOFTWARE;
	}
	struct option options[COMMAND_OPTIONS_MAX + 1];
	char shorts[2 * COMMAND_OPTIONS_MAX + 2] = ":";
	size_t n = 0, used = 1;
	for (size_t i = 0; i < sizeof common_options / sizeof *common_options; i++) {
		const struct option *o = &common_options[i].option;
		if (common_options[i].mask && !(takes & common_options[i].mask))
			continue;
		options[n++] = *o;
		if (o->val >= 'a' && o->val <= 'z') {
			shorts[used++] = (char)o->val;
			if (o->has_arg == required_argument)
				shorts[used++] = ':';
		}
	}
	for (const struct option *o = own ? own->options : NULL; o && o->name; o++) {
		if (n == COMMAND_OPTIONS_MAX) {
			fprintf(stderr, "unrestsim %s: internal error: too many options\n",
				command);
			return EX_SOFTWARE;
		}
		options[n++] = *o;
	}
	options[n] = (struct option){NULL, 0, NULL, 0};
	shorts[used] = '\0';

	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			a->dir = optarg;
			break;
		case 'r':
			if (parse_count(optarg, 1, UR_RUN_MAX_REPLICATIONS, &a->replications) != 0)
				return usage_error(command, "-r: replications must be a whole number "
						   "from 1 to %u, got '%s'",
						   UR_RUN_MAX_REPLICATIONS, optarg);
			a->has_replications = true;
			break;
		case 's':
			if (ur_rng_seed_parse(optarg, &a->seed) != 0 ||
			    a->seed > (uint64_t)UR_MAX_SEED)
				return usage_error(command, "-s: the seed must be a whole number from "
						   "0 to %" PRId64 " (decimal or 0x hex), got '%s'",
						   (int64_t)UR_MAX_SEED, optarg);
			a->has_seed = true;
			break;
		case 'j':
			if (parse_count(optarg, 1, UR_RUN_MAX_JOBS, &a->jobs) != 0)
				return usage_error(command, "-j: jobs must be a whole number from 1 to "
						   "%u, got '%s'", UR_RUN_MAX_JOBS, optarg);
			break;
		case 'S':
			a->sets[a->nsets++] = optarg;
			break;
		case 'K':
			if (parse_shard(optarg, &a->shard, &a->shards) != 0)
				return usage_error(command, "--shard: expected K/N with whole numbers "
						   "1 <= K <= N <= 1000000, got '%s'", optarg);
			break;
		case 'R':
			a->resume = true;
			break;
		case 'P':
			if (parse_seconds(optarg, 0.1, 86400, &a->progress_s) != 0)
				return usage_error(command, "--progress: expected seconds from 0.1 to "
						   "86400, got '%s'", optarg);
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
		case 'V':
			return print_version();
		default: {
			if (opt == ':' || opt == '?' || !own)
				return option_error(command, opt, argv, options);
			int status = own->handle(own->context, command, opt, optarg);
			if (status >= 0)
				return status;
			break;
		}
		}
	}
	if (optind >= argc)
		return usage_error(command, "no %s file given", kind);
	if (optind + 1 < argc)
		return usage_error(command, "one %s file at a time, got '%s' and '%s'", kind,
				   argv[optind], argv[optind + 1]);
	if (a->dir && a->dir[0] == '\0')
		return usage_error(command, "-o: the output folder has an empty name");
	if (argv[optind][0] == '\0')
		return usage_error(command, "the %s file has an empty name", kind);
	a->file = argv[optind];
	return -1;
}

/* -o's folder, or out/NAME of `file` (the file found, once it is known good). -1 if
 * out of memory. */
static int command_output_dir(struct command_args *a, const char *file)
{
	if (a->dir)
		return 0;
	if (!(a->default_dir = default_output_dir(file))) {
		fprintf(stderr, "unrestsim %s: out of memory\n", a->command);
		return -1;
	}
	a->dir = a->default_dir;
	return 0;
}

static void command_args_free(struct command_args *a)
{
	free(a->default_dir);
	free(a->command_line);
	free(a->sets);
}

/* run's own option: --reps FIRST[-LAST], the replications to run of the REPS. */
struct run_picks {
	const char *text;  /* as given; NULL without --reps */
	uint64_t first, last;
};

static const struct option run_own_options[] = {
	{"reps", required_argument, NULL, 'E'},
	{NULL, 0, NULL, 0},
};

static int run_option(void *context, const char *command, int code, const char *value)
{
	struct run_picks *picks = context;
	(void)code; /* --reps is run's one option of its own */
	if (parse_reps(value, &picks->first, &picks->last) != 0)
		return usage_error(command, "--reps: FIRST or FIRST-LAST, whole numbers from 0 "
				   "to %u with FIRST <= LAST, got '%s'",
				   UR_RUN_MAX_REPLICATIONS - 1, value);
	picks->text = value;
	return -1;
}

static int cmd_run(int argc, char **argv)
{
	struct run_picks picks = {NULL, 0, 0};
	const struct own_options own = {run_own_options, run_option, &picks};
	struct command_args a;
	char *found = NULL;
	struct ur_scenario *scenario = NULL;
	struct ur_diag diag;
	ur_diag_init(&diag, UR_DIAG_DEFAULT_LIMIT);
	int status = parse_command_args("run", run_usage_text, "scenario",
					TAKES_OUTPUT | TAKES_REPLICATIONS | TAKES_SEED | TAKES_JOBS |
					TAKES_SET | TAKES_PROGRESS | TAKES_QUIET,
					&own, argc, argv, &a);
	if (status >= 0)
		goto cleanup;
	found = find_scenario("run", a.file, false, &status);
	if (!found)
		goto cleanup;
	const char *file = found;

	status = EX_SOFTWARE;
	enum ur_scenario_status load_status;
	scenario = ur_scenario_load(file, a.sets, a.nsets, &diag, &load_status);
	if (!scenario) {
		ur_diag_print(&diag, stderr);
		status = (int)load_status;
		goto cleanup;
	}
	const struct ur_scenario_params *sp = &ur_scenario_params(scenario)->scenario;
	uint64_t reps = a.has_replications ? a.replications : sp->replications;
	uint64_t seed = a.has_seed ? a.seed : sp->seed;
	if (reps < 1 || reps > UR_RUN_MAX_REPLICATIONS) {
		status = usage_error("run", "scenario.replications is %" PRIu64 "; this command "
					 "runs 1 to %u: give -r", reps,
					 UR_RUN_MAX_REPLICATIONS);
		goto cleanup;
	}
	/* --reps picks among the run's replications 0 .. reps - 1: a LAST beyond them is
	 * most likely a count from 1 (the rep column counts from 0). */
	if (picks.text && picks.last >= reps) {
		status = usage_error("run", "--reps: replication %" PRIu64 " is beyond the run's "
					 "%" PRIu64 " replications, numbered 0 to %" PRIu64
					 " (-r sets how many), got '%s'",
					 picks.last, reps, reps - 1, picks.text);
		goto cleanup;
	}
	if (command_output_dir(&a, file) != 0)
		goto cleanup;

	/* Progress on a terminal; in a log only when --progress asks (a run is short). */
	struct progress_choice progress;
	choose_progress(&progress, "run", "replications", a.quiet, a.progress_s, 0);
	const struct ur_run_options run_options = {
		.seed = seed,
		.replications = picks.text ? picks.last - picks.first + 1 : reps,
		.first = picks.text ? picks.first : 0,
		.jobs = (unsigned)a.jobs,
		.version = UNRESTSIM_VERSION,
		.scenario_path = file,
		.argc = argc + 1,
		.argv = a.command_line,
		.progress = progress.fn,
		.progress_context = progress.context,
	};
	struct ur_run_result result;
	status = (int)ur_run(scenario, a.dir, &run_options, &result);
	if (progress.line.shown)
		fputc('\n', stderr);
	if (!a.quiet && (status == EX_OK || result.failed > 0))
		fprintf(stderr, "unrestsim run: %" PRIu64 " %s written to %s\n",
			result.done - result.failed,
			result.done - result.failed == 1 ? "replication" : "replications", a.dir);
	if (status != EX_OK)
		fprintf(stderr, "unrestsim run: %s\n", result.message);

cleanup:
	ur_scenario_destroy(scenario);
	ur_diag_finish(&diag);
	free(found);
	command_args_free(&a);
	return status;
}

/* ---- unrestsim check ----------------------------------------------------------- */

static const char check_usage_text[] =
	"Usage: unrestsim check FILE [--set PATH=VALUE]...\n"
	"\n"
	"Validates the scenario in FILE (its base files, the defaults and the --set\n"
	"overrides applied) and prints the fully resolved scenario on stdout, as a\n"
	"scenario file that runs to the same results. On a bad scenario it prints every\n"
	"error, as FILE:LINE: PATH: what was expected, got what was found, and nothing\n"
	"on stdout.\n"
	"\n"
	"Options:\n"
	"      --set PATH=VALUE      override a setting of the scenario (repeatable);\n"
	"                            list items by [N] or, where they have one, by [id]\n"
	"  -h, --help                print this help and exit\n"
	"      --version             print the version and exit\n"
	"\n"
	"Exit status: 0 valid, 64 usage (a bad --set), 65 bad scenario, 66 a file is\n"
	"missing, 74 I/O error. See docs/scenario-reference.md for every setting.\n";

static int cmd_check(int argc, char **argv)
{
	struct command_args a;
	int status = parse_command_args("check", check_usage_text, "scenario",
					TAKES_SET, NULL, argc, argv, &a);
	char *found = NULL;
	if (status < 0)
		found = find_scenario("check", a.file, false, &status);
	if (found)
		status = ur_scenario_check(found, a.sets, a.nsets, stdout, stderr);
	free(found);
	command_args_free(&a);
	return status;
}

/* ---- unrestsim sweep ----------------------------------------------------------- */

static const char sweep_usage_text[] =
	"Usage: unrestsim sweep FILE [-o DIR] [-r REPS] [-s SEED] [-j JOBS] [--shard K/N]\n"
	"                       [--resume] [--list] [--checkpoint SECONDS]\n"
	"                       [--progress SECONDS] [-q] [--set PATH=VALUE]...\n"
	"\n"
	"Runs the parameter sweep in FILE: every replication of every point of its design\n"
	"(a unit), each point its scenario with the point's values as --set overrides.\n"
	"Writes scenario.cfg, sweep.cfg, sweep.csv, sweep_stats.csv and manifest.cfg to\n"
	"DIR. The files are the same, byte for byte, for any JOBS, and for any split into\n"
	"shards joined by 'unrestsim merge'.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR          the output folder (default: out/NAME, NAME the\n"
	"                            file's name without .cfg); as for 'run'\n"
	"  -r, --replications REPS   replications of every point, 1 to 1000000\n"
	"                            (default: the sweep file's, else the scenario's)\n"
	"  -s, --seed SEED           master seed, decimal or 0x hex (default: the\n"
	"                            sweep file's, else the scenario's)\n"
	"      --set PATH=VALUE      override a setting of the sweep's scenario before\n"
	"                            the points' values (repeatable; a point's value of\n"
	"                            the same path wins); the folder's scenario.cfg and\n"
	"                            sweep.cfg record the result\n"
	"  -j, --jobs JOBS           worker threads, 1 to 256 (default: 1)\n"
	"      --shard K/N           run shard K of N (1 <= K <= N): the units whose\n"
	"                            index u = point x replications + replication has\n"
	"                            u mod N = K - 1\n"
	"      --resume              keep the units DIR's manifest.cfg says are done and\n"
	"                            run the others\n"
	"      --list                print the units (point, replication, parameters,\n"
	"                            seed) as CSV on stdout and run nothing\n"
	"      --checkpoint SECONDS  commit the folder at most this often while units\n"
	"                            run (0 to 86400; 0: whenever units finished;\n"
	"                            default 60)\n"
	"      --progress SECONDS    when stderr is not a terminal, a progress line\n"
	"                            every SECONDS (0.1 to 86400; default 60)\n"
	"  -q, --quiet               no progress and no closing line; errors only\n"
	"  -h, --help                print this help and exit\n"
	"      --version             print the version and exit\n"
	"\n"
	"Progress is shown on stderr: redrawn in place on a terminal, a line a minute\n"
	"elsewhere. SIGTERM or SIGINT commits the units finished and exits 128 + the\n"
	"signal's number (143, 130): --resume goes on. Exit status: 0 success, 64 usage,\n"
	"65 bad sweep file or point, or a folder to resume whose rows or manifest are\n"
	"malformed, 66 a file is missing, 70 units failed (the others are written;\n"
	"manifest.cfg says which and why), 73 cannot create the output, 74 I/O error.\n"
	"See unrestsim(1) and docs/sweeps.md.\n";

/* sweep's own options: --list, and --checkpoint SECONDS. */
struct sweep_own {
	bool list;
	double checkpoint_s;  /* 60 unless given */
};

static const struct option sweep_own_options[] = {
	{"list", no_argument, NULL, 'L'},
	{"checkpoint", required_argument, NULL, 'C'},
	{NULL, 0, NULL, 0},
};

static int sweep_option(void *context, const char *command, int code, const char *value)
{
	struct sweep_own *own = context;
	if (code == 'L') {
		own->list = true;
		return -1;
	}
	if (parse_seconds(value, 0, 86400, &own->checkpoint_s) != 0)
		return usage_error(command, "--checkpoint: expected seconds from 0 to 86400, "
				   "got '%s'", value);
	return -1;
}

static int cmd_sweep(int argc, char **argv)
{
	struct sweep_own mine = {false, 60};
	const struct own_options own = {sweep_own_options, sweep_option, &mine};
	struct command_args a;
	char *found = NULL;
	struct ur_sweep *sweep = NULL;
	struct ur_diag diag;
	ur_diag_init(&diag, UR_DIAG_DEFAULT_LIMIT);
	int status = parse_command_args("sweep", sweep_usage_text, "sweep",
					TAKES_OUTPUT | TAKES_REPLICATIONS | TAKES_SEED | TAKES_JOBS |
					TAKES_SET | TAKES_SHARD | TAKES_RESUME | TAKES_PROGRESS |
					TAKES_QUIET, &own, argc, argv, &a);
	if (status >= 0)
		goto cleanup;
	if (mine.list && a.resume) {
		status = usage_error("sweep", "--list runs nothing: it takes no --resume");
		goto cleanup;
	}
	found = find_scenario("sweep", a.file, true, &status);
	if (!found)
		goto cleanup;
	const char *file = found;
	status = EX_SOFTWARE;
	const struct ur_sweep_overrides overrides = {
		.sets = a.sets,
		.nsets = a.nsets,
		.replications = a.replications,
		.has_replications = a.has_replications,
		.seed = a.seed,
		.has_seed = a.has_seed,
	};
	enum ur_scenario_status load_status;
	sweep = ur_sweep_load_with(file, &overrides, &diag, &load_status);
	if (!sweep) {
		ur_diag_print(&diag, stderr);
		status = (int)load_status;
		goto cleanup;
	}
	if (mine.list) {
		status = ur_sweep_list(sweep, a.shard, a.shards, stdout) == 0 ? EX_OK : EX_IOERR;
		goto cleanup;
	}
	if (command_output_dir(&a, file) != 0)
		goto cleanup;
	/* A sweep is long: in a log, a progress line every minute unless asked. */
	struct progress_choice progress;
	choose_progress(&progress, "sweep", "units", a.quiet, a.progress_s, 60);
	const double checkpoint_s = mine.checkpoint_s;
	const struct ur_sweep_options sweep_options = {
		.jobs = (unsigned)a.jobs,
		.shard = a.shard,
		.shards = a.shards,
		.resume = a.resume,
		/* Every 60 s by default: often enough that a killed sweep loses little,
		 * seldom enough that rewriting the folder costs little (docs/sweeps.md).
		 * 0 asks for a commit whenever units have finished. */
		.checkpoint_s = checkpoint_s > 0 ? checkpoint_s : 1e-9,
		/* And commits take at most a tenth of the time, however large the
		 * folder (10^7 units: minutes a commit); none with --checkpoint 0. */
		.checkpoint_share = checkpoint_s > 0 ? 0.1 : 0,
		.version = UNRESTSIM_VERSION,
		.sweep_path = file,
		.argc = argc + 1,
		.argv = a.command_line,
		.interrupt = &stop_signal,
		.progress = progress.fn,
		.progress_context = progress.context,
	};
	/* SIGTERM (a Slurm time limit, kill) and SIGINT (^C) stop the sweep after a
	 * checkpoint; a second one ends it at once (SA_RESETHAND). */
	catch_stop_signals();
	struct ur_sweep_result result;
	status = (int)ur_sweep_run(sweep, a.dir, &sweep_options, &result);
	if (progress.line.shown)
		fputc('\n', stderr);
	if (status == UR_RUN_INTERRUPTED) {
		fprintf(stderr, "unrestsim sweep: %s\n", result.message);
		status = 128 + result.signal;
		goto cleanup;
	}
	if (!a.quiet && (status == EX_OK || result.failed > 0))
		fprintf(stderr, "unrestsim sweep: %" PRIu64 " %s written to %s (%" PRIu64
			" run now, %" PRIu64 " kept from before)\n", result.units - result.failed,
			result.units - result.failed == 1 ? "unit" : "units", a.dir, result.done,
			result.skipped);
	if (status != EX_OK)
		fprintf(stderr, "unrestsim sweep: %s\n", result.message);

cleanup:
	ur_sweep_destroy(sweep);
	ur_diag_finish(&diag);
	free(found);
	command_args_free(&a);
	return status;
}

/* ---- unrestsim merge ----------------------------------------------------------- */

static const char merge_usage_text[] =
	"Usage: unrestsim merge -o DIR SHARD_DIR...\n"
	"\n"
	"Joins the folders of the shards of one sweep ('unrestsim sweep --shard K/N')\n"
	"into DIR, which then holds what one unsharded sweep writes, byte for byte (the\n"
	"manifest's command line aside). Refuses folders of different sweeps, units in\n"
	"two folders and units in none.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR          the output folder (required); as for 'run'\n"
	"  -h, --help                print this help and exit\n"
	"      --version             print the version and exit\n"
	"\n"
	"Every row and manifest entry is checked against summary.csv's columns and the\n"
	"sweep's design; a malformed one is refused as FILE:LINE: what was expected,\n"
	"what was found.\n"
	"\n"
	"Exit status: 0 success, 64 usage, 65 the folders do not make one whole sweep,\n"
	"or hold a malformed row or manifest entry,\n"
	"66 a folder or its files cannot be read, 70 the sweep has failed units (they\n"
	"are merged as failed), 73 cannot create the output, 74 I/O error.\n"
	"See unrestsim(1) and docs/sweeps.md.\n";

static int cmd_merge(int argc, char **argv)
{
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char **command_line = copy_command_line(argc, argv);
	if (!command_line) {
		fputs("unrestsim merge: out of memory\n", stderr);
		return EX_SOFTWARE;
	}
	const char *dir = NULL;
	int status = EX_OK;
	int opt;
	opterr = 0;
	while (status == EX_OK && (opt = getopt_long(argc, argv, ":o:h", options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			dir = optarg;
			break;
		case 'h':
			fputs(merge_usage_text, stdout);
			free(command_line);
			return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
		case 'V':
			free(command_line);
			return print_version();
		default:
			status = option_error("merge", opt, argv, options);
			break;
		}
	}
	if (status == EX_OK && !dir)
		status = usage_error("merge", "no output folder given: -o DIR is required");
	if (status == EX_OK && dir[0] == '\0')
		status = usage_error("merge", "-o: the output folder has an empty name");
	if (status == EX_OK && optind >= argc)
		status = usage_error("merge", "no shard folder given");
	/* An empty name would be joined to its files as "/manifest.cfg": the root's. */
	for (int i = optind; status == EX_OK && i < argc; i++)
		if (argv[i][0] == '\0')
			status = usage_error("merge", "shard folder %d has an empty name",
					     i - optind + 1);
	if (status == EX_OK) {
		struct ur_sweep_result result;
		status = ur_sweep_merge(dir, (const char *const *)argv + optind,
					(size_t)(argc - optind), UNRESTSIM_VERSION, argc + 1,
					command_line, &result);
		if (status == EX_OK || result.failed > 0)
			fprintf(stderr, "unrestsim merge: %" PRIu64 " %s written to %s\n",
				result.done, result.done == 1 ? "unit" : "units", dir);
		if (status != EX_OK)
			fprintf(stderr, "unrestsim merge: %s\n", result.message);
	}
	free(command_line);
	return status;
}

/* ---- unrestsim scenarios ------------------------------------------------------- */

static const char scenarios_usage_text[] =
	"Usage: unrestsim scenarios [--path]\n"
	"\n"
	"Lists the scenarios and sweeps that 'run', 'check' and 'sweep' find by name,\n"
	"folder by folder in the order they are searched: each scenario (FILE.cfg) with\n"
	"its scenario.description, each sweep (sweeps/FILE.cfg) with its design.\n"
	"\n"
	"A scenario argument with no '/' that is not a file in the current folder is a\n"
	"name: it is looked up as DIR/NAME, then DIR/NAME.cfg, in each folder of\n"
	"UNRESTSIM_PATH (colon-separated), then in the installed scenarios; 'sweep' looks\n"
	"in DIR/sweeps first. The first found is used.\n"
	"\n"
	"Options:\n"
	"      --path                print the folders searched, one a line, and exit\n"
	"  -h, --help                print this help and exit\n"
	"      --version             print the version and exit\n"
	"\n"
	"Exit status: 0 success, 64 usage, 74 I/O error. See unrestsim(1).\n";

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the regular files NAME.cfg in dir, sorted (byte order, whatever the
 * locale); *count of them. NULL with *count 0 when there are none or dir cannot be
 * read. */
static char **cfg_files(const char *dir, size_t *count)
{
	*count = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **names = NULL;
	size_t capacity = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= 4 || strcmp(e->d_name + len - 4, ".cfg") != 0 || e->d_name[0] == '.')
			continue;
		char *path = path_join(dir, "", e->d_name, "");
		bool file = path && is_file(path);
		free(path);
		if (!file)
			continue;
		if (*count == capacity) {
			size_t grown = capacity ? 2 * capacity : 16;
			char **more = realloc(names, grown * sizeof *names);
			if (!more)
				break;
			names = more;
			capacity = grown;
		}
		if (!(names[*count] = strndup(e->d_name, len - 4)))
			break;
		(*count)++;
	}
	closedir(d);
	if (names)
		qsort(names, *count, sizeof *names, compare_names);
	return names;
}

/* One line of the listing: the name, padded, then what it is. A file that does not
 * load says so, with the first message, and the listing goes on. */
static void list_entry(const char *dir, const char *name, int width, bool sweep,
		       bool shadowed)
{
	char *path = path_join(dir, "", name, ".cfg");
	char what[UR_TEXT_SIZE + 64] = "";
	struct ur_diag diag;
	ur_diag_init(&diag, 1);
	enum ur_scenario_status status;
	if (!path) {
		snprintf(what, sizeof what, "(out of memory)");
	} else if (sweep) {
		/* The sweep file alone: its points are not resolved, so a sweep of a
		 * million points lists as fast as one of two. */
		struct ur_sweep_spec *spec = ur_sweep_spec_read(path, &diag, &status);
		if (spec) {
			static const char *const designs[] = {"grid", "lhs", "sobol", "list"};
			const char *scenario = strrchr(spec->scenario, '/');
			size_t points = spec->npoints;
			if (spec->design == UR_SWEEP_GRID) {
				points = 1;
				for (size_t i = 0; i < spec->ndims; i++)
					points *= spec->params[spec->dims[i].first].nvalues;
			}
			char reps[48] = "the scenario's replications";
			if (spec->has_replications)
				snprintf(reps, sizeof reps, "%" PRIu64 " %s", spec->replications,
					 spec->replications == 1 ? "replication" : "replications");
			snprintf(what, sizeof what, "sweep of %s: %s of %zu %s over %zu %s, %s",
				 scenario ? scenario + 1 : spec->scenario, designs[spec->design],
				 points, points == 1 ? "point" : "points", spec->nparams,
				 spec->nparams == 1 ? "parameter" : "parameters", reps);
		}
		ur_sweep_spec_destroy(spec);
	} else {
		struct ur_scenario *scenario = ur_scenario_load(path, NULL, 0, &diag, &status);
		if (scenario) {
			const char *text = ur_scenario_params(scenario)->scenario.description;
			snprintf(what, sizeof what, "%s", text[0] ? text : "(no description)");
		}
		ur_scenario_destroy(scenario);
	}
	if (what[0] == '\0')
		snprintf(what, sizeof what, "(does not load: %s)",
			 ur_diag_count(&diag) ? ur_diag_message(&diag, 0) : "unknown error");
	printf("  %-*s  %s%s\n", width, name, what,
	       shadowed ? " (hidden by the one above of that name)" : "");
	ur_diag_finish(&diag);
	free(path);
}

static int cmd_scenarios(int argc, char **argv)
{
	static const struct option options[] = {
		{"path", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	bool path_only = false;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'P':
			path_only = true;
			break;
		case 'h':
			fputs(scenarios_usage_text, stdout);
			return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
		case 'V':
			return print_version();
		default:
			return option_error("scenarios", opt, argv, options);
		}
	}
	if (optind < argc)
		return usage_error("scenarios", "takes no argument, got '%s'", argv[optind]);

	struct search_path sp;
	search_path_init(&sp);
	if (path_only) {
		for (size_t d = 0; d < sp.count; d++)
			puts(sp.dirs[d]);
	} else {
		/* Names already listed: a later folder's file of that name is never found
		 * by name (for scenarios and sweeps apart). */
		char **seen[2] = {NULL, NULL};
		size_t nseen[2] = {0, 0};
		size_t listed = 0;
		for (size_t d = 0; d < sp.count; d++) {
			for (int kind = 0; kind < 2; kind++) {
				char *dir = kind == 0 ? strdup(sp.dirs[d])
						      : path_join(sp.dirs[d], "", "sweeps", "");
				size_t count = 0;
				char **names = dir ? cfg_files(dir, &count) : NULL;
				int width = 16;
				for (size_t i = 0; i < count; i++)
					if ((int)strlen(names[i]) > width)
						width = (int)strlen(names[i]);
				if (count > 0)
					printf("%s%s:\n", listed ? "\n" : "", dir);
				for (size_t i = 0; i < count; i++) {
					bool shadowed = false;
					for (size_t j = 0; j < nseen[kind]; j++)
						if (strcmp(seen[kind][j], names[i]) == 0)
							shadowed = true;
					list_entry(dir, names[i], width, kind == 1, shadowed);
					listed++;
				}
				/* The names join the seen list, which then owns them. */
				char **more = count ? realloc(seen[kind], (nseen[kind] + count) *
								   sizeof *more) : NULL;
				if (more) {
					memcpy(more + nseen[kind], names, count * sizeof *names);
					seen[kind] = more;
					nseen[kind] += count;
				} else {
					for (size_t i = 0; i < count; i++)
						free(names[i]);
				}
				free(names);
				free(dir);
			}
		}
		for (int kind = 0; kind < 2; kind++) {
			for (size_t j = 0; j < nseen[kind]; j++)
				free(seen[kind][j]);
			free(seen[kind]);
		}
		if (listed == 0)
			fprintf(stderr, "unrestsim scenarios: no scenario found: UNRESTSIM_PATH "
				"names no folder that holds one, and none are installed\n");
	}
	search_path_finish(&sp);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* ---- unrestsim help ------------------------------------------------------------ */

static const char help_usage_text[] =
	"Usage: unrestsim help [COMMAND]\n"
	"\n"
	"Prints the help of COMMAND, as 'unrestsim COMMAND --help' does, or without\n"
	"COMMAND the program's own, as 'unrestsim --help'.\n"
	"\n"
	"Exit status: 0 success, 64 usage (an unknown command), 74 I/O error.\n";

static int cmd_help(int argc, char **argv);

/* ---- calibrate and sensitivity: studies that run their units as sweeps ---------- */

/* The options a study's command takes, and how it reads, runs and reports: the same
 * for calibrate and sensitivity but for the library calls, which each command gives
 * through a struct study (its spec type stays behind void *). */
#define STUDY_TAKES \
	(TAKES_OUTPUT | TAKES_JOBS | TAKES_SHARD | TAKES_RESUME | TAKES_PROGRESS | TAKES_QUIET)

/* A study's run: the options every study takes, then what it said. */
struct study_run {
	struct command_args *args;
	const struct progress_choice *progress;
	int status, signal;            /* signal: the one that stopped it, or 0 */
	char message[UR_RUN_MESSAGE_SIZE];
	char closing[UR_RUN_MESSAGE_SIZE + 128]; /* the line of a success */
};

struct study {
	const char *name, *usage, *kind;
	void *(*read)(const char *file, struct ur_diag *diag, enum ur_scenario_status *status);
	void (*destroy)(void *spec);
	/* Runs (or resumes) the study of spec into run->args->dir and fills run's
	 * status, signal, message and closing line. */
	void (*start)(const void *spec, struct study_run *run);
};

static int cmd_study(const struct study *study, int argc, char **argv)
{
	struct command_args a;
	void *spec = NULL;
	struct ur_diag diag;
	ur_diag_init(&diag, UR_DIAG_DEFAULT_LIMIT);
	int status = parse_command_args(study->name, study->usage, study->kind, STUDY_TAKES,
					NULL, argc, argv, &a);
	if (status >= 0)
		goto cleanup;
	status = EX_SOFTWARE;
	enum ur_scenario_status load_status;
	spec = study->read(a.file, &diag, &load_status);
	if (!spec) {
		ur_diag_print(&diag, stderr);
		status = (int)load_status;
		goto cleanup;
	}
	if (command_output_dir(&a, a.file) != 0)
		goto cleanup;
	struct progress_choice progress;
	choose_progress(&progress, study->name, "units", a.quiet, a.progress_s, 60);
	struct study_run run = {.args = &a, .progress = &progress};
	catch_stop_signals();
	study->start(spec, &run);
	status = run.status;
	if (progress.line.shown)
		fputc('\n', stderr);
	if (status == UR_RUN_INTERRUPTED && run.signal) {
		/* The sweep's message says to run it again with --resume. */
		fprintf(stderr, "unrestsim %s: %s\n", study->name, run.message);
		status = 128 + run.signal;
	} else if (status != EX_OK) {
		fprintf(stderr, "unrestsim %s: %s\n", study->name, run.message);
	} else if (!a.quiet) {
		fprintf(stderr, "unrestsim %s: %s\n", study->name, run.closing);
	}
cleanup:
	if (spec)
		study->destroy(spec);
	ur_diag_finish(&diag);
	command_args_free(&a);
	return status;
}

/* ---- unrestsim calibrate ----------------------------------------------------------- */

static const char calibrate_usage_text[] =
	"Usage: unrestsim calibrate FILE [-o DIR] [-j JOBS] [--shard K/N] [--resume]\n"
	"                           [--progress SECONDS] [-q]\n"
	"\n"
	"Calibrates the scenario named in the calibration FILE against its targets by\n"
	"approximate Bayesian computation (sequential Monte Carlo): each generation of\n"
	"particles runs as a sweep in DIR/gen-NN, and DIR then holds posterior.csv,\n"
	"posterior_summary.csv, history.csv and targets.csv. The same bytes for any\n"
	"JOBS and any shard split.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR          the calibration folder (default: out/NAME)\n"
	"  -j, --jobs JOBS           worker threads, 1 to 256 (default: 1)\n"
	"      --shard K/N           run shard K of N of each generation's units into\n"
	"                            DIR/gen-NN.shard-K-of-N; the shard that finds all\n"
	"                            shards of a generation done merges them and goes on\n"
	"      --resume              keep the generations and units already done\n"
	"      --progress SECONDS    when stderr is not a terminal, a progress line\n"
	"                            every SECONDS (0.1 to 86400; default: 60)\n"
	"  -q, --quiet               errors only\n"
	"  -h, --help                print this help and exit\n"
	"      --version             print the version and exit\n"
	"\n"
	"Exit status: 0 success, 64 usage, 65 bad calibration file or scenario, or no\n"
	"particle of generation 0 at a finite distance, 66 a file missing, 70 internal\n"
	"error or failed units, 73 cannot create the output or DIR is not a calibration's\n"
	"folder, 74 I/O error, 75 a shard waits for the other shards of its generation,\n"
	"128+N stopped by signal N (run again with --resume).\n"
	"See unrestsim(1) and docs/calibration.md.\n";

static void show_generation(void *context, const struct ur_calib_generation *g)
{
	const bool *quiet = context;
	if (!*quiet)
		fprintf(stderr, "unrestsim calibrate: generation %u: tolerance %.4g, %" PRIu64
			" of %" PRIu64 " accepted (%.1f%%), effective sample size %.1f\n",
			g->generation, g->tolerance, g->accepted, g->particles,
			100 * g->acceptance, g->ess);
}

static void *calibrate_read(const char *file, struct ur_diag *diag,
			    enum ur_scenario_status *status)
{
	return ur_calib_spec_read(file, diag, status);
}

static void calibrate_destroy(void *spec)
{
	ur_calib_spec_destroy(spec);
}

static void calibrate_start(const void *spec, struct study_run *run)
{
	struct command_args *a = run->args;
	const struct ur_calib_options options = {
		.jobs = (unsigned)a->jobs,
		.shard = a->shard,
		.shards = a->shards,
		.resume = a->resume,
		.version = UNRESTSIM_VERSION,
		.argc = a->nwords,
		.argv = a->command_line,
		.interrupt = &stop_signal,
		.progress = run->progress->fn,
		.progress_context = run->progress->context,
		.on_generation = show_generation,
		.generation_context = &a->quiet,
	};
	struct ur_calib_result result;
	run->status = ur_calibrate(spec, a->dir, &options, &result);
	run->signal = result.signal;
	snprintf(run->message, sizeof run->message, "%s", result.message);
	snprintf(run->closing, sizeof run->closing, "%u generations, %" PRIu64 " replications;"
		 " the posterior is in %s/posterior.csv", result.generations,
		 result.simulated, a->dir);
}

static const struct study calibrate_study = {
	"calibrate", calibrate_usage_text, "calibration",
	calibrate_read, calibrate_destroy, calibrate_start,
};

static int cmd_calibrate(int argc, char **argv)
{
	return cmd_study(&calibrate_study, argc, argv);
}

/* ---- unrestsim sensitivity ---------------------------------------------------------- */

static const char sensitivity_usage_text[] =
	"Usage: unrestsim sensitivity FILE [-o DIR] [-j JOBS] [--shard K/N] [--resume]\n"
	"                             [--progress SECONDS] [-q]\n"
	"\n"
	"Global sensitivity of the outputs named in the sensitivity FILE to its\n"
	"parameters: Sobol first-order and total indices with bootstrap intervals\n"
	"(Saltelli's design), or Morris's elementary effects (mu*, mu, sigma). The\n"
	"design's points run as a sweep in DIR/points; DIR then holds points.csv and\n"
	"sensitivity.csv. The same bytes for any JOBS and any shard split.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR          the analysis folder (default: out/NAME)\n"
	"  -j, --jobs JOBS           worker threads, 1 to 256 (default: 1)\n"
	"      --shard K/N           run shard K of N of the points' units into\n"
	"                            DIR/points.shard-K-of-N; the shard that finds all\n"
	"                            shards done merges them and computes the indices\n"
	"      --resume              keep the units already done\n"
	"      --progress SECONDS    when stderr is not a terminal, a progress line\n"
	"                            every SECONDS (0.1 to 86400; default: 60)\n"
	"  -q, --quiet               errors only\n"
	"  -h, --help                print this help and exit\n"
	"      --version             print the version and exit\n"
	"\n"
	"Exit status: 0 success, 64 usage, 65 bad sensitivity file or scenario, 66 a file\n"
	"missing, 70 internal error or failed units, 73 cannot create the output,\n"
	"74 I/O error, 75 a shard waits for the other shards,\n"
	"128+N stopped by signal N (run again with --resume).\n"
	"See unrestsim(1) and docs/sensitivity.md.\n";

static void *sensitivity_read(const char *file, struct ur_diag *diag,
			      enum ur_scenario_status *status)
{
	return ur_sens_spec_read(file, diag, status);
}

static void sensitivity_destroy(void *spec)
{
	ur_sens_spec_destroy(spec);
}

static void sensitivity_start(const void *spec, struct study_run *run)
{
	const struct command_args *a = run->args;
	const struct ur_sens_options options = {
		.jobs = (unsigned)a->jobs,
		.shard = a->shard,
		.shards = a->shards,
		.resume = a->resume,
		.version = UNRESTSIM_VERSION,
		.argc = a->nwords,
		.argv = a->command_line,
		.interrupt = &stop_signal,
		.progress = run->progress->fn,
		.progress_context = run->progress->context,
	};
	struct ur_sens_result result;
	run->status = ur_sensitivity(spec, a->dir, &options, &result);
	run->signal = result.signal;
	snprintf(run->message, sizeof run->message, "%s", result.message);
	snprintf(run->closing, sizeof run->closing, "%" PRIu64 " points, %" PRIu64
		 " replications; the indices are in %s/sensitivity.csv", result.points,
		 result.simulated, a->dir);
}

static const struct study sensitivity_study = {
	"sensitivity", sensitivity_usage_text, "sensitivity",
	sensitivity_read, sensitivity_destroy, sensitivity_start,
};

static int cmd_sensitivity(int argc, char **argv)
{
	return cmd_study(&sensitivity_study, argc, argv);
}

/* The commands, in the order --help lists them; any other word is refused as unknown. */
static const struct command commands[] = {
	{"run", "run a scenario's replications, write CSV files", cmd_run, run_usage_text},
	{"sweep", "run a parameter sweep (designs, shards, resume)", cmd_sweep,
	 sweep_usage_text},
	{"merge", "join the shard folders of a sweep", cmd_merge, merge_usage_text},
	{"calibrate", "fit parameters to the record (ABC, sequential Monte Carlo)",
	 cmd_calibrate, calibrate_usage_text},
	{"sensitivity", "global sensitivity: Sobol indices or Morris screening",
	 cmd_sensitivity, sensitivity_usage_text},
	{"check", "validate a scenario and print it fully resolved", cmd_check,
	 check_usage_text},
	{"scenarios", "list the scenarios found by name, with their descriptions",
	 cmd_scenarios, scenarios_usage_text},
	{"help", "print the help of a command", cmd_help, help_usage_text},
	{NULL, NULL, NULL, NULL},
};

static void print_usage(FILE *out)
{
	char list[1024] = "";
	size_t used = 0;
	for (const struct command *c = commands; c->name; c++) {
		int n = snprintf(list + used, sizeof list - used, "  %-15s  %s\n", c->name,
				 c->summary);
		if (n < 0 || (size_t)n >= sizeof list - used)
			break;
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(list, sizeof list, "  (none in this build)\n");
	fprintf(out, usage_text, list);
}


static const struct command *find_command(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(help_usage_text, stdout);
			return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
		case 'V':
			return print_version();
		default:
			return option_error("help", opt, argv, options);
		}
	}
	if (optind + 1 < argc)
		return usage_error("help", "one command at a time, got '%s' and '%s'",
				   argv[optind], argv[optind + 1]);
	if (optind == argc)
		print_usage(stdout);
	else {
		const struct command *command = find_command(argv[optind]);
		if (!command)
			return usage_error("help", "unknown command '%s'", argv[optind]);
		fputs(command->usage, stdout);
	}
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

int main(int argc, char **argv)
{
	/* Library code checks GSL's return codes itself; GSL's default handler would
	 * abort the program on the first domain error instead. */
	gsl_set_error_handler_off();
	/* A write beyond the file size limit (ulimit -f) then fails with EFBIG instead of
	 * killing the program: the writer removes its temporary files and exits 74. */
	signal(SIGXFSZ, SIG_IGN);

	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	/* '+' stops at the first non-option, the command name: the command's own
	 * options are parsed by the command. */
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hV", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			print_usage(stdout);
			return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
		case 'V':
			return print_version();
		default:
			return option_error(NULL, opt, argv, options);
		}
	}
	if (optind >= argc)
		return usage_error(NULL, "no command given");

	const struct command *command = find_command(argv[optind]);
	if (!command)
		return usage_error(NULL, "unknown command '%s'", argv[optind]);
	/* The command sees its own name as argv[0] and parses with a fresh getopt
	 * (glibc reinitializes fully when optind is set to 0). */
	int at = optind;
	optind = 0;
	opterr = 1;
	return command->main(argc - at, argv + at);
}
