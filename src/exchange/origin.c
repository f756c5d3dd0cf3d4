/*
 * origin.c — electronic certificates of origin (see documents.h): the
 * builder and reader, and the comparison of a certificate's items with the
 * items of an import declaration that claims preference under it.
 *
 * The comparison answers the importing officer's question "does this
 * certificate cover these goods?" with every reason it does not, not only
 * the first: an HS code the certificate does not name, another origin for
 * that HS, another unit, or more goods than the certificate holds. HS codes
 * are compared on the digits both give (at least 6): certificates carry
 * the international 6 digits, declarations the national 8 to 10. Several
 * declared items may draw on one certificate item; each draws from what the
 * items before it left.
 */
#include "exchange/documents_internal.h"

#include "base/mem.h"
#include "trade/fields.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HS_DIGITS_MIN 6
/* Quantities are doubles: declared 0.1 + 0.2 must fit in a certified 0.3 (relative slack). */
#define QUANTITY_EPSILON 1e-9

/* ---- reading and building ------------------------------------------------------------ */

static void read_origin_item(struct doc_reader *r, const json_t *it, size_t i,
			     struct exchange_origin_item *out)
{
	char where[DOC_PATH_MAX], name[32];

	snprintf(name, sizeof(name), "items[%zu]", i);
	if (!json_is_object(it)) {
		doc_fail(r, CV_EINVAL, DOC_SUBJECT, name, "must be an object");
		return;
	}
	snprintf(where, sizeof(where), DOC_SUBJECT "items[%zu].", i);
	if (doc_whole(r, it, where, "sequence") != (int64_t)i + 1 && !r->rc)
		doc_fail(r, CV_EINVAL, where, "sequence", "must be %zu (items in order from 1)",
			 i + 1);
	out->hs = doc_hs(r, it, where, "hs");
	out->description = doc_text(r, it, where, "description", 1, DOC_TEXT_MAX);
	out->quantity = doc_measure(r, it, where, "quantity", 1);
	out->unit = doc_unit(r, it, where, "unit");
	out->gross_mass = doc_measure(r, it, where, "grossMass", 0);
	out->origin = doc_country(r, it, where, "origin", 1);
	out->criterion = doc_code(r, it, where, "originCriterion", 1, 16);
}

int exchange_certificate_read(const json_t *doc, struct cv_arena *arena,
			      struct exchange_envelope *envelope,
			      struct exchange_certificate_of_origin *c, struct cv_error *err)
{
	struct doc_reader r = {arena, err, CV_OK};
	const json_t *s = doc_envelope_read(&r, doc, EXCHANGE_TYPE_CERTIFICATE_OF_ORIGIN, envelope);
	const json_t *consignment, *items;
	struct exchange_origin_item *list;
	const char *where = DOC_SUBJECT "consignment.";

	memset(c, 0, sizeof(*c));
	c->number = doc_code(&r, s, DOC_SUBJECT, "number", 1, DOC_CODE_MAX);
	c->arrangement = doc_code(&r, s, DOC_SUBJECT, "arrangement", 1, DOC_CODE_MAX);
	c->exporting_country = doc_country(&r, s, DOC_SUBJECT, "exportingCountry", 1);
	c->importing_country = doc_country(&r, s, DOC_SUBJECT, "importingCountry", 1);
	c->issued_on = doc_date(&r, s, DOC_SUBJECT, "issuedOn", 1);
	doc_party(&r, s, DOC_SUBJECT, "exporter", 1, &c->exporter);
	doc_party(&r, s, DOC_SUBJECT, "importer", 1, &c->importer);
	consignment = doc_object(&r, s, DOC_SUBJECT, "consignment", 1);
	c->mode = doc_enum(&r, consignment, where, "transportMode", trade_transport_modes);
	c->vehicle = doc_code(&r, consignment, where, "vehicle", 0, 20);
	c->departure_date = doc_date(&r, consignment, where, "departureDate", 0);
	c->invoice = doc_code(&r, consignment, where, "invoice", 0, DOC_CODE_MAX);
	c->export_declaration = doc_code(&r, consignment, where, "exportDeclaration", 0,
					 DOC_CODE_MAX);
	items = doc_array(&r, s, DOC_SUBJECT, "items", 1, 1, EXCHANGE_ITEMS_MAX);
	list = items ? doc_alloc(&r, json_array_size(items), sizeof(*list)) : NULL;
	for (size_t i = 0; list && i < json_array_size(items) && !r.rc; i++)
		read_origin_item(&r, json_array_get(items, i), i, &list[i]);
	c->items = list;
	c->nitems = list ? json_array_size(items) : 0;
	return r.rc;
}

