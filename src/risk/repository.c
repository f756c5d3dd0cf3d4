/* repository.c — see repository.h. */
#include "risk/repository.h"

#include "base/clock.h"
#include "base/ids.h"

#include "base/buf.h"
#include "base/csv.h"

#include <ctype.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define SET_COLUMNS                                                                                \
	"id, version, profiles, status, created_by, created_at, activated_by, activated_at,"       \
	" deactivated_by, deactivated_at"

static json_t *set_json(struct store_stmt *stmt)
{
	json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}", "id", store_col_text(stmt, 0),
			      "version", (json_int_t)store_col_int64(stmt, 1), "profiles",
			      (json_int_t)store_col_int64(stmt, 2), "status",
			      store_col_text(stmt, 3), "created_by", store_col_text(stmt, 4),
			      "created_at", store_col_text(stmt, 5));

	if (o) {
		json_object_set_new(o, "activated_by",
				    store_col_is_null(stmt, 6)
					    ? json_null()
					    : json_string(store_col_text(stmt, 6)));
		json_object_set_new(o, "activated_at",
				    store_col_is_null(stmt, 7)
					    ? json_null()
					    : json_string(store_col_text(stmt, 7)));
		json_object_set_new(o, "deactivated_by",
				    store_col_is_null(stmt, 8)
					    ? json_null()
					    : json_string(store_col_text(stmt, 8)));
		json_object_set_new(o, "deactivated_at",
				    store_col_is_null(stmt, 9)
					    ? json_null()
					    : json_string(store_col_text(stmt, 9)));
	}
	return o;
}

static int get_one(struct store_conn *conn, const char *key, int with_source, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT " SET_COLUMNS ", source FROM risk_profile_sets"
				 " WHERE id = $1 OR CAST(version AS TEXT) = $1",
				 "t", key);

	if (rc)
		return rc;
	*out = set_json(stmt);
	if (*out && with_source)
		json_object_set_new(*out, "source", json_string(store_col_text(stmt, 10)));
	store_finish(stmt);
	return *out ? CV_OK : CV_ENOMEM;
}

int risk_profiles_add_draft(struct store_conn *conn, const char *actor, const char *source,
			    struct risk_compile_error *cerr, json_t **out, struct cv_error *err)
{
	struct risk_profile_set *set;
	struct store_stmt *stmt;
	char id[CV_UUID_STR], now[CV_RFC3339_MAX];
	int64_t version = 1;
	size_t count;
	int rc = risk_compile(source, strlen(source), &set, cerr);

	if (rc == CV_EINVAL)
		return cv_error_set(err, rc, "source", "line %d, column %d: %s", cerr->line,
				    cerr->column, cerr->message);
	if (rc)
		return rc;
	count = risk_profile_count(set);
	risk_profile_set_free(set);
	rc = store_query_row(conn, &stmt,
			     "SELECT COALESCE(MAX(version), 0) + 1 FROM risk_profile_sets", "");
	if (rc)
		return rc;
	version = store_col_int64(stmt, 0);
	store_finish(stmt);
	cv_uuid7(id);
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO risk_profile_sets (id, version, source, profiles, status, created_by, created_at)"
			 " VALUES ($1, $2, $3, $4, 'draft', $5, $6)",
			 "titi"
			 "tt",
			 id, version, source, (int64_t)count, actor, now);
	return rc ? rc : get_one(conn, id, 0, out);
}

/* The version key when it is in status (CV_ECONFLICT naming what it is otherwise). */
static int get_in_status(struct store_conn *conn, const char *key, const char *status,
			 const char *only, json_t **current, struct cv_error *err)
{
	int rc = get_one(conn, key, 0, current);

	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, "id", "no profile set with this id or version");
	if (rc)
		return rc;
	if (strcmp(json_string_value(json_object_get(*current, "status")), status)) {
		rc = cv_error_set(err, CV_ECONFLICT, "id", "version %lld is %s; %s",
				  (long long)json_integer_value(json_object_get(*current, "version")),
				  json_string_value(json_object_get(*current, "status")), only);
		json_decref(*current);
		*current = NULL;
	}
	return rc;
}

