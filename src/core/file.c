/* file.c — whole-file read (regular files only, size checked before reading), atomic
 * fsync'd write, checked write/sync loops shared by the trace, mkdir -p, and the write-fault
 * hook the tests use to play a full or failing disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/common.h"

/* ---- fault injection ------------------------------------------------------------------ */

/* One hook per kind of operation: the Nth call (counted from the first one this process
 * makes, or from magi__fault_set) fails with err_no instead of reaching the kernel. */
struct fault {
	atomic_long count;
	long fail_at; /* 0: never */
	int err_no;
	const char *env;
};
static struct fault write_fault = {.env = "MAGI_FAULT_WRITE"};
static struct fault sync_fault = {.env = "MAGI_FAULT_SYNC"};
static atomic_int faults_read;

static bool parse_fault(const char *spec, long *at, int *err_no)
{
	*at = 0;
	*err_no = ENOSPC;
	if (!spec || !*spec)
		return true;
	char num[32];
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	if (n == 0 || n >= sizeof num)
		return false;
	memcpy(num, spec, n);
	num[n] = '\0';
	if (!magi__parse_long(num, 1, 1L << 40, at))
		return false;
	if (colon) {
		static const struct {
			const char *name;
			int no;
		} names[] = {{"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EROFS", EROFS}, {"EDQUOT", EDQUOT}, {"EFBIG", EFBIG}};
		for (size_t i = 0; i < MAGI_ARRAY_LEN(names); i++)
			if (!strcmp(colon + 1, names[i].name)) {
				*err_no = names[i].no;
				return true;
			}
		return false;
	}
	return true;
}

static void fault_arm(struct fault *f, const char *spec)
{
	long at;
	int no;
	if (!parse_fault(spec, &at, &no)) {
		MAGI_WARN("%s='%s' is not N or N:ENOSPC|EIO|EROFS|EDQUOT|EFBIG; no fault injected", f->env, spec);
		at = 0;
	}
	f->fail_at = at;
	f->err_no = no;
	atomic_store(&f->count, 0);
}

void magi__fault_set(const char *write_spec, const char *sync_spec)
{
	fault_arm(&write_fault, write_spec);
	fault_arm(&sync_fault, sync_spec);
	atomic_store(&faults_read, 1);
}

/* True (errno set) when this call is the one the hook fails. */
static bool fault_hit(struct fault *f)
{
	if (!atomic_exchange(&faults_read, 1)) {
		fault_arm(&write_fault, getenv(write_fault.env));
		fault_arm(&sync_fault, getenv(sync_fault.env));
	}
	if (!f->fail_at)
		return false;
	if (atomic_fetch_add(&f->count, 1) + 1 != f->fail_at)
		return false;
	errno = f->err_no;
	return true;
}

/* ---- checked writes -------------------------------------------------------------------- */

magi_status magi__fd_write_all(int fd, const void *data, size_t n, const char *path, struct magi_error *err)
{
	const char *p = data;
	size_t left = n;
	while (left) {
		ssize_t w = fault_hit(&write_fault) ? -1 : write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			return magi_error_set(err, MAGI_ERR_IO, "cannot write %s: %s (%zu of %zu bytes written)", path,
					      strerror(e), n - left, n);
		}
		if (w == 0)
			return magi_error_set(err, MAGI_ERR_IO, "cannot write %s: the write made no progress (%zu of %zu bytes written)",
					      path, n - left, n);
		p += w;
		left -= (size_t)w;
	}
	return MAGI_OK;
}

magi_status magi__fd_sync(int fd, bool data_only, const char *path, struct magi_error *err)
{
	int r;
	if (fault_hit(&sync_fault))
		r = -1;
	else
		r = data_only ? fdatasync(fd) : fsync(fd);
	if (r != 0)
		return magi_error_set(err, MAGI_ERR_IO, "cannot sync %s to disk: %s", path, strerror(errno));
	return MAGI_OK;
}

bool magi__path_is_url(const char *path)
{
	/* scheme "://" with a scheme of letters, digits, + - . (RFC 3986), e.g. https, rtsp */
	const char *p = path;
	if (!p || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+' ||
	       *p == '-' || *p == '.')
		p++;
	return !strncmp(p, "://", 3);
}