static json_t *origin_item_json(const void *item, size_t i)
{
	const struct exchange_origin_item *it = item;
	json_t *o = json_pack("{s:I, s:f}", "sequence", (json_int_t)i + 1, "quantity", it->quantity);

	if (!o || doc_set_text(o, "hs", it->hs) ||
	    doc_set_text(o, "description", it->description) || doc_set_text(o, "unit", it->unit) ||
	    (it->gross_mass > 0 && json_object_set_new(o, "grossMass", json_real(it->gross_mass))) ||
	    doc_set_text(o, "origin", it->origin) ||
	    doc_set_text(o, "originCriterion", it->criterion)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *consignment_json(const struct exchange_certificate_of_origin *c)
{
	json_t *o = json_object();

	if (!o || doc_set_text(o, "transportMode", c->mode) ||
	    doc_set_text(o, "vehicle", c->vehicle) ||
	    doc_set_text(o, "departureDate", c->departure_date) ||
	    doc_set_text(o, "invoice", c->invoice) ||
	    doc_set_text(o, "exportDeclaration", c->export_declaration)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The certificate's credentialSubject, or NULL (text not UTF-8, or memory short). */
static json_t *certificate_subject(const struct exchange_certificate_of_origin *c)
{
	json_t *s = json_object();

	if (!s || doc_set_text(s, "type", "CertificateOfOrigin") ||
	    doc_set_text(s, "number", c->number) || doc_set_text(s, "arrangement", c->arrangement) ||
	    doc_set_text(s, "exportingCountry", c->exporting_country) ||
	    doc_set_text(s, "importingCountry", c->importing_country) ||
	    doc_set_text(s, "issuedOn", c->issued_on) ||
	    (c->exporter.id && json_object_set_new(s, "exporter", doc_party_json(&c->exporter))) ||
	    (c->importer.id && json_object_set_new(s, "importer", doc_party_json(&c->importer))) ||
	    json_object_set_new(s, "consignment", consignment_json(c)) ||
	    json_object_set_new(s, "items",
				doc_list_json(c->items, c->nitems, sizeof(*c->items),
					      origin_item_json))) {
		json_decref(s);
		return NULL;
	}
	return s;
}

int exchange_certificate_build(const struct exchange_envelope *envelope,
			       const struct exchange_certificate_of_origin *c, json_t **doc,
			       struct cv_error *err)
{
	return doc_build(envelope, EXCHANGE_DOCUMENT_CERTIFICATE_OF_ORIGIN, certificate_subject(c),
			 doc, err);
}

/* ---- comparing with a declaration ------------------------------------------------------ */

/* Does want fit in left, of a certificate item of total? */
static int fits(double left, double want, double total)
{
	return want <= left + QUANTITY_EPSILON * (total > 1 ? total : 1);
}

/* Do two HS codes agree on the digits both give (at least HS_DIGITS_MIN)? */
static int hs_agree(const char *certified, const char *declared)
{
	size_t a = strlen(certified), b = strlen(declared), n = a < b ? a : b;

	return n >= HS_DIGITS_MIN && strncmp(certified, declared, n) == 0;
}

static int add(struct exchange_mismatches *m, size_t *cap, size_t item, const char *field,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int add(struct exchange_mismatches *m, size_t *cap, size_t item, const char *field,
	       const char *fmt, ...)
{
	struct exchange_mismatch *x;
	va_list ap;

	if (m->count == *cap) {
		size_t grown = *cap ? *cap * 2 : 8;
		struct exchange_mismatch *list = cv_realloc(m->list, grown * sizeof(*list));

		if (!list)
			return CV_ENOMEM;
		m->list = list;
		*cap = grown;
	}
	x = &m->list[m->count++];
	x->item = item;
	snprintf(x->field, sizeof(x->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(x->reason, sizeof(x->reason), fmt, ap);
	va_end(ap);
	return CV_OK;
}

/* The first certificate item of the HS and origin with room for quantity, else the last one seen. */
static long pick(const struct exchange_certificate_of_origin *c, const double *left,
		 const struct trade_item *d, int *hs_seen, int *origin_seen)
{
	long found = -1;

	*hs_seen = *origin_seen = 0;
	for (size_t k = 0; k < c->nitems; k++) {
		const struct exchange_origin_item *it = &c->items[k];

		if (!hs_agree(it->hs, d->hs))
			continue;
		*hs_seen = 1;
		if (strcmp(it->origin, d->origin ? d->origin : "") != 0)
			continue;
		*origin_seen = 1;
		if (d->unit && strcmp(it->unit, d->unit) != 0) {
			if (found < 0)
				found = (long)k;
			continue;
		}
		if (fits(left[k], d->quantity, it->quantity))
			return (long)k;
		/* Too little left: report the item of the right unit with the most left. */
		if (found < 0 || strcmp(c->items[found].unit, it->unit) != 0 ||
		    left[k] > left[found])
			found = (long)k;
	}
	return found;
}

/* Every origin the certificate gives for the HS of d, as "KZ, UZ". */
static const char *origins_for(const struct exchange_certificate_of_origin *c,
			       const struct trade_item *d, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t k = 0; k < c->nitems; k++) {
		int n;

		if (!hs_agree(c->items[k].hs, d->hs) || strstr(out, c->items[k].origin))
			continue;
		n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", c->items[k].origin);
		if (n > 0 && (size_t)n < size - used)
			used += (size_t)n;
	}
	return out;
}

static int compare_item(const struct exchange_certificate_of_origin *c, double *left,
			const struct trade_item *d, size_t item, struct exchange_mismatches *m,
			size_t *cap)
{
	const struct exchange_origin_item *it;
	char origins[64];
	int hs_seen, origin_seen;
	long k;

	if (!d->hs || !*d->hs)
		return add(m, cap, item, "hs", "item %zu has no HS code", item);
	k = pick(c, left, d, &hs_seen, &origin_seen);
	if (!hs_seen)
		return add(m, cap, item, "hs", "item %zu: HS %s is not on certificate %s", item,
			   d->hs, c->number);
	if (!origin_seen)
		return add(m, cap, item, "origin",
			   "item %zu: origin %s declared, certificate %s gives HS %s origin %s",
			   item, d->origin && *d->origin ? d->origin : "(none)", c->number, d->hs,
			   origins_for(c, d, origins, sizeof(origins)));
	it = &c->items[k];
	if (d->unit && strcmp(it->unit, d->unit) != 0)
		return add(m, cap, item, "unit",
			   "item %zu: declared in %s, certificate %s counts HS %s in %s", item,
			   d->unit, c->number, it->hs, it->unit);
	if (!fits(left[k], d->quantity, it->quantity))
		return add(m, cap, item, "quantity",
			   "item %zu: %g %s declared, certificate %s has %g %s of HS %s left (of "
			   "%g)",
			   item, d->quantity, it->unit, c->number, left[k] > 0 ? left[k] : 0,
			   it->unit, it->hs, it->quantity);
	left[k] -= d->quantity;
	return CV_OK;
}

int exchange_certificate_compare(const struct exchange_certificate_of_origin *c,
				 const struct trade_item *items, size_t nitems,
				 struct exchange_mismatches *out)
{
	double *left = cv_calloc(c->nitems ? c->nitems : 1, sizeof(*left));
	size_t cap = 0;
	int rc = CV_OK;

	out->list = NULL;
	out->count = 0;
	if (!left)
		return CV_ENOMEM;
	for (size_t k = 0; k < c->nitems; k++)
		left[k] = c->items[k].quantity;
	for (size_t i = 0; i < nitems && rc == CV_OK; i++)
		rc = compare_item(c, left, &items[i], i + 1, out, &cap);
	cv_free(left);
	if (rc)
		exchange_mismatches_release(out);
	return rc;
}

void exchange_mismatches_release(struct exchange_mismatches *m)
{
	cv_free(m->list);
	m->list = NULL;
	m->count = 0;
}

json_t *exchange_mismatches_json(const struct exchange_mismatches *m)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < m->count; i++) {
		if (json_array_append_new(list, json_pack("{s:I, s:s, s:s}", "item",
							  (json_int_t)m->list[i].item, "field",
							  m->list[i].field, "reason",
							  m->list[i].reason))) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}
