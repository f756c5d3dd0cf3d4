/*
 * file.c — see file.h.
 *
 * The size comes from fstat() and the buffer is allocated once; a file that
 * shrinks while it is read is taken as far as it goes, one that grows is
 * taken up to the size it had (a reader never sees a buffer overrun).
 */
#include "base/file.h"

#include "base/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read up to size bytes of fd into a new buffer, stopping early if the file shrank. */
static int read_all(int fd, const char *path, const char *field, size_t size, char **data,
		    size_t *got, struct cv_error *err)
{
	char *buf = cv_malloc(size + 1);

	*got = 0;
	if (!buf)
		return cv_error_set(err, CV_ENOMEM, field, "out of memory reading %s", path);
	while (*got < size) {
		ssize_t n = read(fd, buf + *got, size - *got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int rc = cv_error_set(err, CV_EIO, field, "cannot read %s: %s", path,
					      strerror(errno));

			cv_free(buf);
			return rc;
		}
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	buf[*got] = '\0';
	*data = buf;
	return CV_OK;
}

int cv_file_read(const char *path, size_t max, const char *field, char **data, size_t *size,
		 struct cv_error *err)
{
	struct stat st;
	int fd, rc;

	*data = NULL;
	*size = 0;
	if (!field)
		field = path;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cv_error_set(err, errno == ENOENT || errno == ENOTDIR ? CV_ENOTFOUND : CV_EIO,
				    field, "cannot read %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0)
		rc = cv_error_set(err, CV_EIO, field, "cannot read %s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = cv_error_set(err, CV_EIO, field, "%s is not a regular file", path);
	else if ((unsigned long long)st.st_size > max)
		rc = cv_error_set(err, CV_EINVAL, field, "%s is larger than %zu bytes", path, max);
	else
		rc = read_all(fd, path, field, (size_t)st.st_size, data, size, err);
	close(fd);
	return rc;
}
