/*
 * corpus.h: running one case of the bad-scenario corpus: a scenario file whose leading
 * `#set PATH=VALUE` comment lines are --set overrides. Shared by the test and by
 * scenario-tool, which writes the .expected files.
 */
#ifndef UNREST_TESTS_SCENARIO_CORPUS_H
#define UNREST_TESTS_SCENARIO_CORPUS_H

/* Loads path and returns, in a malloc'd string, every message (one a line) and then
 * "status N\n". NULL when out of memory or when the file cannot be read for its
 * #set lines (that is then reported as a missing file by the load itself). */
char *corpus_run(const char *path);

#endif /* UNREST_TESTS_SCENARIO_CORPUS_H */
