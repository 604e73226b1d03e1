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
 *
 * What is ours. The folder's manifest.cfg lists its files (`files = [ ... ]`); only
 * those, the manifest itself and temporary files (NAME.tmp, NAME a known name) are
 * ever replaced or removed. The list is read here by a dozen lines of hand-written
 * code rather than by libconfig, which only the scenario module includes (DESIGN.md,
 * layers): ur_manifest_write puts it on one line of a fixed form, and anything else
 * is not taken as a manifest of ours.
 *
 * Commits in order (output.h): data files renamed, then the manifest, each rename
 * after its data is synced, and the folder synced before the manifest, so at every
 * instant the manifest on disk claims only units whose rows are in the files on disk.
 *
 * Compression. A file whose name ends in ".gz" is written through zlib's deflate as
 * one gzip member whose header holds no time and no name (zlib's own gzip wrapper,
 * deflateInit2 with windowBits 16 + 15, writes mtime 0 and no name), so the same rows
 * give the same bytes; the compressed bytes go through the same temporary file, sync
 * and rename as any other file.
 *
 * Fault injection (a test hook, docs/output.md): UNRESTSIM_FAULT=exit:N or fail:N
 * makes the N-th step of the folder's writes (a create, write, flush, sync, close,
 * rename or remove, counted from ur_output_open) end the process at once with status
 * UR_OUTPUT_FAULT_EXIT, as a kill would, or fail with EIO, as a full disk would. The
 * variable is read once per opened folder; unset, it costs one branch a step.
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
#include <zlib.h>

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
	"summary.csv.gz",
	"national.csv.gz",
	"timeseries.csv.gz",
	"events.csv.gz",
	"sweep_national.csv",
	"point_series.csv",
	"point_series.csv.gz",
};
#define NKNOWN (sizeof known_names / sizeof known_names[0])

struct ur_output;

struct ur_atomic_file {
	struct ur_output *out; /* the folder it belongs to, for fault injection, or NULL */
	int dirfd;           /* the folder, our own descriptor */
	FILE *stream;        /* the temporary file; NULL once finished */
	char *path;          /* DIR/NAME, for messages */
	char *name;          /* NAME */
	char *tmp_name;      /* NAME.tmp */
	int write_errno;     /* the first write error, 0 if none */
	z_stream *gzip;      /* the deflate state of a NAME.gz, or NULL */
};

/* Bytes of compressed output handed to stdio at a time. */
#define GZIP_CHUNK 65536

/* Deflates the input in gz->next_in (all of it) with `flush`, writing the output to
 * the stream. 0, or -1 with errno set. */
static int gzip_pump(struct ur_atomic_file *file, int flush)
{
	z_stream *z = file->gzip;
	unsigned char out[GZIP_CHUNK];
	int rc;
	do {
		z->next_out = out;
		z->avail_out = sizeof out;
		rc = deflate(z, flush);
		if (rc == Z_STREAM_ERROR) {
			errno = EIO;
			return -1;
		}
		size_t have = sizeof out - z->avail_out;
		if (have > 0 && fwrite(out, 1, have, file->stream) != have)
			return -1;
	} while (z->avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
	return 0;
}

static bool gzip_name(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, ".gz") == 0;
}

struct ur_output {
	int dirfd;
	char *dir;
	size_t nfiles;                     /* begun since the last commit */
	struct ur_atomic_file *files[NKNOWN];
	/* The known names the manifest on disk lists (owned[i] for known_names[i]). */
	bool owned[NKNOWN];
	/* Units the manifest on disk claims (its units_total), or 0: none, or none
	 * that this output may rely on (an earlier run's). */
	bool claims;
	/* The manifest on disk stays true under this output's files (a resumed sweep's
	 * rows only grow): the first commit need not withdraw its claims first. */
	bool continues;
	unsigned commits;                  /* successful commits */
	bool wrote_manifest;               /* the manifest on disk is this output's */
	bool failed;                       /* a commit failed: only destroy may follow */
	/* Fault injection (see above): the step to stop at (0: none), and steps so far. */
	long fault_at;
	bool fault_exit;
	long steps;
};