int risk_profiles_activate(struct store_conn *conn, const char *actor, const char *key,
			   json_t **out, struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	json_t *current;
	int rc = get_in_status(conn, key, "draft", "only a draft can be activated", &current, err);

	if (rc)
		return rc;
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	/* The version active until now retires, in the same transaction. */
	rc = store_execf(conn, NULL,
			 "UPDATE risk_profile_sets SET status = 'retired', deactivated_by = $1,"
			 " deactivated_at = $2 WHERE status = 'active'",
			 "tt", actor, now);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "UPDATE risk_profile_sets SET status = 'active', activated_by = $2, activated_at = $3"
				 " WHERE id = $1",
				 "ttt", json_string_value(json_object_get(current, "id")), actor,
				 now);
	if (!rc)
		rc = get_one(conn, json_string_value(json_object_get(current, "id")), 0, out);
	json_decref(current);
	return rc;
}

int risk_profiles_deactivate(struct store_conn *conn, const char *actor, const char *key,
			     json_t **out, struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	json_t *current;
	int rc = get_in_status(conn, key, "active", "only the active version can be deactivated",
			       &current, err);

	if (rc)
		return rc;
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "UPDATE risk_profile_sets SET status = 'retired', deactivated_by = $2,"
			 " deactivated_at = $3 WHERE id = $1",
			 "ttt", json_string_value(json_object_get(current, "id")), actor, now);
	if (!rc)
		rc = get_one(conn, json_string_value(json_object_get(current, "id")), 0, out);
	json_decref(current);
	return rc;
}

int risk_profiles_list(struct store_conn *conn, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT " SET_COLUMNS " FROM risk_profile_sets ORDER BY version DESC",
			       &stmt);

	if (rc)
		return rc;
	*out = json_array();
	while ((rc = store_step(stmt)) == STORE_ROW)
		json_array_append_new(*out, set_json(stmt));
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int risk_profiles_get(struct store_conn *conn, const char *key, json_t **out)
{
	return get_one(conn, key, 1, out);
}

int risk_profiles_active(struct store_conn *conn, struct risk_profile_set **set,
			 struct cv_error *err)
{
	struct risk_compile_error cerr;
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT source FROM risk_profile_sets WHERE status = 'active'", "");

	*set = NULL;
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, NULL,
				    "no profile set is active: a risk analyst activates one first");
	if (rc)
		return rc;
	rc = risk_compile(store_col_text(stmt, 0), strlen(store_col_text(stmt, 0)), set, &cerr);
	store_finish(stmt);
	return rc ? cv_error_set(err, CV_EINTERNAL, NULL,
				 "the active profile set does not compile: %s", cerr.message)
		  : CV_OK;
}

int risk_watchlist_add(struct store_conn *conn, const char *actor, const char *name, json_t *values,
		       size_t *added, struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	int64_t changed;
	json_t *v;
	size_t i;
	int rc = CV_OK;

	*added = 0;
	if (!name || !*name || strlen(name) > 64)
		return cv_error_set(err, CV_EINVAL, "name",
				    "a watchlist name is 1 to 64 characters");
	if (!json_is_array(values) || json_array_size(values) == 0 ||
	    json_array_size(values) > 10000)
		return cv_error_set(err, CV_EINVAL, "values", "values: a list of 1 to 10000 texts");
	json_array_foreach(values, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 200)
			return cv_error_set(err, CV_EINVAL, "values",
					    "values[%zu] must be text of 1 to 200 characters", i);
	}
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	json_array_foreach(values, i, v) {
		rc = store_execf(conn, &changed,
				 "INSERT INTO risk_watchlists (name, value, added_by, added_at) VALUES ($1, $2, $3, $4)"
				 " ON CONFLICT (name, value) DO NOTHING",
				 "tttt", name, json_string_value(v), actor, now);
		if (rc)
			break;
		*added += (size_t)changed;
	}
	return rc;
}

int risk_watchlist_get(struct store_conn *conn, const char *name, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT value FROM risk_watchlists WHERE name = $1 ORDER BY value",
			       &stmt);

	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "t", name);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_array_append_new(*out, json_string(store_col_text(stmt, 0)));
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int risk_watchlist_contains(void *ctx, const char *list, const char *value)
{
	struct store_stmt *stmt;

	if (store_query_row(ctx, &stmt,
			    "SELECT 1 FROM risk_watchlists WHERE name = $1 AND value = $2", "tt",
			    list, value))
		return 0;
	store_finish(stmt);
	return 1;
}

