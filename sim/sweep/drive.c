/*
 * drive.c: a sweep file run to completion across shards (ur_sweep_drive, sweep.h), for
 * the commands that build their work as sweeps (calibrate's generations, sensitivity's
 * points): one process runs everything, or each of N processes runs its shard into
 * its own folder and the last to finish merges them, so a cluster array needs no
 * separate merge step; --resume on every start makes a killed or repeated task
 * harmless, since a complete folder is recognised from its manifest.
 */
#include "unrest/sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unrest/output.h"
#include "unrest/scenario.h"

/* Whether `folder` holds the units of shard K of N of the sweep, all done. */
static bool sweep_complete(const struct ur_sweep *sweep, const char *folder, unsigned shard,
			   unsigned shards)
{
	char *path = ur_path_join(folder, "manifest.cfg");
	if (!path)
		return false;
	struct ur_diag d;
	ur_diag_init(&d, 1);
	enum ur_scenario_status st;
	struct ur_sweep_manifest *m = ur_sweep_manifest_read(path, &d, &st);
	free(path);
	ur_diag_finish(&d);
	if (!m)
		return false;
	uint64_t R = ur_sweep_replications(sweep), total = ur_sweep_points(sweep) * R;
	uint64_t want = 0, done = 0;
	for (uint64_t u = 0; u < total; u++)
		want += u % shards == shard - 1;
	bool ok = m->scenario_hash == ur_sweep_hash(sweep);
	for (size_t i = 0; ok && i < m->nunits; i++) {
		uint64_t u = (uint64_t)m->units[i].point * R + m->units[i].replication;
		if (!m->units[i].failed && u % shards == shard - 1)
			done++;
	}
	ur_sweep_manifest_destroy(m);
	return ok && done == want;
}

static int stop(struct ur_sweep_drive_result *result, enum ur_sweep_drive_stage stage,
		int status, const char *message)
{
	result->stage = stage;
	result->status = status;
	snprintf(result->message, sizeof result->message, "%s", message);
	return status;
}

int ur_sweep_drive(const char *dir, const char *name, const struct ur_sweep_options *base,
		   struct ur_sweep_drive_result *result)
{
	memset(result, 0, sizeof *result);
	char cfg_name[256];
	snprintf(cfg_name, sizeof cfg_name, "%s.cfg", name);
	char *cfg = ur_path_join(dir, cfg_name), *folder = ur_path_join(dir, name);
	char **shard_dirs = calloc(base->shards, sizeof *shard_dirs);
	struct ur_sweep *sweep = NULL;
	struct ur_diag d;
	ur_diag_init(&d, 4);
	if (!cfg || !folder || !shard_dirs) {
		stop(result, UR_DRIVE_LOAD, UR_RUN_SOFTWARE, "out of memory");
		goto done;
	}
	enum ur_scenario_status st;
	sweep = ur_sweep_load(cfg, &d, &st);
	if (!sweep) {
		stop(result, UR_DRIVE_LOAD, (int)st,
		     ur_diag_count(&d) ? ur_diag_message(&d, 0) : "cannot load");
		goto done;
	}
	if (base->resume && sweep_complete(sweep, folder, 1, 1))
		goto done;
	for (unsigned k = 0; k < base->shards; k++) {
		char s[300];
		snprintf(s, sizeof s, "%s.shard-%u-of-%u", name, k + 1, base->shards);
		if (!(shard_dirs[k] = ur_path_join(dir, s))) {
			stop(result, UR_DRIVE_LOAD, UR_RUN_SOFTWARE, "out of memory");
			goto done;
		}
	}
	const char *into = base->shards > 1 ? shard_dirs[base->shard - 1] : folder;
	struct ur_sweep_options so = *base;
	so.checkpoint_s = 60;
	so.checkpoint_share = 0.1;
	so.sweep_path = cfg;
	struct ur_sweep_result sr;
	enum ur_run_status rs = UR_RUN_OK;
	if (!(base->resume && base->shards > 1 &&
	      sweep_complete(sweep, into, base->shard, base->shards)))
		rs = ur_sweep_run(sweep, into, &so, &sr);
	if (rs != UR_RUN_OK) {
		stop(result, UR_DRIVE_RUN, (int)rs, sr.message);
		result->signal = rs == UR_RUN_INTERRUPTED ? sr.signal : 0;
		goto done;
	}
	if (base->shards > 1) {
		for (unsigned k = 0; k < base->shards; k++)
			if (!sweep_complete(sweep, shard_dirs[k], k + 1, base->shards)) {
				stop(result, UR_DRIVE_WAITING, 0, "");
				result->waiting_for = k + 1;
				goto done;
			}
		int ms = ur_sweep_merge(folder, (const char *const *)shard_dirs, base->shards,
					base->version, base->argc, base->argv, &sr);
		/* Another shard may have merged it meanwhile: the merge is the same bytes. */
		if (ms != 0 && !sweep_complete(sweep, folder, 1, 1)) {
			stop(result, UR_DRIVE_MERGE, ms, sr.message);
			goto done;
		}
	}
done:
	ur_sweep_destroy(sweep);
	ur_diag_finish(&d);
	if (shard_dirs)
		for (unsigned k = 0; k < base->shards; k++)
			free(shard_dirs[k]);
	free(shard_dirs);
	free(cfg);
	free(folder);
	return result->status;
}
