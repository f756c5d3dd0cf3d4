/* green.c — see green.h. */
#include "report/green.h"

#include "base/clock.h"

#include <string.h>

static int64_t count(struct store_conn *conn, const char *sql, const char *from, const char *until)
{
	struct store_stmt *stmt;
	int64_t n = 0;

	if (!store_query_row(conn, &stmt, sql, "tt", from, until)) {
		n = store_col_int64(stmt, 0);
		store_finish(stmt);
	}
	return n;
}

/* One kind's savings: n documents times its coefficients; adds to the totals. */
static json_t *saved(json_t *coefficients, const char *kind, int64_t n, double *sheets, double *km,
		     double *co2)
{
	json_t *c = json_object_get(json_object_get(coefficients, "documents"), kind);
	double per_sheet = json_number_value(json_object_get(json_object_get(coefficients, "paper"),
							     "kg_co2e_per_sheet")),
	       per_km = json_number_value(
		       json_object_get(json_object_get(coefficients, "travel"), "kg_co2e_per_km"));
	double s = (double)n * json_number_value(json_object_get(c, "sheets")),
	       k = (double)n * json_number_value(json_object_get(c, "km")),
	       /* A measured figure for the document replaces the paper and travel estimate. */
		kg = json_object_get(c, "kg_co2e")
			     ? (double)n * json_number_value(json_object_get(c, "kg_co2e"))
			     : s * per_sheet + k * per_km;

	*sheets += s;
	*km += k;
	*co2 += kg;
	return json_pack("{s:I, s:f, s:f, s:f, s:s}", "documents", (json_int_t)n, "sheets", s, "km",
			 k, "kg_co2e", kg, "source",
			 json_string_value(json_object_get(c, "source"))
				 ? json_string_value(json_object_get(c, "source"))
				 : "");
}

int report_green(struct store_conn *conn, const char *coefficients_path, const char *from,
		 const char *to, json_t **out, struct cv_error *err)
{
	char until[CV_DATE_MAX];
	json_error_t jerr;
	json_t *coefficients, *kinds;
	double sheets = 0, km = 0, co2 = 0;
	int64_t day;

	*out = NULL;
	if (!from || cv_date_parse(from, &day))
		return cv_error_set(err, CV_EINVAL, "from", "from must be a date (YYYY-MM-DD)");
	if (!to || cv_date_parse(to, &day) || strcmp(from, to) > 0)
		return cv_error_set(err, CV_EINVAL, "to",
				    "to must be a date (YYYY-MM-DD), not before from");
	coefficients = json_load_file(coefficients_path, 0, &jerr);
	if (!coefficients)
		return cv_error_set(err, CV_EINTERNAL, NULL, "cannot read %s: %s (line %d)",
				    coefficients_path, jerr.text, jerr.line);
	cv_date_add_days(to, 1, until);
	kinds = json_object();
	/* Declarations lodged electronically (not the imported history). */
	json_object_set_new(kinds, "declaration",
			    saved(coefficients, "declaration",
				  count(conn,
					"SELECT COUNT(*) FROM declarations WHERE source = 'api'"
					" AND lodged_at >= $1 AND lodged_at < $2",
					from, until),
				  &sheets, &km, &co2));
	json_object_set_new(kinds, "payment",
			    saved(coefficients, "payment",
				  count(conn,
					"SELECT COUNT(*) FROM payments WHERE paid_at >= $1 AND paid_at < $2",
					from, until),
				  &sheets, &km, &co2));
	json_object_set_new(kinds, "PHYTOSANITARY-CERTIFICATE",
			    saved(coefficients, "PHYTOSANITARY-CERTIFICATE",
				  count(conn,
					"SELECT COUNT(*) FROM lpcos WHERE status = 'issued'"
					" AND type = 'PHYTOSANITARY-CERTIFICATE'"
					" AND decided_at >= $1 AND decided_at < $2",
					from, until),
				  &sheets, &km, &co2));
	json_object_set_new(kinds, "lpco",
			    saved(coefficients, "lpco",
				  count(conn,
					"SELECT COUNT(*) FROM lpcos WHERE status = 'issued'"
					" AND type <> 'PHYTOSANITARY-CERTIFICATE'"
					" AND decided_at >= $1 AND decided_at < $2",
					from, until),
				  &sheets, &km, &co2));
	*out = json_pack("{s:s, s:s, s:{s:f, s:f, s:f}, s:o, s:{s:O, s:O}}", "from", from, "to", to,
			 "total", "sheets", sheets, "km", km, "kg_co2e", co2, "by_document", kinds,
			 "factors", "paper", json_object_get(coefficients, "paper"), "travel",
			 json_object_get(coefficients, "travel"));
	json_decref(coefficients);
	return *out ? CV_OK : CV_ENOMEM;
}
