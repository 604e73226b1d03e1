/*
 * file.c: files that appear whole or not at all, and the output folder that holds them
 * (see output.h for the model and the -o policy).
 *
 * Every file operation goes through a descriptor of the folder (openat, renameat,
 * unlinkat, fstatat), so the files land in the folder that was checked even if the
 * process changes its working directory, and the folder can be synced (fsync on the
 * descriptor) to make the renames durable.
 *
 * The folder descriptor also holds an flock(2) for as long as the folder is open, so
 * that a second run into the same folder is refused instead of truncating and renaming
 * the first run's files under it (flock is not POSIX, hence _DEFAULT_SOURCE).
 */
#define _DEFAULT_SOURCE
#include "unrest/output.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define TMP_SUFFIX ".tmp"
#define MANIFEST_NAME "manifest.cfg"

/* The names unrestsim writes into an output folder. The -o policy accepts an existing
 * folder that holds nothing else (each may also be there with ".tmp" appended). */
static const char *const known_names[] = {
	"summary.csv",
	"national.csv",
	"timeseries.csv",
	"events.csv",
	"scenario.cfg",
	MANIFEST_NAME,
	"sweep.csv",
	"sweep_stats.csv",
	"sweep.cfg",
};
#define NKNOWN (sizeof known_names / sizeof known_names[0])

struct ur_atomic_file {
	int dirfd;           /* the folder, our own descriptor */
	FILE *stream;        /* the temporary file; NULL once finished */
	char *path;          /* DIR/NAME, for messages */
	char *name;          /* NAME */
	char *tmp_name;      /* NAME.tmp */
	int write_errno;     /* the first write error, 0 if none */
};

struct ur_output {
	int dirfd;
	char *dir;
	size_t nfiles;
	struct ur_atomic_file *files[NKNOWN];
	bool committed;
};

__attribute__((format(printf, 3, 4)))
static void set_error(struct ur_output_error *err, enum ur_output_status status,
		      const char *fmt, ...)
{
	if (!err)
		return;
	err->status = status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

/* The system's reason for errnum; strerror_r (the POSIX one, which _POSIX_C_SOURCE
 * selects) because strerror may share a buffer between threads. */
static const char *reason(int errnum, char *buf, size_t size)
{
	if (strerror_r(errnum, buf, size) != 0)
		snprintf(buf, size, "error %d", errnum);
	return buf;
}

static void set_errno_error(struct ur_output_error *err, enum ur_output_status status,
			    const char *path, int errnum)
{
	char buf[128];
	set_error(err, status, "%s: %s", path, reason(errnum, buf, sizeof buf));
}

/* "a" + "/" + "b", with no doubled '/'; NULL when out of memory. */
static char *join(const char *a, const char *sep, const char *b)
{
	size_t la = strlen(a), lsep = strlen(sep), lb = strlen(b);
	if (lsep == 1 && sep[0] == '/' && la > 0 && a[la - 1] == '/')
		lsep = 0;
	char *s = malloc(la + lsep + lb + 1);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, sep, lsep);
	memcpy(s + la + lsep, b, lb + 1);
	return s;
}

bool ur_output_known_name(const char *name)
{
	assert(name);
	size_t n = strlen(name);
	size_t ls = strlen(TMP_SUFFIX);
	if (n > ls && strcmp(name + n - ls, TMP_SUFFIX) == 0)
		n -= ls;
	for (size_t i = 0; i < NKNOWN; i++)
		if (strlen(known_names[i]) == n && strncmp(name, known_names[i], n) == 0)
			return true;
	return false;
}

/* ---- atomic files ------------------------------------------------------------------ */

