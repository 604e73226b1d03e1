/*
 * bad_corpus.h: runs a corpus of bad input files against a reader, for the test programs
 * of the file formats read through sim/conf (calibration, sensitivity and sweep files).
 * Each DIR/NAME.cfg must be refused with exactly the messages and status of
 * DIR/NAME.expected: one message a line, then "status N", the corpus folder written
 * as @DIR@. Include after <cmocka.h>: a mismatch fails the running test.
 */
#ifndef UNREST_TESTS_BAD_CORPUS_H
#define UNREST_TESTS_BAD_CORPUS_H

#include <stdbool.h>

#include "unrest/scenario.h"

/* Reads PATH, its messages into DIAG and its status into *STATUS; returns whether the
 * file was accepted (and then frees what it read). */
typedef bool (*testutil_corpus_reader)(const char *path, struct ur_diag *diag,
				       enum ur_scenario_status *status);

/* Every DIR/NAME.cfg through READ, refused as DIR/NAME.expected says; fails the test
 * if one is accepted or differs, or if DIR holds fewer than MIN_CASES cases. */
void testutil_check_bad_corpus(const char *dir, testutil_corpus_reader read, int min_cases);

#endif /* UNREST_TESTS_BAD_CORPUS_H */
