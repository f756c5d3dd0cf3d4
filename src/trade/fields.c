/* fields.c — see fields.h. */
#include "trade/fields.h"

#include "base/err.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const trade_transport_modes[] = {"1", "2", "3", "4", "5", "7", "8", "9", NULL};
const char *const trade_units[] = {"H87", "C62", "NAR", "PR",  "SET", "DZN", "KGM", "GRM",
				   "TNE", "LTR", "MLT", "MTQ", "MTK", "MTR", "KWH", NULL};

void trade_refuse(struct trade_check *c, const char *field, const char *fmt, ...)
{
	char message[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	json_array_append_new(c->errors,
			      json_pack("{s:s, s:s}", "field", field, "message", message));
}

int trade_code_like(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '/' && s[i] != '.')
			return 0;
	return 1;
}

int trade_exists(struct store_conn *conn, const char *sql, const char *value)
{
	struct store_stmt *stmt;

	if (store_query_row(conn, &stmt, sql, "t", value))
		return 0;
	store_finish(stmt);
	return 1;
}

const char *trade_text(struct trade_check *c, json_t *o, const char *name, const char *where,
		       size_t max, int required)
{
	json_t *v = json_object_get(o, name);
	char field[96];

	snprintf(field, sizeof(field), "%s%s", where, name);
	if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v))) {
		if (required)
			trade_refuse(c, cv_arena_strdup(c->arena, field), "%s is required", field);
		return NULL;
	}
	if (!json_is_string(v) || json_string_length(v) > max) {
		trade_refuse(c, cv_arena_strdup(c->arena, field),
			     "%s must be text of at most %zu characters", field, max);
		return NULL;
	}
	return json_string_value(v);
}

int trade_listed(const char *v, const char *const *list)
{
	for (; v && *list; list++)
		if (!strcmp(v, *list))
			return 1;
	return 0;
}

int trade_counter_next(struct store_conn *conn, const char *name, int64_t *value)
{
	struct store_stmt *stmt;
	int rc = store_execf(conn, NULL,
			     "INSERT INTO counters (name, last) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING",
			     "t", name);

	if (!rc)
		rc = store_query_row(conn, &stmt,
				     "UPDATE counters SET last = last + 1 WHERE name = $1 RETURNING last",
				     "t", name);
	if (rc)
		return rc;
	*value = store_col_int64(stmt, 0);
	store_finish(stmt);
	return CV_OK;
}
