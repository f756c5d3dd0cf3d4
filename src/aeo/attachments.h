/*
 * attachments.h — documents attached to an AEO application (audited
 * accounts, certificates, procedures manuals, site plans).
 *
 * Accepted: PDF, PNG, JPEG, and office files (the OOXML zip formats and the
 * older OLE formats); the declared type must match the file's first bytes.
 * The bytes are stored once per content, in a file named by their SHA-256
 * under the attachments folder (written to a temporary file, flushed to
 * disk, then renamed, so a file under its final name is always complete);
 * the hash is shown to users so that anyone can check a copy. The size limit
 * is the server's request body limit (max_body).
 *
 * The applicant (a trader of the operator) and the AEO unit may attach
 * documents until the application is decided; whoever may see the
 * application may download them. Thread-safe as far as the store is.
 */
#ifndef CV_AEO_ATTACHMENTS_H
#define CV_AEO_ATTACHMENTS_H

#include "aeo/applications.h"

#include <jansson.h>
#include <stddef.h>

#define AEO_FILENAME_MAX 200

/*
 * Attach data to app. CV_EUNSUPPORTED when the type is not accepted or does
 * not match the content (the message says which), CV_EINVAL for a bad file
 * name or empty content, CV_EPERM / CV_ECONFLICT for the wrong actor or a
 * decided application. *out receives the attachment's metadata. In a write
 * transaction (the file is written before the row).
 */
int aeo_attachment_add(struct store_conn *conn, const struct aeo_context *ctx,
		       const struct auth_principal *actor, const struct aeo_application *app,
		       const char *dir, const char *filename, const char *content_type,
		       const void *data, size_t len, json_t **out, struct cv_error *err);

/* The attachments of an application, oldest first. */
int aeo_attachments_json(struct store_conn *conn, const char *application_id, json_t **out);

/*
 * Read one attachment: its metadata (*meta) and its bytes (*data, *len,
 * free with cv_free). CV_ENOTFOUND when absent from the application.
 */
int aeo_attachment_read(struct store_conn *conn, const char *dir, const char *application_id,
			const char *attachment_id, json_t **meta, void **data, size_t *len,
			struct cv_error *err);

#endif