/* One step of the folder's writes; -1 with errno = EIO at the injected fault. */
static int fault_step(struct ur_output *out)
{
	if (!out || out->fault_at <= 0 || ++out->steps != out->fault_at)
		return 0;
	if (out->fault_exit)
		_exit(UR_OUTPUT_FAULT_EXIT);
	errno = EIO;
	return -1;
}

static void fault_setup(struct ur_output *out)
{
	const char *spec = getenv("UNRESTSIM_FAULT");
	if (!spec)
		return;
	bool exit_mode = strncmp(spec, "exit:", 5) == 0;
	if (!exit_mode && strncmp(spec, "fail:", 5) != 0)
		return;
	char *end;
	long n = strtol(spec + 5, &end, 10);
	if (*end != '\0' || n <= 0)
		return;
	out->fault_at = n;
	out->fault_exit = exit_mode;
}

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

char *ur_path_join(const char *dir, const char *name)
{
	return join(dir, "/", name);
}


/* The index of `name` (without ".tmp") in known_names, or -1; *tmp says whether it
 * had the suffix. */
static long known_index(const char *name, bool *tmp)
{
	size_t n = strlen(name);
	size_t ls = strlen(TMP_SUFFIX);
	*tmp = n > ls && strcmp(name + n - ls, TMP_SUFFIX) == 0;
	if (*tmp)
		n -= ls;
	for (size_t i = 0; i < NKNOWN; i++)
		if (strlen(known_names[i]) == n && strncmp(name, known_names[i], n) == 0)
			return (long)i;
	return -1;
}

bool ur_output_known_name(const char *name)
{
	assert(name);
	bool tmp;
	return known_index(name, &tmp) >= 0;
}

/* ---- atomic files ------------------------------------------------------------------ */

