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
#include "base/file.h"
#include "base/log.h"
#include "base/mem.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Reference files are well under a megabyte; anything this big is not one. */
#define REFDATA_FILE_MAX ((size_t)64 * 1024 * 1024)

#define NS_PER_MS 1000000

int refdata_file_read(struct refdata_file *file, const char *dir, const char *name,
		      const char *what, const char *hint, struct cv_error *err)
{
	struct cv_buf path;
	int rc;

	memset(file, 0, sizeof(*file));
	file->name = name;
	cv_buf_init(&path);
	if (cv_buf_addf(&path, "%s/%s", dir, name) != CV_OK)
		return cv_error_set(err, CV_ENOMEM, name, "out of memory");
	file->path = cv_buf_detach(&path, NULL);
	rc = cv_file_read(file->path, REFDATA_FILE_MAX, name, &file->data, &file->size, err);
	/* Say what the file is and where it comes from, not just that it is missing. */
	if (rc == CV_ENOTFOUND)
		cv_error_set(err, rc, name, "%s not found at %s: %s", what, file->path, hint);
	return rc;
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
