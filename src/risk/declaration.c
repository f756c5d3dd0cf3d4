/* declaration.c — see declaration.h. */
#include "risk/declaration.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Header fields copied into every item, by their JSON names (= the profile field names). */
static const int header_fields[] = {RISK_DIRECTION,   RISK_PROCEDURE, RISK_OFFICE,
				    RISK_MODE,        RISK_ORIGIN,    RISK_DEPARTURE,
				    RISK_DESTINATION, RISK_DECLARANT, RISK_IMPORTER,
				    RISK_EXPORTER,    RISK_SELLER,    RISK_COURIER,
				    RISK_AEO_GRADE};

static int text_member(json_t *o, const char *name, const char **out, const char *where,
		       struct cv_error *err)
{
	json_t *v = json_object_get(o, name);

	if (!v || json_is_null(v))
		return CV_OK;
	if (!json_is_string(v) || json_string_length(v) > 200)
		return cv_error_set(err, CV_EINVAL, name,
				    "%s%s must be text of at most 200 characters", where, name);
	*out = json_string_value(v);
	return CV_OK;
}

static int number_member(json_t *o, const char *name, double *out, const char *where,
			 struct cv_error *err)
{
	json_t *v = json_object_get(o, name);

	if (!v || json_is_null(v))
		return CV_OK;
	if (!json_is_number(v) || json_number_value(v) < 0)
		return cv_error_set(err, CV_EINVAL, name, "%s%s must be a number, 0 or more", where,
				    name);
	*out = json_number_value(v);
	return CV_OK;
}

static int hs_ok(const char *hs)
{
	size_t n = strlen(hs);

	if (n < 6 || n > 10)
		return 0;
	for (const char *p = hs; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}

int risk_declaration_from_json(json_t *doc, struct cv_arena *arena, struct risk_declaration *d,
			       struct cv_error *err)
{
	struct risk_item header;
	json_t *items = json_object_get(doc, "items"), *docs = json_object_get(doc, "documents"),
	       *it;
	const char *aeo = "none", **documents = NULL;
	struct risk_item *out;
	double clean = 0;
	size_t i, ndocs = 0;
	int rc, kind;

	memset(d, 0, sizeof(*d));
	memset(&header, 0, sizeof(header));
	if (!json_is_object(doc))
		return cv_error_set(err, CV_EINVAL, "declaration",
				    "the declaration must be a JSON object");
	for (int f = 0; f < RISK_TEXT_FIELDS; f++)
		header.text[f] = "";
	d->id = json_string_value(json_object_get(doc, "id"));
	if (!d->id || !*d->id)
		return cv_error_set(err, CV_EINVAL, "id",
				    "id is required: the random draw is made from it");
	for (size_t k = 0; k < sizeof(header_fields) / sizeof(header_fields[0]); k++)
		if ((rc = text_member(doc, risk_field_name((enum risk_field)header_fields[k]),
				      &header.text[header_fields[k]], "", err)))
			return rc;
	if ((rc = text_member(doc, "aeo", &aeo, "", err)) ||
	    (rc = text_member(doc, "date", &header.date, "", err)) ||
	    (rc = number_member(doc, "compliance_score",
				&header.number[RISK_COMPLIANCE_SCORE - RISK_TEXT_FIELDS], "", err)) ||
	    (rc = number_member(doc, "clean_examinations", &clean, "", err)))
		return rc;
	kind = risk_aeo_parse(aeo);
	if (kind < 0)
		return cv_error_set(err, CV_EINVAL, "aeo",
				    "aeo must be none, AEOC, AEOS, AEOF or partner");
	d->aeo = (enum risk_aeo)kind;
	header.text[RISK_AEO] = aeo;
	d->clean_examinations = (int)clean;
	if (json_object_get(doc, "pre_arrival") &&
	    !json_is_boolean(json_object_get(doc, "pre_arrival")))
		return cv_error_set(err, CV_EINVAL, "pre_arrival",
				    "pre_arrival must be true or false");
	header.pre_arrival = json_is_true(json_object_get(doc, "pre_arrival"));
	if (json_object_get(doc, "advance_match") &&
	    !json_is_boolean(json_object_get(doc, "advance_match")))
		return cv_error_set(err, CV_EINVAL, "advance_match",
				    "advance_match must be true or false");
	header.advance_match = json_is_true(json_object_get(doc, "advance_match"));
	if (docs) {
		json_t *v;
		if (!json_is_array(docs) || json_array_size(docs) > 100)
			return cv_error_set(err, CV_EINVAL, "documents",
					    "documents must be a list of document types");
		documents = cv_arena_alloc(arena, (json_array_size(docs) + 1) * sizeof(*documents));
		if (!documents)
			return CV_ENOMEM;
		json_array_foreach(docs, i, v) {
			if (!json_is_string(v))
				return cv_error_set(err, CV_EINVAL, "documents",
						    "documents[%zu] must be text", i);
			documents[ndocs++] = json_string_value(v);
		}
	}
	header.documents = documents;
	header.ndocuments = ndocs;
	if (!json_is_array(items) || json_array_size(items) == 0 ||
	    json_array_size(items) > RISK_MAX_ITEMS)
		return cv_error_set(err, CV_EINVAL, "items",
				    "items must be a list of 1 to %d items", RISK_MAX_ITEMS);
	out = cv_arena_alloc(arena, json_array_size(items) * sizeof(*out));
	if (!out)
		return CV_ENOMEM;
	json_array_foreach(items, i, it) {
		char where[32];
		struct risk_item *x = &out[i];
		double *num = x->number;

		snprintf(where, sizeof(where), "items[%zu].", i);
		*x = header;
		if (!json_is_object(it))
			return cv_error_set(err, CV_EINVAL, "items", "items[%zu] must be an object",
					    i);
		if ((rc = text_member(it, "hs", &x->text[RISK_HS], where, err)) ||
		    (rc = text_member(it, "origin", &x->text[RISK_ORIGIN], where, err)) ||
		    (rc = number_member(it, "value", &num[RISK_VALUE - RISK_TEXT_FIELDS], where,
					err)) ||
		    (rc = number_member(it, "net_mass", &num[RISK_NET_MASS - RISK_TEXT_FIELDS],
					where, err)) ||
		    (rc = number_member(it, "tax_rate", &num[RISK_TAX_RATE - RISK_TEXT_FIELDS],
					where, err)))
			return rc;
		if (!hs_ok(x->text[RISK_HS]))
			return cv_error_set(err, CV_EINVAL, "hs",
					    "items[%zu].hs must be 6 to 10 digits", i);
		if (num[RISK_NET_MASS - RISK_TEXT_FIELDS] > 0)
			num[RISK_UNIT_VALUE - RISK_TEXT_FIELDS] =
				num[RISK_VALUE - RISK_TEXT_FIELDS] /
				num[RISK_NET_MASS - RISK_TEXT_FIELDS];
	}
	d->items = out;
	d->nitems = json_array_size(items);
	return CV_OK;
}
