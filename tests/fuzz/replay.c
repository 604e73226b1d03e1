/*
 * replay.c: runs files through the fuzz harness without libFuzzer, so that every
 * build (gcc included) replays the seeds and the inputs that once crashed it.
 * Usage: fuzz-replay FILE_OR_DIRECTORY... ; a directory stands for the regular files
 * in it (not recursively). Exits 66 when an argument cannot be read; a violated
 * contract aborts inside the harness.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t size = 0, cap = 0, got;

	if (!f) {
		fprintf(stderr, "fuzz-replay: cannot open %s\n", path);
		return 66;
	}
	do {
		if (size == cap) {
			char *b = realloc(buf, cap ? 2 * cap : 4096);
			if (!b) {
				fclose(f);
				free(buf);
				return 70;
			}
			buf = b;
			cap = cap ? 2 * cap : 4096;
		}
		got = fread(buf + size, 1, cap - size, f);
		size += got;
	} while (got > 0);
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)buf, size);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	size_t count = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "fuzz-replay: cannot open %s\n", argv[i]);
			return 66;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;
			if (!d)
				return 66;
			while ((e = readdir(d)) != NULL) {
				char path[4096];
				snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
				if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
					int rc = replay_file(path);
					if (rc) {
						closedir(d);
						return rc;
					}
					count++;
				}
			}
			closedir(d);
		} else {
			int rc = replay_file(argv[i]);
			if (rc)
				return rc;
			count++;
		}
	}
	printf("replayed %zu inputs\n", count);
	return 0;
}