static struct ur_atomic_file *atomic_create_at(int dirfd, const char *dir,
					       const char *name,
					       struct ur_output_error *err)
{
	assert(name && !strchr(name, '/') && name[0] != '\0');
	struct ur_atomic_file *file = calloc(1, sizeof *file);
	if (!file)
		goto nomem;
	file->dirfd = -1;
	file->path = join(dir, "/", name);
	file->name = join(name, "", "");
	file->tmp_name = join(name, "", TMP_SUFFIX);
	if (!file->path || !file->name || !file->tmp_name)
		goto nomem;
	file->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (file->dirfd < 0) {
		set_errno_error(err, UR_OUTPUT_CANTCREAT, dir, errno);
		goto fail;
	}
	/* O_TRUNC replaces a stale NAME.tmp of a killed run; O_NOFOLLOW refuses to
	 * write through a symbolic link planted under that name. */
	int fd = openat(file->dirfd, file->tmp_name,
			O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		char *tmp_path = join(dir, "/", file->tmp_name);
		set_errno_error(err, UR_OUTPUT_CANTCREAT, tmp_path ? tmp_path : name, errno);
		free(tmp_path);
		goto fail;
	}
	file->stream = fdopen(fd, "w");
	if (!file->stream) {
		close(fd);
		unlinkat(file->dirfd, file->tmp_name, 0);
		goto nomem;
	}
	return file;
nomem:
	set_error(err, UR_OUTPUT_NOMEM, "%s: out of memory", name);
fail:
	ur_atomic_file_destroy(file);
	return NULL;
}

struct ur_atomic_file *ur_atomic_file_create(const char *dir, const char *name,
					     struct ur_output_error *err)
{
	assert(dir && name);
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		set_errno_error(err, UR_OUTPUT_CANTCREAT, dir, errno);
		return NULL;
	}
	struct ur_atomic_file *file = atomic_create_at(dirfd, dir, name, err);
	close(dirfd);
	return file;
}

int ur_atomic_file_write(struct ur_atomic_file *file, const void *data, size_t len)
{
	assert(file && file->stream && (data || len == 0));
	if (file->write_errno)
		return -1;
	if (len > 0 && fwrite(data, 1, len, file->stream) != len) {
		file->write_errno = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

FILE *ur_atomic_file_stream(struct ur_atomic_file *file)
{
	assert(file && file->stream);
	return file->stream;
}

enum ur_output_status ur_atomic_file_commit(struct ur_atomic_file *file,
					    struct ur_output_error *err)
{
	assert(file && file->stream);
	int errnum = file->write_errno;
	/* A stream handed out by ur_atomic_file_stream reports its errors here. */
	if (!errnum && (fflush(file->stream) != 0 || ferror(file->stream)))
		errnum = errno ? errno : EIO;
	/* The data must be on the disk before the rename makes the name point at it,
	 * or a crash could leave a whole-looking name on an empty file. */
	if (!errnum && fsync(fileno(file->stream)) != 0)
		errnum = errno;
	if (fclose(file->stream) != 0 && !errnum)
		errnum = errno ? errno : EIO;
	file->stream = NULL;
	if (!errnum && renameat(file->dirfd, file->tmp_name, file->dirfd, file->name) != 0)
		errnum = errno;
	if (errnum) {
		unlinkat(file->dirfd, file->tmp_name, 0);
		set_errno_error(err, UR_OUTPUT_IOERR, file->path, errnum);
		return UR_OUTPUT_IOERR;
	}
	return UR_OUTPUT_OK;
}

void ur_atomic_file_destroy(struct ur_atomic_file *file)
{
	if (!file)
		return;
	if (file->stream) {
		fclose(file->stream);
		unlinkat(file->dirfd, file->tmp_name, 0);
	}
	if (file->dirfd >= 0)
		close(file->dirfd);
	free(file->tmp_name);
	free(file->name);
	free(file->path);
	free(file);
}

/* ---- the output folder ------------------------------------------------------------- */

/* Creates `dir` and its missing parents, as mkdir -p does. 0, or -1 with errno. */
static int make_dirs(const char *dir)
{
	char *path = join(dir, "", "");
	if (!path) {
		errno = ENOMEM;
		return -1;
	}
	int result = 0;
	/* Each prefix ending before a '/' (but not the root's '/'), then the whole. */
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			result = -1;
			break;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(path);
	return result;
}

/* Checks that the folder holds only unrestsim's files (as regular files). OK, or
 * CANTCREAT naming the first file that is not, or saying why it cannot be read. */
static enum ur_output_status check_folder(int dirfd, const char *dir,
					  struct ur_output_error *err)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		int errnum = errno;
		if (fd >= 0)
			close(fd);
		set_errno_error(err, UR_OUTPUT_CANTCREAT, dir, errnum);
		return UR_OUTPUT_CANTCREAT;
	}
	/* The descriptor shares its offset with the folder's own: start from the top. */
	rewinddir(d);
	enum ur_output_status status = UR_OUTPUT_OK;
	struct dirent *entry;
	errno = 0;
	while ((entry = readdir(d)) != NULL) {
		const char *name = entry->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		struct stat st;
		bool ours = ur_output_known_name(name) &&
			    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode);
		if (!ours) {
			set_error(err, UR_OUTPUT_CANTCREAT,
				  "%s: not empty and not an unrestsim output folder (it holds "
				  "'%s'); refusing to write into it",
				  dir, name);
			status = UR_OUTPUT_CANTCREAT;
			break;
		}
		errno = 0;
	}
	if (status == UR_OUTPUT_OK && errno != 0) {
		set_errno_error(err, UR_OUTPUT_CANTCREAT, dir, errno);
		status = UR_OUTPUT_CANTCREAT;
	}
	closedir(d);
	return status;
}

