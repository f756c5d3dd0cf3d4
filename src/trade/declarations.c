/* declarations.c — see declarations.h. */
#include "trade/declarations.h"

#include "base/clock.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int digits(const char *s, size_t min, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

static int check(const struct trade_declaration *d, struct cv_error *err)
{
	int64_t day;

	if (!d->number || !*d->number || strlen(d->number) > 64)
		return cv_error_set(err, CV_EINVAL, "number",
				    "number is required (at most 64 characters)");
	if (!d->direction || (strcmp(d->direction, "import") && strcmp(d->direction, "export") &&
			      strcmp(d->direction, "transit")))
		return cv_error_set(err, CV_EINVAL, "direction",
				    "direction must be import, export or transit");
	if (!d->office || !*d->office)
		return cv_error_set(err, CV_EINVAL, "office", "office is required");
	if (!d->lodged_on || cv_date_parse(d->lodged_on, &day))
		return cv_error_set(err, CV_EINVAL, "lodged_on",
				    "lodged_on must be a date (YYYY-MM-DD)");
	if (d->nitems < 1 || d->nitems > TRADE_MAX_ITEMS)
		return cv_error_set(err, CV_EINVAL, "items", "a declaration has 1 to %d items",
				    TRADE_MAX_ITEMS);
	for (size_t i = 0; i < d->nitems; i++) {
		const struct trade_item *it = &d->items[i];
		if (!digits(it->hs, 6, 10))
			return cv_error_set(err, CV_EINVAL, "hs",
					    "items[%zu].hs must be 6 to 10 digits", i);
		if (!(it->value >= 0) || !(it->net_mass >= 0) || !(it->tax_rate >= 0) ||
		    !isfinite(it->value) || !isfinite(it->net_mass) || !isfinite(it->tax_rate))
			return cv_error_set(err, CV_EINVAL, "value",
					    "items[%zu]: value, net_mass and tax_rate must be numbers, 0 or more",
					    i);
	}
	return CV_OK;
}

int trade_declaration_exists(struct store_conn *conn, const char *number)
{
	struct store_stmt *stmt;

	if (store_query_row(conn, &stmt, "SELECT 1 FROM declarations WHERE number = $1", "t", number))
		return 0;
	store_finish(stmt);
	return 1;
}

int trade_declaration_insert(struct store_conn *conn, const struct trade_declaration *d,
			     char id[CV_UUID_STR], struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	char *text;
	int rc = check(d, err);

	if (rc)
		return rc;
	if (trade_declaration_exists(conn, d->number))
		return cv_error_set(err, CV_ECONFLICT, "number",
				    "a declaration numbered %s exists already", d->number);
	text = d->document ? json_dumps(d->document, JSON_COMPACT) : NULL;
	cv_uuid7(id);
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO declarations (id, number, direction, procedure, office, mode, declarant,"
			 " importer, exporter, seller, courier, departure, destination, pre_arrival, status,"
			 " source, document, lodged_on, lodged_at)"
			 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
			 " $18, $19)",
			 "tttttttttttttittttt", id, d->number, d->direction, or_empty(d->procedure),
			 d->office, or_empty(d->mode), or_empty(d->declarant),
			 or_empty(d->importer), or_empty(d->exporter), or_empty(d->seller),
			 or_empty(d->courier), or_empty(d->departure), or_empty(d->destination),
			 (int64_t)(d->pre_arrival != 0), d->status ? d->status : "accepted",
			 d->source ? d->source : "api", text ? text : "{}", d->lodged_on, now);
	free(text);
	for (size_t i = 0; !rc && i < d->nitems; i++) {
		const struct trade_item *it = &d->items[i];
		rc = store_execf(conn, NULL,
				 "INSERT INTO declaration_items (declaration_id, item, hs, origin, value,"
				 " net_mass, tax_rate) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				 "tittddd", id, (int64_t)i + 1, it->hs, or_empty(it->origin),
				 it->value, it->net_mass, it->tax_rate);
	}
	for (size_t i = 0; !rc && i < d->ndocuments; i++)
		rc = store_execf(conn, NULL,
				 "INSERT INTO declaration_documents (declaration_id, type, reference)"
				 " VALUES ($1, $2, '') ON CONFLICT DO NOTHING",
				 "tt", id, d->documents[i]);
	return rc;
}
