/*
 * studydir.c: whose folder a study's -o names (ur_study_folder_check, sweep.h), for the
 * commands that build their work as sweeps and write their results beside them
 * (calibrate, sensitivity). Such a command writes files of fixed names (scenario.cfg,
 * posterior.csv, ...) into its folder: a folder of the user's holding a file of that
 * name would be overwritten, and anything else there mixed with the study. So the
 * folder must be missing, empty, or the study's own: every name in it one the study
 * writes (or its .tmp), and its marker file, the first the study writes, of the
 * study's kind (or being written now, by a shard started beside this one).
 *
 * Written here rather than with the output module's -o policy (file.c): a run's folder
 * says whose it is in its manifest.cfg; a study's folder has no manifest of its own,
 * only its sweeps' folders have one.
 */
#include "unrest/sweep.h"

#include "unrest/output.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether `name` is one the study writes into its folder (or its temporary name
 * while it writes it). */
static bool own_name(const struct ur_study_folder *f, const char *name)
{
	size_t n = strlen(name);
	if (n > 4 && strcmp(name + n - 4, ".tmp") == 0)
		n -= 4;
	for (const char *const *own = f->names; *own; own++)
		if (strlen(*own) == n && strncmp(name, *own, n) == 0)
			return true;
	return f->prefix && strncmp(name, f->prefix, strlen(f->prefix)) == 0;
}

/* Whether dir's marker file is the study's (a regular file whose first line begins
 * with marker_head), or is being written (its .tmp exists). */
static bool marked(const char *dir, const struct ur_study_folder *f)
{
	char *path = ur_path_join(dir, f->marker);
	FILE *file = path ? fopen(path, "r") : NULL;
	char line[128] = "";
	struct stat st;
	bool ours = file && fstat(fileno(file), &st) == 0 && S_ISREG(st.st_mode) &&
		    fgets(line, sizeof line, file) &&
		    strncmp(line, f->marker_head, strlen(f->marker_head)) == 0;
	if (file)
		fclose(file);
	free(path);
	if (ours)
		return true;
	/* A shard started beside this one may be writing it now. */
	size_t n = strlen(dir) + strlen(f->marker) + 6;
	path = malloc(n);
	if (path)
		snprintf(path, n, "%s/%s.tmp", dir, f->marker);
	ours = path && access(path, F_OK) == 0;
	free(path);
	return ours;
}

int ur_study_folder_check(const char *dir, const struct ur_study_folder *f, char *message,
			  size_t size)
{
	assert(dir && f && f->names && f->marker && f->marker_head && f->kind && message);
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		snprintf(message, size, "%.300s: %s", dir, strerror(errno));
		return -1;
	}
	const char *stranger = NULL;
	bool any = false;
	struct dirent *entry;
	char first[64] = "", unmarked[128];
	while ((entry = readdir(d)) != NULL) {
		const char *name = entry->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		any = true;
		if (!own_name(f, name)) {
			snprintf(first, sizeof first, "%.60s", name);
			stranger = first;
			break;
		}
	}
	closedir(d);
	if (!any)
		return 0;
	if (!stranger) {
		/* Every name is one of the study's: its marker says whose they are. */
		if (marked(dir, f))
			return 0;
		snprintf(unmarked, sizeof unmarked, "no %s of %s", f->marker, f->kind);
		stranger = unmarked;
	}
	snprintf(message, size, "%.300s: not empty and not the folder of %s (it holds %s%s%s); "
		 "refusing to write into it: move it away or choose another folder", dir,
		 f->kind, stranger == first ? "'" : "", stranger, stranger == first ? "'" : "");
	return -1;
}

int ur_study_folder_clear(const char *dir, const char *const *names, char *message,
			  size_t size)
{
	for (const char *const *name = names; *name; name++) {
		char *path = ur_path_join(dir, *name);
		if (!path || (unlink(path) != 0 && errno != ENOENT)) {
			snprintf(message, size, "%.300s: %s", path ? path : dir,
				 path ? strerror(errno) : "out of memory");
			free(path);
			return -1;
		}
		free(path);
	}
	return 0;
}