int risk_office_params_load(struct store_conn *conn, const char *office,
			    struct risk_office_params *p)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT blue_threshold, yellow_threshold, red_threshold, random_rate, random_rate_aeo,"
				 " reduction_aeoc, reduction_aeos, reduction_aeof, reduction_partner, memory_reduction,"
				 " memory_examinations, model_weight, memory_days, expected_blue, expected_yellow,"
				 " expected_red FROM risk_office_params"
				 " WHERE office = $1 OR office = '*' ORDER BY office = '*' LIMIT 1",
				 "t", office ? office : "*");

	risk_office_params_defaults(p);
	if (rc)
		return rc == CV_ENOTFOUND ? CV_OK : rc;
	p->blue_threshold = store_col_double(stmt, 0);
	p->yellow_threshold = store_col_double(stmt, 1);
	p->red_threshold = store_col_double(stmt, 2);
	p->random_rate = store_col_double(stmt, 3);
	p->random_rate_aeo = store_col_double(stmt, 4);
	p->aeo_reduction[RISK_AEO_C] = store_col_double(stmt, 5);
	p->aeo_reduction[RISK_AEO_S] = store_col_double(stmt, 6);
	p->aeo_reduction[RISK_AEO_F] = store_col_double(stmt, 7);
	p->aeo_reduction[RISK_AEO_PARTNER] = store_col_double(stmt, 8);
	p->memory_reduction = store_col_double(stmt, 9);
	p->memory_examinations = (int)store_col_int64(stmt, 10);
	p->model_weight = store_col_double(stmt, 11);
	p->memory_days = (int)store_col_int64(stmt, 12);
	p->expected_blue = store_col_double(stmt, 13);
	p->expected_yellow = store_col_double(stmt, 14);
	p->expected_red = store_col_double(stmt, 15);
	store_finish(stmt);
	return CV_OK;
}

int risk_node_secret(struct store_conn *conn, unsigned char secret[RISK_SECRET_BYTES])
{
	char hex[RISK_SECRET_BYTES * 2 + 1], now[CV_RFC3339_MAX];
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT value FROM node_secrets WHERE name = 'risk_random'", "");

	if (rc == CV_OK) {
		size_t len = 0;
		rc = sodium_hex2bin(secret, RISK_SECRET_BYTES, store_col_text(stmt, 0),
				    strlen(store_col_text(stmt, 0)), NULL, &len, NULL) == 0 &&
				     len == RISK_SECRET_BYTES
			     ? CV_OK
			     : CV_EINTERNAL;
		store_finish(stmt);
		return rc;
	}
	if (rc != CV_ENOTFOUND)
		return rc;
	/* First use: make it. Two servers racing both try; the first insert wins, the other reads it. */
	randombytes_buf(secret, RISK_SECRET_BYTES);
	sodium_bin2hex(hex, sizeof(hex), secret, RISK_SECRET_BYTES);
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO node_secrets (name, value, created_at) VALUES ('risk_random', $1, $2)"
			 " ON CONFLICT (name) DO NOTHING",
			 "tt", hex, now);
	sodium_memzero(hex, sizeof(hex));
	return rc ? rc : risk_node_secret(conn, secret);
}

/* The office parameters as columns and JSON members, with the range each may take. */
struct param_field {
	const char *name;
	size_t offset;
	int integer;
	double min, max;
};

#define PARAM(name, member, integer, min, max)                                                     \
	{                                                                                          \
		name, offsetof(struct risk_office_params, member), integer, min, max               \
	}

static const struct param_field param_fields[] = {
	PARAM("blue_threshold", blue_threshold, 0, -1000, 1000),
	PARAM("yellow_threshold", yellow_threshold, 0, -1000, 1000),
	PARAM("red_threshold", red_threshold, 0, -1000, 1000),
	PARAM("random_rate", random_rate, 0, 0, 1),
	PARAM("random_rate_aeo", random_rate_aeo, 0, 0, 1),
	PARAM("reduction_aeoc", aeo_reduction[RISK_AEO_C], 0, 0, 1000),
	PARAM("reduction_aeos", aeo_reduction[RISK_AEO_S], 0, 0, 1000),
	PARAM("reduction_aeof", aeo_reduction[RISK_AEO_F], 0, 0, 1000),
	PARAM("reduction_partner", aeo_reduction[RISK_AEO_PARTNER], 0, 0, 1000),
	PARAM("memory_reduction", memory_reduction, 0, 0, 1000),
	PARAM("memory_examinations", memory_examinations, 1, 0, 100),
	PARAM("memory_days", memory_days, 1, 1, 3650),
	PARAM("model_weight", model_weight, 0, 0, 10),
	PARAM("expected_blue", expected_blue, 0, 0, 1),
	PARAM("expected_yellow", expected_yellow, 0, 0, 1),
	PARAM("expected_red", expected_red, 0, 0, 1),
};
#define NPARAMS (sizeof(param_fields) / sizeof(param_fields[0]))

