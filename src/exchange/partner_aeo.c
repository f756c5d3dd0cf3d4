/*
 * partner_aeo.c — the register of partner administrations' AEOs.
 *
 * Entries come from signed AEO status credentials received from MRA
 * partners (the exchange inbox verifies them first). A credential carries
 * when it was issued; the register keeps, per partner country and operator,
 * the newest statement only, so a replay or a credential delivered late
 * never undoes a suspension or a revocation.
 */
#include "exchange/partner_aeo.h"

#include "base/clock.h"

#include <string.h>

static int one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (!strcmp(s, *set))
			return 1;
	return 0;
}

static int is_date(const char *s)
{
	int64_t days;

	return s && strlen(s) == 10 && cv_date_parse(s, &days) == 0;
}

static int check(const struct partner_aeo *e, struct cv_error *err)
{
	static const char *const types[] = {"AEOC", "AEOS", "AEOF", NULL};
	static const char *const statuses[] = {"valid", "suspended", "revoked", "expired", NULL};
	int64_t ms;

	if (!e->country || strlen(e->country) != 2 || e->country[0] < 'A' || e->country[0] > 'Z' ||
	    e->country[1] < 'A' || e->country[1] > 'Z')
		return cv_error_set(err, CV_EINVAL, "country",
				    "country must be an ISO 3166 alpha-2 code");
	if (!e->operator_id || !*e->operator_id || strlen(e->operator_id) > 64)
		return cv_error_set(err, CV_EINVAL, "operator_id",
				    "operator_id must be 1 to 64 characters");
	if (!e->name || !*e->name || strlen(e->name) > 300)
		return cv_error_set(err, CV_EINVAL, "name", "name must be 1 to 300 characters");
	if (!e->aeo_number || !*e->aeo_number || strlen(e->aeo_number) > 64)
		return cv_error_set(err, CV_EINVAL, "aeo_number",
				    "aeo_number must be 1 to 64 characters");
	if (!one_of(e->aeo_type, types))
		return cv_error_set(err, CV_EINVAL, "aeo_type",
				    "aeo_type must be AEOC, AEOS or AEOF");
	if (!one_of(e->status, statuses))
		return cv_error_set(err, CV_EINVAL, "status",
				    "status must be valid, suspended, revoked or expired");
	if (!is_date(e->valid_from))
		return cv_error_set(err, CV_EINVAL, "valid_from",
				    "valid_from must be a date (YYYY-MM-DD)");
	if (e->valid_until && !is_date(e->valid_until))
		return cv_error_set(err, CV_EINVAL, "valid_until",
				    "valid_until must be a date (YYYY-MM-DD) or absent");
	if (!e->credential_id || !*e->credential_id)
		return cv_error_set(err, CV_EINVAL, "credential_id", "credential_id is required");
	if (!e->issued_at || cv_clock_parse_rfc3339(e->issued_at, &ms) != 0)
		return cv_error_set(err, CV_EINVAL, "issued_at",
				    "issued_at must be an RFC 3339 time");
	return CV_OK;
}

int partner_aeo_record(struct store_conn *conn, const struct partner_aeo *e, const char *now,
		       int *applied, struct cv_error *err)
{
	char issued[CV_RFC3339_MAX];
	int64_t changed = 0, issued_ms;
	int rc = check(e, err);

	*applied = 0;
	if (rc)
		return rc;
	/* Times compare as text only in one form: the issuer's, as UTC with milliseconds. */
	cv_clock_parse_rfc3339(e->issued_at, &issued_ms);
	cv_clock_format_rfc3339_ms(issued_ms, issued, sizeof(issued));
	rc = store_execf(conn, &changed,
			 "INSERT INTO partner_aeo (country, operator_id, name, aeo_number, aeo_type,"
			 " status, valid_from, valid_until, credential_id, issued_at, received_at)"
			 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
			 " ON CONFLICT (country, operator_id) DO UPDATE SET name = excluded.name,"
			 " aeo_number = excluded.aeo_number, aeo_type = excluded.aeo_type,"
			 " status = excluded.status, valid_from = excluded.valid_from,"
			 " valid_until = excluded.valid_until, credential_id = excluded.credential_id,"
			 " issued_at = excluded.issued_at, received_at = excluded.received_at"
			 " WHERE excluded.issued_at > partner_aeo.issued_at"
			 /* the same instant: the later id (UUIDv7 ids grow with time) */
			 " OR (excluded.issued_at = partner_aeo.issued_at"
			 " AND excluded.credential_id > partner_aeo.credential_id)",
			 "ttttttttttt", e->country, e->operator_id, e->name, e->aeo_number,
			 e->aeo_type, e->status, e->valid_from, e->valid_until, e->credential_id,
			 issued, now);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot record the partner AEO: %s",
				    store_errmsg(conn));
	*applied = changed > 0;
	return CV_OK;
}

int partner_aeo_recognised(struct store_conn *conn, const char *country, const char *operator_id,
			   const char *date)
{
	struct store_stmt *stmt;
	int rc;

	if (!country || !*country || !operator_id || !*operator_id)
		return 0;
	rc = store_query_row(conn, &stmt,
			     "SELECT 1 FROM partner_aeo WHERE country = $1 AND operator_id = $2"
			     " AND status = 'valid' AND valid_from <= $3"
			     " AND (valid_until IS NULL OR valid_until >= $3)",
			     "ttt", country, operator_id, date);
	if (rc == CV_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	store_finish(stmt);
	return 1;
}

int partner_aeo_list(struct store_conn *conn, const char *country, const char *operator_id,
		     json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT country, operator_id, name, aeo_number, aeo_type, status,"
			       " valid_from, valid_until, credential_id, issued_at, received_at"
			       " FROM partner_aeo WHERE ($1 = '' OR country = $1)"
			       " AND ($2 = '' OR operator_id = $2) ORDER BY country, operator_id",
			       &stmt);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "tt", country ? country : "", operator_id ? operator_id : "");
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_t *row = json_object();
		for (int c = 0; c < store_col_count(stmt); c++)
			json_object_set_new(row, store_col_name(stmt, c),
					    store_col_is_null(stmt, c)
						    ? json_null()
						    : json_string(store_col_text(stmt, c)));
		json_array_append_new(*out, row);
		rc = CV_OK;
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return CV_OK;
}
