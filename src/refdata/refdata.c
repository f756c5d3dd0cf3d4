/*
 * refdata.c — refdata_load(): read everything, then write it in one
 * transaction; and the file helpers the other refdata files share.
 *
 * Design (see also refdata_internal.h): all sources are read whole and
 * validated before store_begin(), so the transaction holds the write lock only
 * for the upserts (about 7,500 rows) and a user's mistake in a file never
 * needs a rollback. The rollback path is still there for database failures.
 *
 * Files are small (the HS file is 850 KB), so reading them whole is simpler
 * than streaming and lets the CSV reader hand out fields in place.
 */
#include "refdata/refdata_internal.h"

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reference files are well under a megabyte; anything this big is not one. */
#define REFDATA_FILE_MAX (64L * 1024 * 1024)

#define NS_PER_MS 1000000

/* Read size bytes of fd into file->data (allocated here), stopping early if the file shrank. */
static int read_all(int fd, struct refdata_file *file, size_t size, struct cv_error *err)
{
	size_t got = 0;

	file->data = cv_malloc(size + 1);
	if (!file->data)
		return cv_error_set(err, CV_ENOMEM, file->name, "out of memory reading %s",
				    file->path);
	while (got < size) {
		ssize_t n = read(fd, file->data + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cv_error_set(err, CV_EIO, file->name, "cannot read %s: %s",
					    file->path, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	file->size = got;
	file->data[got] = '\0';
	return CV_OK;
}

/*
 * Open file->path and read it whole. A missing file fails with CV_ENOTFOUND
 * and "<what> not found at <path>: <hint>", or "cannot read <path>: ..." when
 * what is NULL.
 */
static int open_and_read(struct refdata_file *file, const char *what, const char *hint,
			 struct cv_error *err)
{
	struct stat st;
	int fd, rc;

	fd = open(file->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR) && what)
		return cv_error_set(err, CV_ENOTFOUND, file->name, "%s not found at %s: %s", what,
				    file->path, hint);
	if (fd < 0)
		return cv_error_set(err, errno == ENOENT ? CV_ENOTFOUND : CV_EIO, file->name,
				    "cannot read %s: %s", file->path, strerror(errno));
	if (fstat(fd, &st) != 0)
		rc = cv_error_set(err, CV_EIO, file->name, "cannot read %s: %s", file->path,
				  strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = cv_error_set(err, CV_EIO, file->name, "%s is not a regular file", file->path);
	else if (st.st_size > REFDATA_FILE_MAX)
		rc = cv_error_set(err, CV_EINVAL, file->name, "%s is larger than %ld bytes",
				  file->path, REFDATA_FILE_MAX);
	else
		rc = read_all(fd, file, (size_t)st.st_size, err);
	close(fd);
	return rc;
}

int refdata_file_read(struct refdata_file *file, const char *dir, const char *name,
		      const char *what, const char *hint, struct cv_error *err)
{
	struct cv_buf path;

	memset(file, 0, sizeof(*file));
	file->name = name;
	cv_buf_init(&path);
	if (cv_buf_addf(&path, "%s/%s", dir, name) != CV_OK)
		return cv_error_set(err, CV_ENOMEM, name, "out of memory");
	file->path = cv_buf_detach(&path, NULL);
	return open_and_read(file, what, hint, err);
}

int refdata_file_read_path(struct refdata_file *file, const char *path, struct cv_error *err)
{
	memset(file, 0, sizeof(*file));
	file->name = path;
	file->path = cv_strdup(path);
	if (!file->path)
		return cv_error_set(err, CV_ENOMEM, path, "out of memory");
	return open_and_read(file, NULL, NULL, err);
}

void refdata_file_release(struct refdata_file *file)
{
	if (!file)
		return;
	cv_free(file->path);
	cv_free(file->data);
	file->path = NULL;
	file->data = NULL;
	file->size = 0;
}

int refdata_file_error(struct cv_error *err, const struct refdata_file *file, long line,
		       const char *fmt, ...)
{
	char what[CV_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	/* Truncation is acceptable: the message is for people. */
	if (vsnprintf(what, sizeof(what), fmt, ap) < 0)
		what[0] = '\0';
	va_end(ap);
	if (line > 0)
		return cv_error_set(err, CV_EINVAL, file->name, "%s line %ld: %s", file->path, line,
				    what);
	return cv_error_set(err, CV_EINVAL, file->name, "%s: %s", file->path, what);
}

int refdata_db_error(struct cv_error *err, int rc, struct store_conn *conn, const char *fmt, ...)
{
	char what[CV_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(what, sizeof(what), fmt, ap) < 0)
		what[0] = '\0';
	va_end(ap);
	return cv_error_set(err, rc, "db", "%s: %s", what,
			    rc == CV_ENOMEM ? cv_strerror(rc) : store_errmsg(conn));
}

/* Upsert everything read, inside one transaction. */
static int write_all(struct store_conn *conn, const struct refdata_iso *iso,
		     const struct refdata_hs *hs, struct refdata_counts *written,
		     struct cv_error *err)
{
	int rc = store_begin(conn);

	if (rc)
		return refdata_db_error(err, rc, conn,
					"cannot start the reference data transaction");
	rc = refdata_iso_write(conn, iso, written, err);
	if (rc == CV_OK)
		rc = refdata_hs_write(conn, hs, written, err);
	if (rc == CV_OK) {
		rc = store_commit(conn);
		if (rc)
			refdata_db_error(err, rc, conn, "cannot commit the reference data");
	}
	if (rc)
		store_rollback(conn);
	return rc;
}

int refdata_load(struct store_conn *conn, const char *data_dir, const char *iso_codes_dir,
		 struct refdata_counts *counts, struct cv_error *err)
{
	struct refdata_iso iso;
	struct refdata_hs hs;
	struct refdata_counts written;
	int64_t started = cv_clock_monotonic_ns();
	int rc;

	assert(conn && data_dir);
	memset(&iso, 0, sizeof(iso));
	memset(&hs, 0, sizeof(hs));
	memset(&written, 0, sizeof(written));
	cv_error_clear(err);
	if (!iso_codes_dir)
		iso_codes_dir = REFDATA_ISO_CODES_DIR;

	rc = refdata_iso_read(&iso, data_dir, iso_codes_dir, err);
	if (rc == CV_OK)
		rc = refdata_hs_read(&hs, data_dir, err);
	if (rc == CV_OK)
		rc = write_all(conn, &iso, &hs, &written, err);
	if (rc == CV_OK) {
		if (counts)
			*counts = written;
		cv_info("refdata",
			"loaded %ld countries (%ld CAREC), %ld currencies, %ld HS sections, "
			"%ld %s codes in %lld ms",
			written.countries, written.carec, written.currencies, written.hs_sections,
			written.hs_codes, hs.edition,
			(long long)((cv_clock_monotonic_ns() - started) / NS_PER_MS));
	}
	refdata_hs_release(&hs);
	refdata_iso_release(&iso);
	return rc;
}