static double param_get(const struct risk_office_params *p, const struct param_field *f)
{
	const char *at = (const char *)p + f->offset;

	return f->integer ? *(const int *)(const void *)at : *(const double *)(const void *)at;
}

static void param_set(struct risk_office_params *p, const struct param_field *f, double v)
{
	char *at = (char *)p + f->offset;

	if (f->integer)
		*(int *)(void *)at = (int)v;
	else
		*(double *)(void *)at = v;
}

json_t *risk_office_params_json(const char *office, const struct risk_office_params *p,
				int inherited)
{
	json_t *o = json_pack("{s:s, s:b}", "office", office, "inherited", inherited);

	for (size_t i = 0; o && i < NPARAMS; i++)
		json_object_set_new(o, param_fields[i].name,
				    param_fields[i].integer
					    ? json_integer((json_int_t)param_get(p, &param_fields[i]))
					    : json_real(param_get(p, &param_fields[i])));
	return o;
}

int risk_office_code_valid(const char *office)
{
	size_t n = office ? strlen(office) : 0;

	if (n == 1 && office[0] == '*')
		return 1;
	if (n < 1 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)office[i]) || office[i] == '-' || office[i] == '_'))
			return 0;
	return 1;
}

int risk_office_params_merge(json_t *body, struct risk_office_params *p, json_t *errors)
{
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v) {
		const struct param_field *f = NULL;
		/* What GET shows besides the parameters: a GET answer may be sent back as it is. */
		if (!strcmp(key, "office") || !strcmp(key, "inherited"))
			continue;
		for (size_t i = 0; i < NPARAMS && !f; i++)
			if (!strcmp(param_fields[i].name, key))
				f = &param_fields[i];
		if (!f) {
			json_array_append_new(errors,
					      json_pack("{s:s, s:s}", "field", key, "message",
							"not an office parameter"));
			continue;
		}
		if (!json_is_number(v) || (f->integer && !json_is_integer(v)) ||
		    json_number_value(v) < f->min || json_number_value(v) > f->max) {
			json_array_append_new(errors,
					      json_pack("{s:s, s:s}", "field", key, "message",
							f->integer
								? "must be a whole number in its range"
								: "must be a number in its range"));
			continue;
		}
		param_set(p, f, json_number_value(v));
	}
	if (!(p->blue_threshold <= p->yellow_threshold && p->yellow_threshold <= p->red_threshold))
		json_array_append_new(errors,
				      json_pack("{s:s, s:s}", "field", "yellow_threshold", "message",
						"thresholds must rise: blue <= yellow <= red"));
	if (p->expected_blue + p->expected_yellow + p->expected_red > 1)
		json_array_append_new(errors,
				      json_pack("{s:s, s:s}", "field", "expected_red", "message",
						"the expected lane shares add up to more than 1"));
	return json_array_size(errors) ? CV_EINVAL : CV_OK;
}

int risk_office_params_save(struct store_conn *conn, const char *office,
			    const struct risk_office_params *p)
{
	struct cv_buf sql;
	struct store_stmt *stmt;
	int rc = CV_OK;

	/* INSERT ... ON CONFLICT DO UPDATE: SQLite and PostgreSQL alike. */
	cv_buf_init(&sql);
	rc |= cv_buf_adds(&sql, "INSERT INTO risk_office_params (office");
	for (size_t i = 0; i < NPARAMS; i++)
		rc |= cv_buf_addf(&sql, ", %s", param_fields[i].name);
	rc |= cv_buf_adds(&sql, ") VALUES ($1");
	for (size_t i = 0; i < NPARAMS; i++)
		rc |= cv_buf_addf(&sql, ", $%zu", i + 2);
	rc |= cv_buf_adds(&sql, ") ON CONFLICT (office) DO UPDATE SET ");
	for (size_t i = 0; i < NPARAMS; i++)
		rc |= cv_buf_addf(&sql, "%s%s = excluded.%s", i ? ", " : "", param_fields[i].name,
				  param_fields[i].name);
	rc = rc ? CV_ENOMEM : store_prepare(conn, cv_buf_str(&sql), &stmt);
	cv_buf_release(&sql);
	if (rc)
		return rc;
	rc = store_bind_text(stmt, 1, office);
	for (size_t i = 0; !rc && i < NPARAMS; i++)
		rc = param_fields[i].integer
			     ? store_bind_int64(stmt, (int)i + 2,
						(int64_t)param_get(p, &param_fields[i]))
			     : store_bind_double(stmt, (int)i + 2, param_get(p, &param_fields[i]));
	if (!rc)
		rc = store_step(stmt);
	store_finish(stmt);
	return rc == STORE_DONE ? CV_OK : rc ? rc : CV_EINTERNAL;
}

