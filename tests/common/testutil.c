/*
 * testutil.c: temporary folders, whole-file reads and writes, and folders compared file
 * by file, for the unrestsim tests. A failure to read or write here is a broken test
 * machine, so it fails the running cmocka test at once.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

char *testutil_temp_dir(const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	char templ[4096];
	snprintf(templ, sizeof templ, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	char *dir = mkdtemp(templ);
	assert_non_null(dir);
	char *copy = strdup(dir);
	assert_non_null(copy);
	return copy;
}

char *testutil_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);
	assert_non_null(path);
	snprintf(path, n, "%s/%s", dir, name);
	return path;
}

int testutil_exists(const char *dir, const char *name)
{
	char *path = testutil_path(dir, name);
	struct stat st;
	int found = lstat(path, &st) == 0;
	free(path);
	return found;
}

char *testutil_read_file(const char *dir, const char *name, size_t *len)
{
	char *path = testutil_path(dir, name);
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap + 1);
	assert_non_null(buf);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void testutil_remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *path = testutil_path(dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			testutil_remove_tree(path);
		else
			unlink(path);
		free(path);
	}
	closedir(d);
	rmdir(dir);
}

char *testutil_write_file(const char *dir, const char *name, const char *fmt, ...)
{
	char *path = testutil_path(dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	return path;
}

void testutil_assert_same_files(const char *a, const char *b, const char *const *names,
				size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t la, lb;
		char *x = testutil_read_file(a, names[i], &la);
		char *y = testutil_read_file(b, names[i], &lb);
		if (!x || !y || la != lb || memcmp(x, y, la) != 0)
			fail_msg("%s differs between %s and %s%s", names[i], a, b,
				 !x || !y ? " (missing)" : "");
		free(x);
		free(y);
	}
}
