/* training.c — see training.h. */
#include "risk/training.h"

#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *attribute(json_t *attrs, const char *name, struct cv_arena *arena)
{
	const char *v = json_string_value(json_object_get(attrs, name));

	return v ? cv_arena_strdup(arena, v) : "";
}

void risk_model_attributes_read(const char *document, struct cv_arena *arena,
				struct risk_model_attributes *out)
{
	json_t *doc = document ? json_loads(document, 0, NULL) : NULL,
	       *attrs = json_object_get(doc, "attributes");

	out->import_type = attribute(attrs, "import_type", arena);
	out->import_use = attribute(attrs, "import_use", arena);
	out->payment_type = attribute(attrs, "payment_type", arena);
	out->tax_type = attribute(attrs, "tax_type", arena);
	out->origin_indicator = attribute(attrs, "origin_indicator", arena);
	json_decref(doc);
}

int risk_training_rows(struct store_conn *conn, struct cv_arena *arena, struct risk_model_row **rows,
		       size_t *n, size_t *positives, struct cv_error *err)
{
	struct risk_model_row *out = NULL;
	struct store_stmt *stmt;
	size_t cap = 0;
	int rc =
		store_prepare(conn,
			      "SELECT d.office, d.procedure, d.mode, d.declarant, d.importer, d.seller, d.courier,"
			      " i.hs, d.departure, i.origin, i.tax_rate, i.net_mass, i.value, d.document, x.worst"
			      " FROM declarations d JOIN declaration_items i ON i.declaration_id = d.id"
			      " JOIN (SELECT declaration_id, MAX(CASE result WHEN 'clean' THEN 1 WHEN 'minor' THEN 2"
			      " WHEN 'major' THEN 3 WHEN 'seizure' THEN 4 ELSE 0 END) AS worst"
			      " FROM examinations GROUP BY declaration_id) x ON x.declaration_id = d.id"
			      " WHERE x.worst >= 1 ORDER BY d.lodged_on, d.id, i.item",
			      &stmt);
	static const int text_columns[] = {RISK_MODEL_OFFICE,    RISK_MODEL_PROCEDURE,
					   RISK_MODEL_MODE,      RISK_MODEL_DECLARANT,
					   RISK_MODEL_IMPORTER,  RISK_MODEL_SELLER,
					   RISK_MODEL_COURIER,   RISK_MODEL_HS,
					   RISK_MODEL_DEPARTURE, RISK_MODEL_ORIGIN};

	*rows = NULL;
	*n = *positives = 0;
	if (rc)
		return rc;
	while ((rc = store_step(stmt)) == STORE_ROW) {
		struct risk_model_attributes attrs;
		struct risk_model_row *row;

		if (*n == cap) {
			struct risk_model_row *grown;
			cap = cap ? cap * 2 : 1024;
			grown = cv_arena_alloc(arena, cap * sizeof(*grown));
			if (!grown) {
				rc = CV_ENOMEM;
				break;
			}
			if (*n)
				memcpy(grown, out, *n * sizeof(*grown));
			out = grown;
		}
		row = &out[(*n)++];
		memset(row, 0, sizeof(*row));
		for (size_t c = 0; c < sizeof(text_columns) / sizeof(text_columns[0]); c++)
			row->text[text_columns[c]] = cv_arena_strdup(arena,
								     store_col_text(stmt, (int)c));
		row->number[RISK_MODEL_TAX_RATE] = store_col_double(stmt, 10);
		row->number[RISK_MODEL_NET_MASS] = store_col_double(stmt, 11);
		row->number[RISK_MODEL_VALUE] = store_col_double(stmt, 12);
		risk_model_attributes_read(store_col_text(stmt, 13), arena, &attrs);
		row->text[RISK_MODEL_IMPORT_TYPE] = attrs.import_type;
		row->text[RISK_MODEL_IMPORT_USE] = attrs.import_use;
		row->text[RISK_MODEL_PAYMENT_TYPE] = attrs.payment_type;
		row->text[RISK_MODEL_TAX_TYPE] = attrs.tax_type;
		row->text[RISK_MODEL_ORIGIN_INDICATOR] = attrs.origin_indicator;
		/* A major finding or a seizure is fraud; a minor one is not. */
		row->fraud = store_col_int64(stmt, 14) >= 3;
		*positives += (size_t)row->fraud;
		for (int t = 0; t < RISK_MODEL_TEXT_FIELDS; t++)
			if (!row->text[t]) {
				rc = CV_ENOMEM;
				break;
			}
		if (rc < 0)
			break;
	}
	store_finish(stmt);
	if (rc < 0)
		return rc == CV_ENOMEM ? rc
				       : cv_error_set(err, rc, NULL,
						      "reading the examined declarations failed");
	*rows = out;
	return CV_OK;
}

