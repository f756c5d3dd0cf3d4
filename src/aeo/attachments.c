/* attachments.c — see attachments.h. */
#include "aeo/attachments.h"

#include "base/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct accepted_type {
	const char *content_type;
	const char *magic;
	size_t magic_len;
};

/* The types accepted, with the bytes their files begin with. */
static const struct accepted_type accepted[] = {
	{"application/pdf", "%PDF-", 5},
	{"image/png", "\x89PNG\r\n\x1a\n", 8},
	{"image/jpeg", "\xff\xd8\xff", 3},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04", 4},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK\x03\x04", 4},
	{"application/msword", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8},
	{"application/vnd.ms-excel", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8},
};

#define NACCEPTED (sizeof(accepted) / sizeof(accepted[0]))

static const struct accepted_type *type_of(const char *content_type)
{
	size_t n = content_type ? strcspn(content_type, "; ") : 0;

	for (size_t i = 0; i < NACCEPTED; i++)
		if (n && strlen(accepted[i].content_type) == n &&
		    !strncasecmp(content_type, accepted[i].content_type, n))
			return &accepted[i];
	return NULL;
}

static int filename_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > AEO_FILENAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == '/' || *p == '\\' || *p == '"' || *p == 0x7f)
			return 0;
	return 1;
}

static int mkdir_p(const char *path)
{
	char tmp[1024];
	int n = snprintf(tmp, sizeof(tmp), "%s", path);

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0750) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	return mkdir(tmp, 0750) && errno != EEXIST ? -1 : 0;
}

static void blob_path(const char *dir, const char *sha, char *out, size_t size)
{
	snprintf(out, size, "%s/%.2s/%s", dir, sha, sha);
}

/* Write the bytes under their hash, durably: temporary file, fsync, rename, fsync the folder. */
static int store_blob(const char *dir, const char *sha, const void *data, size_t len,
		      struct cv_error *err)
{
	char folder[1100], path[1200], tmp[1300];
	struct stat st;
	int fd, rc = CV_OK;

	snprintf(folder, sizeof(folder), "%s/%.2s", dir, sha);
	blob_path(dir, sha, path, sizeof(path));
	if (stat(path, &st) == 0 && (size_t)st.st_size == len)
		return CV_OK; /* the same content is already stored */
	if (mkdir_p(folder))
		return cv_error_set(err, CV_EIO, NULL, "cannot create the attachments folder %s: %s",
				    folder, strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s/.upload-XXXXXX", folder);
	fd = mkstemp(tmp);
	if (fd < 0)
		return cv_error_set(err, CV_EIO, NULL, "cannot write an attachment in %s: %s",
				    folder, strerror(errno));
	for (size_t done = 0; done < len && !rc;) {
		ssize_t n = write(fd, (const char *)data + done, len - done);
		if (n < 0 && errno != EINTR)
			rc = CV_EIO;
		else if (n > 0)
			done += (size_t)n;
	}
	if (!rc && fsync(fd))
		rc = CV_EIO;
	if (close(fd) && !rc)
		rc = CV_EIO;
	if (!rc && rename(tmp, path))
		rc = CV_EIO;
	if (rc) {
		unlink(tmp);
		return cv_error_set(err, rc, NULL, "cannot store the attachment: %s",
				    strerror(errno));
	}
	fd = open(folder, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd); /* make the rename itself durable */
		close(fd);
	}
	return CV_OK;
}

static json_t *meta_json(struct store_stmt *stmt)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "id", store_col_text(stmt, 0),
			 "sha256", store_col_text(stmt, 1), "filename", store_col_text(stmt, 2),
			 "content_type", store_col_text(stmt, 3), "size",
			 (json_int_t)store_col_int64(stmt, 4), "uploaded_by",
			 store_col_text(stmt, 5), "created_at", store_col_text(stmt, 6));
}

#define META_COLUMNS "id, sha256, filename, content_type, size, uploaded_by, created_at"