/* ur_output_open up to the point where it changes the folder: the folder made (with
 * its parents) if missing, opened, locked, and its files checked. */
static struct ur_output *open_checked(const char *dir, struct ur_output_error *err)
{
	assert(dir);
	struct ur_output *out = calloc(1, sizeof *out);
	if (!out || !(out->dir = join(dir, "", ""))) {
		set_error(err, UR_OUTPUT_NOMEM, "%s: out of memory", dir);
		free(out);
		return NULL;
	}
	out->dirfd = -1;
	if (dir[0] == '\0') {
		set_error(err, UR_OUTPUT_CANTCREAT, "the output folder has an empty name");
		goto fail;
	}
	if (make_dirs(dir) != 0) {
		set_errno_error(err, UR_OUTPUT_CANTCREAT, dir, errno);
		goto fail;
	}
	out->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (out->dirfd < 0) {
		set_errno_error(err, UR_OUTPUT_CANTCREAT, dir, errno);
		goto fail;
	}
	/* Before anything in the folder is looked at or touched. A file system without
	 * flock support (some network file systems) runs unguarded, as before. */
	if (flock(out->dirfd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
		set_error(err, UR_OUTPUT_CANTCREAT,
			  "%s: another unrestsim run is writing this folder; refusing to write "
			  "into it", dir);
		goto fail;
	}
	if (check_folder(out->dirfd, dir, err) != UR_OUTPUT_OK)
		goto fail;
	return out;
fail:
	ur_output_destroy(out);
	return NULL;
}

int ur_output_check(const char *dir, struct ur_output_error *err)
{
	struct ur_output *out = open_checked(dir, err);
	if (!out)
		return err->status;
	ur_output_destroy(out); /* nothing begun: the folder is left as it was */
	return UR_OUTPUT_OK;
}

struct ur_output *ur_output_open(const char *dir, struct ur_output_error *err)
{
	struct ur_output *out = open_checked(dir, err);
	if (!out)
		return NULL;
	/* From here the folder no longer claims to hold a complete earlier run. */
	if (unlinkat(out->dirfd, MANIFEST_NAME, 0) != 0 && errno != ENOENT) {
		char *path = join(dir, "/", MANIFEST_NAME);
		set_errno_error(err, UR_OUTPUT_CANTCREAT, path ? path : dir, errno);
		free(path);
		ur_output_destroy(out);
		return NULL;
	}
	return out;
}

const char *ur_output_dir(const struct ur_output *out)
{
	assert(out);
	return out->dir;
}

static bool begun(const struct ur_output *out, const char *name)
{
	for (size_t i = 0; i < out->nfiles; i++)
		if (strcmp(out->files[i]->name, name) == 0)
			return true;
	return false;
}

struct ur_atomic_file *ur_output_begin(struct ur_output *out, const char *name,
				       struct ur_output_error *err)
{
	assert(out && name && !out->committed);
	assert(ur_output_known_name(name) && strcmp(name, MANIFEST_NAME) != 0);
	assert(!strstr(name, TMP_SUFFIX) && !begun(out, name));
	assert(out->nfiles < NKNOWN);
	struct ur_atomic_file *file = atomic_create_at(out->dirfd, out->dir, name, err);
	if (file)
		out->files[out->nfiles++] = file;
	return file;
}

/* Removes the known files (and temporary files) that this run did not begin: an
 * earlier run's, which would otherwise sit beside this run's as if they were its. */
static enum ur_output_status remove_stale(struct ur_output *out,
					  struct ur_output_error *err)
{
	int fd = fcntl(out->dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		int errnum = errno;
		if (fd >= 0)
			close(fd);
		set_errno_error(err, UR_OUTPUT_IOERR, out->dir, errnum);
		return UR_OUTPUT_IOERR;
	}
	rewinddir(d); /* the offset is shared with the folder's descriptor */
	/* Collected first: removing entries while reading the folder may skip some. */
	char *stale[2 * NKNOWN];
	size_t nstale = 0;
	enum ur_output_status status = UR_OUTPUT_OK;
	struct dirent *entry;
	while ((entry = readdir(d)) != NULL) {
		const char *name = entry->d_name;
		if (!ur_output_known_name(name) || begun(out, name) || nstale == 2 * NKNOWN)
			continue;
		if (!(stale[nstale] = join(name, "", ""))) {
			set_error(err, UR_OUTPUT_NOMEM, "%s: out of memory", out->dir);
			status = UR_OUTPUT_NOMEM;
			break;
		}
		nstale++;
	}
	closedir(d);
	for (size_t i = 0; i < nstale; i++) {
		if (status == UR_OUTPUT_OK && unlinkat(out->dirfd, stale[i], 0) != 0 &&
		    errno != ENOENT) {
			char *path = join(out->dir, "/", stale[i]);
			set_errno_error(err, UR_OUTPUT_IOERR, path ? path : out->dir, errno);
			free(path);
			status = UR_OUTPUT_IOERR;
		}
		free(stale[i]);
	}
	return status;
}

enum ur_output_status ur_output_commit(struct ur_output *out,
				       const struct ur_manifest *manifest,
				       struct ur_output_error *err)
{
	assert(out && manifest && !out->committed);
	out->committed = true;
	const char *names[NKNOWN];
	size_t renamed = 0;
	enum ur_output_status status = UR_OUTPUT_OK;
	for (size_t i = 0; i < out->nfiles && status == UR_OUTPUT_OK; i++) {
		names[i] = out->files[i]->name;
		status = ur_atomic_file_commit(out->files[i], err);
		if (status == UR_OUTPUT_OK)
			renamed++;
	}
	if (status == UR_OUTPUT_OK)
		status = remove_stale(out, err);
	if (status == UR_OUTPUT_OK) {
		struct ur_atomic_file *file = atomic_create_at(out->dirfd, out->dir,
							       MANIFEST_NAME, err);
		if (!file) {
			status = err ? err->status : UR_OUTPUT_CANTCREAT;
		} else {
			struct ur_manifest m = *manifest;
			m.nfiles = out->nfiles;
			m.files = names;
			/* Its write errors are found by the commit. */
			ur_manifest_write(ur_atomic_file_stream(file), &m);
			status = ur_atomic_file_commit(file, err);
			ur_atomic_file_destroy(file);
		}
	}
	if (status == UR_OUTPUT_OK && fsync(out->dirfd) != 0) {
		set_errno_error(err, UR_OUTPUT_IOERR, out->dir, errno);
		status = UR_OUTPUT_IOERR;
	}
	/* A run that failed leaves none of its files: those already renamed are whole,
	 * but without a manifest nothing would say they belong together. (The files not
	 * yet renamed are removed by ur_output_destroy.) */
	if (status != UR_OUTPUT_OK)
		for (size_t i = 0; i < renamed; i++)
			unlinkat(out->dirfd, names[i], 0);
	return status;
}

void ur_output_destroy(struct ur_output *out)
{
	if (!out)
		return;
	for (size_t i = 0; i < out->nfiles; i++)
		ur_atomic_file_destroy(out->files[i]);
	if (out->dirfd >= 0)
		close(out->dirfd);
	free(out->dir);
	free(out);
}