int risk_model_store(struct store_conn *conn, const char *actor, const struct risk_model *model,
		     json_t **out, struct cv_error *err)
{
	char id[CV_UUID_STR], now[CV_RFC3339_MAX], *summary = NULL, *b64 = NULL;
	json_t *summary_json = risk_model_summary_json(model);
	struct store_stmt *stmt;
	struct cv_buf blob;
	int64_t version;
	size_t b64_len;
	int rc;

	(void)err;
	cv_buf_init(&blob);
	rc = summary_json ? risk_model_save(model, &blob) : CV_ENOMEM;
	if (!rc) {
		/* Base64 text: the same column type on SQLite and PostgreSQL. */
		b64_len = sodium_base64_encoded_len(blob.len, sodium_base64_VARIANT_ORIGINAL);
		b64 = cv_malloc(b64_len);
		summary = json_dumps(summary_json, JSON_COMPACT);
		rc = b64 && summary ? CV_OK : CV_ENOMEM;
	}
	if (!rc) {
		sodium_bin2base64(b64, b64_len, (const unsigned char *)blob.data, blob.len,
				  sodium_base64_VARIANT_ORIGINAL);
		rc = store_query_row(conn, &stmt,
				     "SELECT COALESCE(MAX(version), 0) + 1 FROM risk_models", "");
	}
	if (!rc) {
		version = store_col_int64(stmt, 0);
		store_finish(stmt);
		cv_uuid7(id);
		cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
		rc = store_execf(conn, NULL,
				 "UPDATE risk_models SET status = 'retired' WHERE status = 'active'",
				 "");
	}
	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO risk_models (id, version, status, summary, model, created_by,"
				 " created_at) VALUES ($1, $2, 'active', $3, $4, $5, $6)",
				 "titttt", id, version, summary, b64, actor, now);
	if (!rc && out)
		*out = json_pack("{s:s, s:I, s:s, s:O, s:s, s:s}", "id", id, "version",
				 (json_int_t)version, "status", "active", "summary", summary_json,
				 "created_by", actor, "created_at", now);
	json_decref(summary_json);
	free(summary);
	cv_free(b64);
	cv_buf_release(&blob);
	return rc;
}

int risk_model_load_active(struct store_conn *conn, struct risk_model **model, char id[CV_UUID_STR],
			   struct cv_error *err)
{
	struct store_stmt *stmt;
	const char *b64;
	unsigned char *bin;
	size_t b64_len, bin_len = 0;
	int rc = store_query_row(conn, &stmt,
				 "SELECT id, model FROM risk_models WHERE status = 'active'", "");

	*model = NULL;
	if (rc)
		return rc;
	snprintf(id, CV_UUID_STR, "%s", store_col_text(stmt, 0));
	b64 = store_col_text(stmt, 1);
	b64_len = strlen(b64);
	bin = cv_malloc(b64_len / 4 * 3 + 3);
	if (!bin) {
		store_finish(stmt);
		return CV_ENOMEM;
	}
	rc = sodium_base642bin(bin, b64_len / 4 * 3 + 3, b64, b64_len, NULL, &bin_len, NULL,
			       sodium_base64_VARIANT_ORIGINAL)
		     ? cv_error_set(err, CV_EINTERNAL, NULL, "the stored model is not base64")
		     : risk_model_load(bin, bin_len, model, err);
	store_finish(stmt);
	cv_free(bin);
	return rc;
}

int risk_models_list(struct store_conn *conn, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT id, version, status, summary, created_by, created_at"
			       " FROM risk_models ORDER BY version DESC",
			       &stmt);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_array();
	while ((rc = store_step(stmt)) == STORE_ROW)
		json_array_append_new(*out, json_pack("{s:s, s:I, s:s, s:o, s:s, s:s}", "id",
						      store_col_text(stmt, 0), "version",
						      (json_int_t)store_col_int64(stmt, 1),
						      "status", store_col_text(stmt, 2), "summary",
						      json_loads(store_col_text(stmt, 3), 0, NULL),
						      "created_by", store_col_text(stmt, 4),
						      "created_at", store_col_text(stmt, 5)));
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return CV_OK;
}