int risk_office_params_own(struct store_conn *conn, const char *office)
{
	struct store_stmt *stmt;

	if (store_query_row(conn, &stmt, "SELECT 1 FROM risk_office_params WHERE office = $1", "t",
			    office))
		return 0;
	store_finish(stmt);
	return 1;
}

int risk_office_params_list(struct store_conn *conn, json_t **out)
{
	struct store_stmt *stmt;
	json_t *offices = json_array();
	int rc = store_prepare(conn, "SELECT office FROM risk_office_params ORDER BY office", &stmt);

	*out = NULL;
	if (rc) {
		json_decref(offices);
		return rc;
	}
	while ((rc = store_step(stmt)) == STORE_ROW)
		json_array_append_new(offices, json_string(store_col_text(stmt, 0)));
	store_finish(stmt);
	if (rc < 0) {
		json_decref(offices);
		return rc;
	}
	*out = json_array();
	for (size_t i = 0; i < json_array_size(offices); i++) {
		const char *office = json_string_value(json_array_get(offices, i));
		struct risk_office_params p;
		if ((rc = risk_office_params_load(conn, office, &p)))
			break;
		json_array_append_new(*out, risk_office_params_json(office, &p, 0));
	}
	json_decref(offices);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int risk_watchlist_remove(struct store_conn *conn, const char *name, const char *value)
{
	int64_t changed = 0;
	int rc = store_execf(conn, &changed,
			     "DELETE FROM risk_watchlists WHERE name = $1 AND value = $2", "tt",
			     name, value);

	return rc ? rc : changed ? CV_OK : CV_ENOTFOUND;
}

int risk_watchlists_list(struct store_conn *conn, json_t **out)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn,
			       "SELECT name, COUNT(*), MAX(added_at) FROM risk_watchlists"
			       " GROUP BY name ORDER BY name",
			       &stmt);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_array();
	while ((rc = store_step(stmt)) == STORE_ROW)
		json_array_append_new(*out,
				      json_pack("{s:s, s:I, s:s}", "name", store_col_text(stmt, 0),
						"values", (json_int_t)store_col_int64(stmt, 1),
						"last_added_at", store_col_text(stmt, 2)));
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return CV_OK;
}

int risk_watchlist_load_csv(struct store_conn *conn, const char *actor, const char *name,
			    char *data, size_t size, int replace, size_t *added, size_t *removed,
			    struct cv_error *err)
{
	struct cv_csv csv;
	struct cv_csv_row row;
	json_t *values = json_array();
	int64_t changed = 0;
	int rc = cv_csv_init(&csv, "the CSV body", "csv", data, size, err);

	*added = *removed = 0;
	/* The first column holds the values; a first row "value" is a header. */
	while (!rc && (rc = cv_csv_next(&csv, &row, err)) == 1) {
		const char *v = cv_csv_trim(row.fields[0]);
		rc = CV_OK;
		if (row.line == 1 && !strcmp(v, "value"))
			continue;
		if (!*v && row.count == 1)
			continue; /* a blank line */
		if (strlen(v) > 200) {
			rc = cv_csv_error(&csv, err, row.line, "a value is 1 to 200 characters");
			break;
		}
		if (!*v) {
			rc = cv_csv_error(&csv, err, row.line, "the first column is empty");
			break;
		}
		json_array_append_new(values, json_string(v));
	}
	if (rc == 0 && !json_array_size(values))
		rc = cv_error_set(err, CV_EINVAL, "csv", "the CSV body holds no values");
	if (rc < 0)
		goto done;
	rc = CV_OK;
	if (replace) {
		rc = store_execf(conn, &changed, "DELETE FROM risk_watchlists WHERE name = $1", "t",
				 name);
		*removed = (size_t)changed;
	}
	/* In slices: the JSON path takes at most 10,000 values at a time. */
	for (size_t start = 0; !rc && start < json_array_size(values); start += 10000) {
		json_t *slice = json_array();
		size_t n;
		for (size_t i = start; i < json_array_size(values) && i < start + 10000; i++)
			json_array_append(slice, json_array_get(values, i));
		rc = risk_watchlist_add(conn, actor, name, slice, &n, err);
		*added += n;
		json_decref(slice);
	}
done:
	json_decref(values);
	return rc;
}
