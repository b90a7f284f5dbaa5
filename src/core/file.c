/* file.c — whole-file read, atomic fsync'd write, mkdir -p. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/common.h"

magi_status magi_file_read(const char *path, struct magi_buf *out, struct magi_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return magi_error_set(err, errno == ENOENT ? MAGI_ERR_NOT_FOUND : MAGI_ERR_IO,
				      "cannot open %s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return magi_error_set(err, MAGI_ERR_IO, "%s is a directory, not a file", path);
	}
	char chunk[65536];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return magi_error_set(err, MAGI_ERR_IO, "cannot read %s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		magi_status s = magi_buf_append(out, chunk, (size_t)r);
		if (s) {
			close(fd);
			return magi_error_set(err, s, "%s is larger than the %zu-byte limit", path, out->max);
		}
	}
	close(fd);
	return MAGI_OK;
}

magi_status magi_file_write(const char *path, const void *data, size_t n, struct magi_error *err)
{
	size_t pl = strlen(path);
	char *tmp = malloc(pl + 32);
	if (!tmp)
		return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
	snprintf(tmp, pl + 32, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		magi_status s = magi_error_set(err, MAGI_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return s;
	}
	const char *p = data;
	size_t left = n;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			unlink(tmp);
			free(tmp);
			return magi_error_set(err, MAGI_ERR_IO, "cannot write %s: %s", path, strerror(e));
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		free(tmp);
		return magi_error_set(err, MAGI_ERR_IO, "cannot write %s: %s", path, strerror(e));
	}
	free(tmp);
	return MAGI_OK;
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
