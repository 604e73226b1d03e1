/*
 * bad_corpus.c: a corpus of bad input files run against a reader (see bad_corpus.h).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bad_corpus.h"
#include "testutil.h"

void testutil_check_bad_corpus(const char *dir, testutil_corpus_reader read, int min_cases)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int cases = 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".cfg") != 0)
			continue;
		cases++;
		char *path = testutil_path(dir, e->d_name);
		char expected_name[300];
		snprintf(expected_name, sizeof expected_name, "%.*s.expected", (int)(n - 4),
			 e->d_name);
		char *expected = testutil_read_file(dir, expected_name, NULL);
		if (!expected)
			fail_msg("%s has no .expected", e->d_name);
		struct ur_diag diag;
		ur_diag_init(&diag, 20);
		enum ur_scenario_status st;
		if (read(path, &diag, &st))
			fail_msg("%s was accepted", e->d_name);
		char *got = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&got, &len);
		assert_non_null(f);
		for (size_t i = 0; i < ur_diag_count(&diag); i++) {
			const char *m = ur_diag_message(&diag, i);
			/* The corpus folder as @DIR@. */
			if (strncmp(m, dir, strlen(dir)) == 0)
				fprintf(f, "@DIR@%s\n", m + strlen(dir));
			else
				fprintf(f, "%s\n", m);
		}
		fprintf(f, "status %d\n", (int)st);
		fclose(f);
		if (strcmp(got, expected) != 0)
			fail_msg("%s:\ngot:\n%sexpected:\n%s", e->d_name, got, expected);
		free(got);
		ur_diag_finish(&diag);
		free(expected);
		free(path);
	}
	closedir(d);
	assert_true(cases >= min_cases);
}