const char *magi__file_kind(unsigned int m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO (named pipe)" : S_ISCHR(m) ? "a character device"
	     : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* ---- read --------------------------------------------------------------------------------- */

magi_status magi_file_read_fd(int fd, const char *name, struct magi_buf *out, struct magi_error *err)
{
	char chunk[65536];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return magi_error_set(err, MAGI_ERR_IO, "cannot read %s: %s", name, strerror(errno));
		}
		if (r == 0)
			return MAGI_OK;
		magi_status s = magi_buf_append(out, chunk, (size_t)r);
		if (s)
			return magi_error_set(err, s, "%s is larger than the %zu-byte limit", name, out->max);
	}
}

magi_status magi_file_read(const char *path, struct magi_buf *out, struct magi_error *err)
{
	if (!path || !*path)
		return magi_error_set(err, MAGI_ERR_INVALID, "no file name given");
	if (magi__path_is_url(path))
		return magi_error_set(err, MAGI_ERR_UNSUPPORTED,
				      "%s: URLs are not supported yet; download the file and give its path", path);
	/* Refused before opening: opening a FIFO blocks until a writer comes, and /dev/zero
	 * never ends. Only regular files are read, and only when they fit the buffer's cap. */
	struct stat st;
	if (stat(path, &st) != 0)
		return magi_error_set(err, errno == ENOENT ? MAGI_ERR_NOT_FOUND : MAGI_ERR_IO, "cannot open %s: %s", path,
				      strerror(errno));
	if (S_ISDIR(st.st_mode))
		return magi_error_set(err, MAGI_ERR_IO, "%s is a directory, not a file", path);
	if (!S_ISREG(st.st_mode))
		return magi_error_set(err, MAGI_ERR_IO, "%s is %s, not a regular file; magi reads only regular files",
				      path, magi__file_kind(st.st_mode));
	if ((unsigned long long)st.st_size > out->max - out->len)
		return magi_error_set(err, MAGI_ERR_LIMIT, "%s is larger than the %zu-byte limit (%lld bytes)", path,
				      out->max, (long long)st.st_size);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return magi_error_set(err, errno == ENOENT ? MAGI_ERR_NOT_FOUND : MAGI_ERR_IO, "cannot open %s: %s", path,
				      strerror(errno));
	/* the name may have been swapped for something else between stat and open */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return magi_error_set(err, MAGI_ERR_IO, "%s changed while it was opened and is not a regular file now",
				      path);
	}
	magi_status s = magi_file_read_fd(fd, path, out, err);
	close(fd);
	return s;
}

/* ---- write -------------------------------------------------------------------------------- */

magi_status magi_file_write(const char *path, const void *data, size_t n, struct magi_error *err)
{
	return magi__file_write_sync(path, data, n, true, err);
}

magi_status magi__file_write_sync(const char *path, const void *data, size_t n, bool sync, struct magi_error *err)
{
	static atomic_uint seq;
	if (!path || !*path)
		return magi_error_set(err, MAGI_ERR_INVALID, "no file name given");
	size_t pl = strlen(path);
	char *tmp = malloc(pl + 48);
	if (!tmp)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	/* pid and a counter: two threads saving the same name never share a temp file */
	snprintf(tmp, pl + 48, "%s.tmp.%ld.%u", path, (long)getpid(), atomic_fetch_add(&seq, 1));
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		magi_status s = magi_error_set(err, MAGI_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return s;
	}
	magi_status s = magi__fd_write_all(fd, data, n, path, err);
	struct stat st;
	/* a short file must never take the real name: the length on disk is checked too */
	if (!s && (fstat(fd, &st) != 0 || (size_t)st.st_size != n))
		s = magi_error_set(err, MAGI_ERR_IO, "cannot write %s: %lld of %zu bytes reached the file", path,
				   (long long)st.st_size, n);
	if (!s && sync)
		s = magi__fd_sync(fd, false, path, err);
	if (close(fd) != 0 && !s)
		s = magi_error_set(err, MAGI_ERR_IO, "cannot write %s: closing it failed: %s", path, strerror(errno));
	if (!s && rename(tmp, path) != 0)
		s = magi_error_set(err, MAGI_ERR_IO, "cannot write %s: renaming %s to it failed: %s", path, tmp,
				   strerror(errno));
	if (s)
		unlink(tmp);
	free(tmp);
	return s;
}

magi_status magi_mkdirs(const char *path, struct magi_error *err)
{
	char *p = magi__strdup(path);
	if (!p)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST) {
				magi_status st = magi_error_set(err, MAGI_ERR_IO, "cannot create directory %s: %s",
								p, strerror(errno));
				free(p);
				return st;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return MAGI_OK;
}