static struct ur_atomic_file *atomic_create_at(struct ur_output *out, int dirfd,
					       const char *dir, const char *name,
					       struct ur_output_error *err)
{
	assert(name && !strchr(name, '/') && name[0] != '\0');
	struct ur_atomic_file *file = calloc(1, sizeof *file);
	if (!file)
		goto nomem;
	file->out = out;
	file->dirfd = -1;
	file->path = ur_path_join(dir, name);
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
	int fd = fault_step(out) != 0 ? -1
		 : openat(file->dirfd, file->tmp_name,
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
	if (gzip_name(name)) {
		file->gzip = calloc(1, sizeof *file->gzip);
		if (!file->gzip)
			goto nomem;
		/* 15 + 16: a 32 KiB window with a gzip header and trailer. */
		if (deflateInit2(file->gzip, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK) {
			free(file->gzip);
			file->gzip = NULL;
			goto nomem;
		}
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
	struct ur_atomic_file *file = atomic_create_at(NULL, dirfd, dir, name, err);
	close(dirfd);
	return file;
}

int ur_atomic_file_write(struct ur_atomic_file *file, const void *data, size_t len)
{
	assert(file && file->stream && (data || len == 0));
	if (file->write_errno)
		return -1;
	if (len == 0)
		return 0;
	int failed = fault_step(file->out);
	if (!failed && file->gzip) {
		const unsigned char *p = data;
		/* avail_in is an unsigned int: feed a huge buffer in parts. */
		while (!failed && len > 0) {
			size_t part = len < (1u << 30) ? len : (1u << 30);
			file->gzip->next_in = (unsigned char *)(uintptr_t)p;
			file->gzip->avail_in = (unsigned)part;
			failed = gzip_pump(file, Z_NO_FLUSH);
			p += part;
			len -= part;
		}
	} else if (!failed && fwrite(data, 1, len, file->stream) != len) {
		failed = -1;
	}
	if (failed) {
		file->write_errno = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

FILE *ur_atomic_file_stream(struct ur_atomic_file *file)
{
	assert(file && file->stream && !file->gzip);
	return file->stream;
}

/* Ends the deflate stream of a NAME.gz (its last block and the gzip trailer) and
 * frees its state. 0, or -1 with errno. */
static int gzip_end(struct ur_atomic_file *file, bool finish)
{
	if (!file->gzip)
		return 0;
	int rc = 0;
	if (finish) {
		file->gzip->next_in = NULL;
		file->gzip->avail_in = 0;
		rc = gzip_pump(file, Z_FINISH);
	}
	deflateEnd(file->gzip);
	free(file->gzip);
	file->gzip = NULL;
	return rc;
}

enum ur_output_status ur_atomic_file_commit(struct ur_atomic_file *file,
					    struct ur_output_error *err)
{
	assert(file && file->stream);
	int errnum = file->write_errno;
	if (gzip_end(file, !errnum) != 0 && !errnum)
		errnum = errno ? errno : EIO;
	/* A stream handed out by ur_atomic_file_stream reports its errors here. */
	if (!errnum && (fault_step(file->out) != 0 || fflush(file->stream) != 0 ||
			ferror(file->stream)))
		errnum = errno ? errno : EIO;
	/* The data must be on the disk before the rename makes the name point at it,
	 * or a crash could leave a whole-looking name on an empty file. */
	if (!errnum && (fault_step(file->out) != 0 || fsync(fileno(file->stream)) != 0))
		errnum = errno;
	if (fclose(file->stream) != 0 && !errnum)
		errnum = errno ? errno : EIO;
	file->stream = NULL;
	if (!errnum && (fault_step(file->out) != 0 ||
			renameat(file->dirfd, file->tmp_name, file->dirfd, file->name) != 0))
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
	gzip_end(file, false);
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


/* Reads the folder's manifest.cfg, if any, into out->owned and out->claims. OK (also
 * when there is none), or CANTCREAT when something of that name is there that is not
 * a manifest of ours: then nothing in the folder is ours to replace. */
static enum ur_output_status read_manifest(struct ur_output *out,
					   struct ur_output_error *err)
{
	int fd = openat(out->dirfd, MANIFEST_NAME, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return UR_OUTPUT_OK;
	struct stat st;
	FILE *f = NULL;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		f = fdopen(fd, "r");
	if (!f) {
		if (fd >= 0)
			close(fd);
		set_error(err, UR_OUTPUT_CANTCREAT,
			  "%s: its manifest.cfg is not a readable file; refusing to write into "
			  "the folder", out->dir);
		return UR_OUTPUT_CANTCREAT;
	}
	char *line = NULL;
	size_t cap = 0;
	bool ours = false, listed = false;
	/* Line by line, up to `units = (`: the settings before it are one a line. */
	for (unsigned lineno = 1; getline(&line, &cap, f) > 0; lineno++) {
		if (lineno == 1) {
			ours = strcmp(line, "program = \"unrestsim\";\n") == 0;
			if (!ours)
				break;
			continue;
		}
		unsigned long long total;
		if (sscanf(line, "units_total = %llu", &total) == 1)
			out->claims = total > 0;
		if (strncmp(line, "units = ", 8) == 0)
			break;
		if (strncmp(line, "files = [", 9) != 0)
			continue;
		/* `files = [ "a", "b" ];`: names of ours have no quote or backslash. */
		listed = true;
		for (char *p = line + 9;;) {
			p += strspn(p, " ,");
			if (*p != '"')
				break;
			char *end = strchr(p + 1, '"');
			if (!end)
				break;
			*end = '\0';
			bool tmp;
			long k = strchr(p + 1, '\\') ? -1 : known_index(p + 1, &tmp);
			if (k >= 0 && !tmp)
				out->owned[k] = true;
			p = end + 1;
		}
	}
	free(line);
	fclose(f);
	if (!ours || !listed) {
		set_error(err, UR_OUTPUT_CANTCREAT,
			  "%s: its manifest.cfg was not written by unrestsim; refusing to "
			  "write into the folder", out->dir);
		return UR_OUTPUT_CANTCREAT;
	}
	return UR_OUTPUT_OK;
}

/* Checks that the folder holds only files of ours: the manifest, the files it lists,
 * and temporary files (NAME.tmp, NAME a known name: an interrupted write's), each a
 * regular file. OK, or CANTCREAT naming the first that is not, or saying why the
 * folder cannot be read. */
static enum ur_output_status check_folder(struct ur_output *out,
					  struct ur_output_error *err)
{
	if (read_manifest(out, err) != UR_OUTPUT_OK)
		return UR_OUTPUT_CANTCREAT;
	int fd = fcntl(out->dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		int errnum = errno;
		if (fd >= 0)
			close(fd);
		set_errno_error(err, UR_OUTPUT_CANTCREAT, out->dir, errnum);
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
		bool tmp;
		long k = known_index(name, &tmp);
		struct stat st;
		bool file = fstatat(out->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode);
		if (k < 0 || !file) {
			set_error(err, UR_OUTPUT_CANTCREAT,
				  "%s: not empty and not an unrestsim output folder (it holds "
				  "'%s'); refusing to write into it",
				  out->dir, name);
			status = UR_OUTPUT_CANTCREAT;
			break;
		}
		if (!tmp && strcmp(name, MANIFEST_NAME) != 0 && !out->owned[k]) {
			set_error(err, UR_OUTPUT_CANTCREAT,
				  "%s: holds '%s', which no manifest.cfg of unrestsim in the folder "
				  "lists (a file of your own, or one left by a run cut short); "
				  "refusing to overwrite it: move it away or choose another folder",
				  out->dir, name);
			status = UR_OUTPUT_CANTCREAT;
			break;
		}
		errno = 0;
	}
	if (status == UR_OUTPUT_OK && errno != 0) {
		set_errno_error(err, UR_OUTPUT_CANTCREAT, out->dir, errno);
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
	if (check_folder(out, err) != UR_OUTPUT_OK)
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
	if (out)
		fault_setup(out);
	return out;
}

void ur_output_continue(struct ur_output *out)
{
	assert(out && out->commits == 0);
	out->continues = true;
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
	assert(out && name && !out->failed);
	assert(ur_output_known_name(name) && strcmp(name, MANIFEST_NAME) != 0);
	assert(!strstr(name, TMP_SUFFIX) && !begun(out, name));
	assert(out->nfiles < NKNOWN);
	struct ur_atomic_file *file = atomic_create_at(out, out->dirfd, out->dir, name, err);
	if (file)
		out->files[out->nfiles++] = file;
	return file;
}

/* Syncs the folder, making the renames and removals before it durable. */
static enum ur_output_status sync_folder(struct ur_output *out, struct ur_output_error *err)
{
	if (fault_step(out) != 0 || fsync(out->dirfd) != 0) {
		set_errno_error(err, UR_OUTPUT_IOERR, out->dir, errno);
		return UR_OUTPUT_IOERR;
	}
	return UR_OUTPUT_OK;
}

/* Writes manifest.cfg (atomically) from `manifest` with the files names[0..n). */
static enum ur_output_status write_manifest(struct ur_output *out,
					    const struct ur_manifest *manifest,
					    const char *const *names, size_t n,
					    struct ur_output_error *err)
{
	struct ur_atomic_file *file = atomic_create_at(out, out->dirfd, out->dir,
						       MANIFEST_NAME, err);
	if (!file)
		return err ? err->status : UR_OUTPUT_CANTCREAT;
	struct ur_manifest m = *manifest;
	m.nfiles = n;
	m.files = names;
	/* Its write errors are found by the commit. */
	if (fault_step(out) != 0)
		file->write_errno = EIO;
	ur_manifest_write(ur_atomic_file_stream(file), &m);
	enum ur_output_status status = ur_atomic_file_commit(file, err);
	ur_atomic_file_destroy(file);
	if (status == UR_OUTPUT_OK)
		out->wrote_manifest = true;
	return status;
}

/* Removes the known files the manifest on disk lists that this commit did not write,
 * and the temporary files of known names not being written: an earlier run's files,
 * which would otherwise sit beside this run's as if they were its. Nothing the
 * manifest does not list is touched. */
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
		bool tmp;
		long k = known_index(name, &tmp);
		if (k < 0 || begun(out, name) || nstale == 2 * NKNOWN ||
		    strcmp(name, MANIFEST_NAME) == 0 || (!tmp && !out->owned[k]))
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
		if (status == UR_OUTPUT_OK &&
		    (fault_step(out) != 0 || unlinkat(out->dirfd, stale[i], 0) != 0) &&
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
	assert(out && manifest && !out->failed);
	const char *names[NKNOWN];
	bool begun_set[NKNOWN] = {false};
	bool orphan = false;
	for (size_t i = 0; i < out->nfiles; i++) {
		names[i] = out->files[i]->name;
		bool tmp;
		long k = known_index(names[i], &tmp);
		assert(k >= 0 && !tmp);
		begun_set[k] = true;
		orphan = orphan || !out->owned[k];
	}
	enum ur_output_status status = UR_OUTPUT_OK;

	/* Before a file is renamed, the manifest on disk must list it (or a kill would
	 * leave a file nothing says is ours) and must not claim units the new files may
	 * not hold (an earlier run's): if either is not so, a manifest claiming no units
	 * and listing both the old files and the new replaces it first. */
	if (orphan || (out->claims && out->commits == 0 && !out->continues)) {
		const char *all[NKNOWN];
		size_t n = 0;
		for (size_t k = 0; k < NKNOWN; k++)
			if (out->owned[k] || begun_set[k])
				all[n++] = known_names[k];
		struct ur_manifest none = *manifest;
		none.nunits = 0;
		none.units = NULL;
		status = write_manifest(out, &none, all, n, err);
		if (status == UR_OUTPUT_OK)
			status = sync_folder(out, err);
		if (status == UR_OUTPUT_OK) {
			for (size_t k = 0; k < NKNOWN; k++)
				out->owned[k] = out->owned[k] || begun_set[k];
			out->claims = false;
		}
	}

	size_t renamed = 0;
	for (size_t i = 0; i < out->nfiles && status == UR_OUTPUT_OK; i++) {
		status = ur_atomic_file_commit(out->files[i], err);
		if (status == UR_OUTPUT_OK)
			renamed++;
	}
	if (status == UR_OUTPUT_OK)
		status = remove_stale(out, err);
	/* The renames are durable before a manifest claims what they hold. */
	if (status == UR_OUTPUT_OK)
		status = sync_folder(out, err);
	if (status == UR_OUTPUT_OK)
		status = write_manifest(out, manifest, names, out->nfiles, err);
	if (status == UR_OUTPUT_OK)
		status = sync_folder(out, err);

	if (status != UR_OUTPUT_OK) {
		out->failed = true;
		/* Files no manifest claims units of are removed: without a manifest that
		 * says they belong together they would only mislead. Files the manifest
		 * on disk claims units of stay: they hold at least those units' rows. */
		if (!out->claims)
			for (size_t i = 0; i < renamed; i++)
				unlinkat(out->dirfd, names[i], 0);
		return status;
	}
	for (size_t i = 0; i < out->nfiles; i++)
		ur_atomic_file_destroy(out->files[i]);
	out->nfiles = 0;
	memcpy(out->owned, begun_set, sizeof out->owned);
	out->claims = manifest->nunits > 0;
	out->commits++;
	return UR_OUTPUT_OK;
}

void ur_output_destroy(struct ur_output *out)
{
	if (!out)
		return;
	for (size_t i = 0; i < out->nfiles; i++)
		ur_atomic_file_destroy(out->files[i]);
	/* A manifest that claims no units and lists no file left (a run that failed
	 * before its first commit finished) is removed too: the folder is as empty as
	 * it was. */
	if (out->dirfd >= 0 && out->wrote_manifest && !out->claims) {
		bool any = false;
		struct stat st;
		for (size_t k = 0; k < NKNOWN && !any; k++)
			any = out->owned[k] && strcmp(known_names[k], MANIFEST_NAME) != 0 &&
			      fstatat(out->dirfd, known_names[k], &st, AT_SYMLINK_NOFOLLOW) == 0;
		if (!any && unlinkat(out->dirfd, MANIFEST_NAME, 0) == 0)
			fsync(out->dirfd);
	}
	if (out->dirfd >= 0)
		close(out->dirfd);
	free(out->dir);
	free(out);
}