int aeo_attachment_add(struct store_conn *conn, const struct aeo_context *ctx,
		       const struct auth_principal *actor, const struct aeo_application *app,
		       const char *dir, const char *filename, const char *content_type,
		       const void *data, size_t len, json_t **out, struct cv_error *err)
{
	const struct accepted_type *t = type_of(content_type);
	char sha[CV_SHA256_HEX], id[CV_UUID_STR], now[CV_RFC3339_MAX];
	struct store_stmt *stmt;
	int rc;

	if (actor->user.role != ROLE_TRADER && actor->user.role != ROLE_AEO_OFFICER)
		return cv_error_set(err, CV_EPERM, NULL,
				    "the applicant and the customs AEO unit attach documents");
	if (app->decided_at[0] || !strcmp(app->state, "withdrawn"))
		return cv_error_set(err, CV_ECONFLICT, NULL,
				    "the application is %s: no more documents", app->state);
	if (!t)
		return cv_error_set(err, CV_EUNSUPPORTED, "content_type",
				    "accepted: PDF, PNG, JPEG, Word and Excel files (send the file's type in Content-Type)");
	if (!filename_ok(filename))
		return cv_error_set(err, CV_EINVAL, "filename",
				    "filename: 1 to %d characters, without slashes, quotes or control characters",
				    AEO_FILENAME_MAX);
	if (len == 0)
		return cv_error_set(err, CV_EINVAL, "body", "the document is empty");
	if (len < t->magic_len || memcmp(data, t->magic, t->magic_len))
		return cv_error_set(err, CV_EUNSUPPORTED, "content_type",
				    "the file is not a %s as its Content-Type says",
				    t->content_type);
	cv_sha256_hex(data, len, sha);
	rc = store_blob(dir, sha, data, len, err);
	if (rc)
		return rc;
	cv_uuid7(id);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO aeo_attachments (id, application_id, sha256, filename, content_type, size,"
			 " uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			 "tttttitt", id, app->id, sha, filename, t->content_type, (int64_t)len,
			 actor->user.username, now);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot record the attachment: %s",
				    store_errmsg(conn));
	rc = store_prepare(conn, "SELECT " META_COLUMNS " FROM aeo_attachments WHERE id = $1",
			   &stmt);
	if (!rc) {
		rc = store_bindf(stmt, "t", id);
		if (!rc && store_step(stmt) == STORE_ROW)
			*out = meta_json(stmt);
		store_finish(stmt);
	}
	return rc;
}

int aeo_attachments_json(struct store_conn *conn, const char *application_id, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT " META_COLUMNS
			       " FROM aeo_attachments WHERE application_id = $1 ORDER BY id",
			       &stmt);

	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "t", application_id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_array_append_new(*out, meta_json(stmt));
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int aeo_attachment_read(struct store_conn *conn, const char *dir, const char *application_id,
			const char *attachment_id, json_t **meta, void **data, size_t *len,
			struct cv_error *err)
{
	char path[1200], sha[CV_SHA256_HEX];
	struct store_stmt *stmt;
	struct stat st;
	FILE *f;
	int rc = store_prepare(conn,
			       "SELECT " META_COLUMNS
			       " FROM aeo_attachments WHERE id = $1 AND application_id = $2",
			       &stmt);

	*meta = NULL;
	*data = NULL;
	if (rc)
		return rc;
	rc = store_bindf(stmt, "tt", attachment_id, application_id);
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW) {
		*meta = meta_json(stmt);
		rc = CV_OK;
	} else if (rc == STORE_DONE) {
		rc = cv_error_set(err, CV_ENOTFOUND, "attachment",
				  "no such attachment on this application");
	}
	store_finish(stmt);
	if (rc)
		return rc;
	blob_path(dir, json_string_value(json_object_get(*meta, "sha256")), path, sizeof(path));
	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st)) {
		if (f)
			fclose(f);
		return cv_error_set(err, CV_EIO, NULL,
				    "the stored file of attachment %s is missing", attachment_id);
	}
	*len = (size_t)st.st_size;
	*data = cv_malloc(*len ? *len : 1);
	if (!*data || fread(*data, 1, *len, f) != *len) {
		fclose(f);
		return cv_error_set(err, *data ? CV_EIO : CV_ENOMEM, NULL,
				    "cannot read attachment %s", attachment_id);
	}
	fclose(f);
	/* A stored file that no longer matches its name was changed behind our back. */
	cv_sha256_hex(*data, *len, sha);
	if (strcmp(sha, json_string_value(json_object_get(*meta, "sha256"))))
		return cv_error_set(err, CV_EIO, NULL,
				    "attachment %s does not match its SHA-256: the file was altered",
				    attachment_id);
	return CV_OK;
}
