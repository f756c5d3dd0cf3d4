/*
 * mra.c — mutual recognition of AEOs between nodes (see mra.h).
 */
#include "exchange/mra.h"

#include "aeo/applications.h"
#include "base/clock.h"
#include "exchange/documents.h"
#include "exchange/issued.h"
#include "exchange/outbox.h"
#include "exchange/partner_aeo.h"
#include "exchange/partners.h"
#include "exchange/sources.h"

#include <stdio.h>
#include <string.h>

/*
 * The authorization's issued credential, created on its first announcement
 * and kept in step with its status: its status list bits are what a
 * verifier of any statement about it checks.
 */
static int track_status(struct store_conn *conn, const struct aeo_authorization *z, int64_t now_ms,
			struct exchange_issued *issued, struct cv_error *err)
{
	struct exchange_issue issue = {EXCHANGE_KIND_AEO_STATUS, z->id, 1, 1};
	const char *action = NULL;
	int rc = exchange_issued_find(conn, EXCHANGE_KIND_AEO_STATUS, z->id, issued);

	if (rc == CV_ENOTFOUND)
		rc = exchange_issued_new(conn, &issue, now_ms, issued, err);
	if (rc)
		return rc;
	if (!strcmp(issued->status, "revoked"))
		return CV_OK; /* final: a revoked or expired authorization stays so */
	if (!strcmp(z->status, "suspended") && !strcmp(issued->status, "active"))
		action = "suspend";
	else if (!strcmp(z->status, "valid") && !strcmp(issued->status, "suspended"))
		action = "lift";
	else if (!strcmp(z->status, "revoked") || !strcmp(z->status, "expired"))
		action = "revoke";
	return action ? exchange_issued_change(conn, issued->id, action, now_ms, issued, err)
		      : CV_OK;
}

/*
 * The statement about the authorization (its subject in aeo) for the
 * partner whose DID is audience. Each statement is a document of its own,
 * with a new id: the partner's inbox keeps one document per id, and a
 * suspension is no replay of the grant before it. validFrom is in
 * milliseconds: a suspension and its lift may come within a second, and
 * the partner's register keeps the newest statement.
 */
static int queue_for(struct store_conn *conn, const struct exchange_mra_context *ctx,
		     const struct exchange_aeo_status *aeo, const json_t *status,
		     const char *partner_id, struct cv_error *err)
{
	char id[EXCHANGE_DOCUMENT_URN_MAX], now[CV_RFC3339_MAX];
	struct exchange_envelope envelope = {.id = id,
					     .issuer = ctx->node->did,
					     .valid_from = now,
					     .credential_status = status};
	struct exchange_partner partner;
	json_t *doc;
	int rc = exchange_partner_load(conn, partner_id, &partner);

	if (rc)
		return cv_error_set(err, rc, "partner", "no such partner");
	exchange_document_new_id(id);
	cv_clock_format_rfc3339_ms(ctx->now_ms, now, sizeof(now));
	envelope.to = partner.did;
	rc = exchange_aeo_status_build(&envelope, aeo, &doc, err);
	if (!rc)
		rc = exchange_outbox_queue(conn, ctx->node, partner.id, EXCHANGE_AEO_STATUS_TYPE,
					   doc, NULL, err);
	json_decref(doc);
	return rc;
}

/* Is partner_id among ids (a JSON array of strings)? */
static int listed(const json_t *ids, const char *partner_id)
{
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v) {
		if (!strcmp(json_string_value(v), partner_id))
			return 1;
	}
	return 0;
}

int exchange_mra_announce(struct store_conn *conn, const struct exchange_mra_context *ctx,
			  const char *authorization_id, const char *partner_id, int *queued,
			  struct cv_error *err)
{
	struct aeo_authorization z;
	struct exchange_issued issued;
	struct exchange_aeo_status aeo;
	struct cv_arena arena;
	char today[CV_DATE_MAX];
	json_t *ids = NULL, *status = NULL, *v;
	size_t i;
	int rc;

	if (queued)
		*queued = 0;
	if (!ctx->node)
		return CV_OK; /* no key yet: nothing can be signed (caravan init makes it) */
	rc = aeo_authorization_get(conn, authorization_id, &z);
	if (rc)
		return cv_error_set(err, rc, "authorization", "no such authorization");
	if (!z.consent_mra)
		return CV_OK;
	cv_date_from_ms(ctx->now_ms, today);
	rc = exchange_partners_agreed(conn, EXCHANGE_MRA, z.type, today, &ids);
	if (!rc && partner_id && !listed(ids, partner_id))
		rc = cv_error_set(err, CV_ECONFLICT, "partner",
				  "no mutual recognition agreement in force with this partner "
				  "recognises %s",
				  z.type);
	if (rc || json_array_size(ids) == 0) {
		json_decref(ids);
		return rc;
	}
	cv_arena_init(&arena, 0);
	rc = track_status(conn, &z, ctx->now_ms, &issued, err);
	if (!rc)
		rc = exchange_issued_status(&issued, ctx->public_url, &status);
	if (!rc)
		rc = exchange_aeo_status_load(conn, z.id, &arena, &aeo, err);
	json_array_foreach(ids, i, v) {
		if (rc)
			break;
		if (partner_id && strcmp(json_string_value(v), partner_id))
			continue;
		rc = queue_for(conn, ctx, &aeo, status, json_string_value(v), err);
		if (!rc && queued)
			(*queued)++;
	}
	cv_arena_release(&arena);
	json_decref(status);
	json_decref(ids);
	return rc;
}

int exchange_mra_sync_part(struct store_conn *conn, const struct exchange_mra_context *ctx,
			   const char *partner_id, char after[EXCHANGE_MRA_CURSOR_MAX], int limit,
			   int *queued, int *more, struct cv_error *err)
{
	struct store_stmt *stmt;
	json_t *ids = json_array();
	size_t i;
	json_t *v;
	int rc = store_prepare(conn,
			       "SELECT id FROM aeo_authorizations WHERE consent_mra = 1"
			       " AND status IN ('valid', 'suspended') AND id > $1 ORDER BY id LIMIT $2",
			       &stmt);

	*queued = 0;
	*more = 0;
	if (!ids)
		rc = rc ? rc : CV_ENOMEM;
	if (!rc)
		rc = store_bindf(stmt, "ti", after, (int64_t)limit);
	/* Collect first: announcing runs other statements on this connection. */
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		const char *id = store_col_text(stmt, 0);

		rc = strlen(id) < EXCHANGE_MRA_CURSOR_MAX ? CV_OK : CV_EINVAL;
		if (!rc && json_array_append_new(ids, json_string(id)))
			rc = CV_ENOMEM;
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(ids);
		return rc == CV_EINVAL ? cv_error_set(err, rc, "authorization",
						      "an authorization id is longer than %d bytes",
						      EXCHANGE_MRA_CURSOR_MAX - 1)
				       : rc;
	}
	rc = CV_OK;
	json_array_foreach(ids, i, v) {
		int one = 0;
		struct cv_error skip;
		rc = exchange_mra_announce(conn, ctx, json_string_value(v), partner_id, &one, &skip);
		if (rc == CV_ECONFLICT) /* a type this partner's MRA does not recognise */
			rc = CV_OK;
		else if (rc && err)
			*err = skip;
		if (rc)
			break;
		*queued += one;
	}
	if (!rc && json_array_size(ids)) {
		snprintf(after, EXCHANGE_MRA_CURSOR_MAX, "%s",
			 json_string_value(json_array_get(ids, json_array_size(ids) - 1)));
		*more = json_array_size(ids) == (size_t)limit;
	}
	json_decref(ids);
	return rc;
}

int exchange_mra_sync(struct store_conn *conn, const struct exchange_mra_context *ctx,
		      const char *partner_id, int *queued, struct cv_error *err)
{
	char after[EXCHANGE_MRA_CURSOR_MAX] = "";
	int more = 1, part, rc = CV_OK;

	*queued = 0;
	while (!rc && more) {
		rc = exchange_mra_sync_part(conn, ctx, partner_id, after, EXCHANGE_MRA_SYNC_PART,
					    &part, &more, err);
		*queued += part;
	}
	return rc;
}

/*
 * What a partner's statement says goes into the register under the
 * sender's registered country (identification numbers are unique within a
 * country), as of the statement's validFrom. A member the reader refuses
 * is the refusal's reason, by its name.
 */
int exchange_mra_receive(struct store_conn *conn, const struct exchange_inbox_message *m,
			 struct cv_error *err)
{
	struct exchange_envelope envelope;
	struct exchange_aeo_status aeo;
	struct partner_aeo entry;
	char now[CV_RFC3339_MAX], today[CV_DATE_MAX];
	json_t *ids = NULL;
	int applied, rc = exchange_aeo_status_read(m->document, &envelope, &aeo, err);

	if (rc)
		return rc;
	entry = (struct partner_aeo){m->partner->country, aeo.holder.id, aeo.holder.name,
				     aeo.number,          aeo.type,      aeo.status,
				     aeo.authorized_on,   NULL,          m->document_id,
				     envelope.valid_from};
	cv_clock_format_rfc3339(m->now_ms, now, sizeof(now));
	cv_date_from_ms(m->now_ms, today);
	rc = exchange_partners_agreed(conn, EXCHANGE_MRA, aeo.type, today, &ids);
	if (!rc && !listed(ids, m->partner->id))
		rc = cv_error_set(err, CV_EPERM, "credentialSubject.authorization.type",
				  "no mutual recognition agreement in force with %s recognises %s",
				  m->partner->country, aeo.type);
	json_decref(ids);
	if (!rc)
		rc = partner_aeo_record(conn, &entry, now, &applied, err);
	return rc;
}
