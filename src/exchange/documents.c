/*
 * documents.c — the envelope every exchanged document shares, the checks
 * a received one goes through member by member, the AEO status credential
 * and advance cargo data (see documents.h; certificates of origin are in
 * origin.c).
 *
 * Design. One reader per kind checks a document and fills the struct the
 * builder takes, and each builder reads its own output back: the two
 * cannot drift apart, and a node never sends a document its partner would
 * refuse. Values are checked for shape only (an HS code is 6 to 10 digits,
 * a country two capitals); whether a country or an HS subheading exists is
 * the receiving node's business with its reference tables, since a
 * partner's tables may be a newer edition. Every JSON number is a double
 * (exchange/jcs.h): amounts in minor units stay exact below 2^53.
 *
 * Volumes: a node sends a few AEO credentials a day (20,000 on an initial
 * load) and a few hundred advance cargo documents; each is a few
 * kilobytes, so clarity wins over speed here.
 */
#include "exchange/documents_internal.h"

#include "base/clock.h"
#include "base/mem.h"
#include "exchange/status_list.h"
#include "trade/fields.h"
#include "trade/lodging.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define STATUS_INDEX_DIGITS_MAX 19

static const char *const aeo_types[] = {"AEOC", "AEOS", "AEOF", NULL};
static const char *const aeo_statuses[] = {"valid", "suspended", "revoked", "expired", NULL};

/* ---- reading, member by member ------------------------------------------------------ */

void doc_path(char path[DOC_PATH_MAX], const char *where, const char *name)
{
	snprintf(path, DOC_PATH_MAX, "%s%s", where, name);
}

int doc_fail(struct doc_reader *r, int code, const char *where, const char *name, const char *fmt,
	     ...)
{
	char path[DOC_PATH_MAX], message[CV_ERROR_MESSAGE_MAX];
	va_list ap;

	if (r->rc)
		return r->rc;
	doc_path(path, where, name);
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	r->rc = code;
	cv_error_set(r->err, code, path, "%s %s", path, message);
	return code;
}

const char *doc_text(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		     int required, size_t max)
{
	const json_t *v = json_object_get(o, name);
	const char *s;

	if (r->rc)
		return NULL;
	if (!v || json_is_null(v)) {
		if (required)
			doc_fail(r, CV_EINVAL, where, name, "is required");
		return NULL;
	}
	/* An optional member sent empty is not given (a party a declaration leaves blank). */
	if (!required && json_is_string(v) && json_string_length(v) == 0)
		return NULL;
	s = json_string_value(v);
	if (!s || !*s || json_string_length(v) > max || strlen(s) != json_string_length(v)) {
		doc_fail(r, CV_EINVAL, where, name, "must be text of 1 to %zu bytes", max);
		return NULL;
	}
	return s;
}

const char *doc_code(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		     int required, size_t max)
{
	const char *s = doc_text(r, o, where, name, required, max);

	if (s && !trade_code_like(s, max)) {
		doc_fail(r, CV_EINVAL, where, name,
			 "must be letters, digits and - / . (at most %zu), not \"%.40s\"", max, s);
		return NULL;
	}
	return s;
}

const char *doc_country(struct doc_reader *r, const json_t *o, const char *where, const char *name,
			int required)
{
	const char *s = doc_text(r, o, where, name, required, DOC_CODE_MAX);

	if (s && (strlen(s) != 2 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]))) {
		doc_fail(r, CV_EINVAL, where, name,
			 "must be an ISO 3166 country code (two capitals), not \"%s\"", s);
		return NULL;
	}
	return s;
}

const char *doc_hs(struct doc_reader *r, const json_t *o, const char *where, const char *name)
{
	const char *s = doc_text(r, o, where, name, 1, DOC_CODE_MAX);
	size_t n = s ? strlen(s) : 0;

	if (s && (n < 6 || n > 10 || strspn(s, "0123456789") != n)) {
		doc_fail(r, CV_EINVAL, where, name,
			 "must be an HS code of 6 to 10 digits, not \"%s\"", s);
		return NULL;
	}
	return s;
}

const char *doc_date(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		     int required)
{
	const char *s = doc_text(r, o, where, name, required, DOC_CODE_MAX);
	int64_t days;

	if (s && (strlen(s) != 10 || cv_date_parse(s, &days))) {
		doc_fail(r, CV_EINVAL, where, name, "must be a date (YYYY-MM-DD), not \"%s\"", s);
		return NULL;
	}
	return s;
}

const char *doc_time(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		     int required)
{
	const char *s = doc_text(r, o, where, name, required, 64);
	int64_t ms;

	if (s && cv_clock_parse_rfc3339(s, &ms)) {
		doc_fail(r, CV_EINVAL, where, name,
			 "must be an RFC 3339 date and time (2026-11-29T08:00:00Z), not \"%s\"", s);
		return NULL;
	}
	return s;
}

const char *doc_unit(struct doc_reader *r, const json_t *o, const char *where, const char *name)
{
	const char *s = doc_text(r, o, where, name, 1, DOC_CODE_MAX);
	size_t n = s ? strlen(s) : 0;

	if (s && (n < 2 || n > 3 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n)) {
		doc_fail(r, CV_EINVAL, where, name,
			 "must be a UNECE Rec 20 unit code (KGM, H87), not \"%s\"", s);
		return NULL;
	}
	return s;
}

const char *doc_enum(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		     const char *const *list)
{
	const char *s = doc_text(r, o, where, name, 1, 32);
	char allowed[160] = "";
	size_t used = 0;

	if (!s || trade_listed(s, list))
		return s;
	for (const char *const *v = list; *v; v++) {
		int n = snprintf(allowed + used, sizeof(allowed) - used, "%s%s", used ? ", " : "",
				 *v);
		if (n > 0 && (size_t)n < sizeof(allowed) - used)
			used += (size_t)n;
	}
	doc_fail(r, CV_EINVAL, where, name, "must be one of %s, not \"%.32s\"", allowed, s);
	return NULL;
}

double doc_measure(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		   int required)
{
	const json_t *v = json_object_get(o, name);
	double d;

	if (r->rc)
		return 0;
	if (!v && !required)
		return 0;
	d = json_number_value(v);
	if (!json_is_number(v) || !(d > 0) || d > DOC_MEASURE_MAX) {
		doc_fail(r, CV_EINVAL, where, name, v ? "must be a number above 0" : "is required");
		return 0;
	}
	return d;
}

int64_t doc_whole(struct doc_reader *r, const json_t *o, const char *where, const char *name)
{
	const json_t *v = json_object_get(o, name);
	double d = json_number_value(v);

	if (r->rc)
		return 0;
	if (!json_is_number(v) || d < 0 || d > DOC_AMOUNT_MAX || d != floor(d)) {
		doc_fail(r, CV_EINVAL, where, name,
			 v ? "must be a whole number from 0 to 2^53" : "is required");
		return 0;
	}
	return (int64_t)d;
}

const json_t *doc_object(struct doc_reader *r, const json_t *o, const char *where, const char *name,
			 int required)
{
	const json_t *v = json_object_get(o, name);

	if (r->rc || (!v && !required))
		return NULL;
	if (!json_is_object(v)) {
		doc_fail(r, CV_EINVAL, where, name, v ? "must be an object" : "is required");
		return NULL;
	}
	return v;
}

const json_t *doc_array(struct doc_reader *r, const json_t *o, const char *where, const char *name,
			int required, size_t min, size_t max)
{
	const json_t *v = json_object_get(o, name);

	if (r->rc || (!v && !required))
		return NULL;
	if (!json_is_array(v) || json_array_size(v) < min || json_array_size(v) > max) {
		if (v)
			doc_fail(r, CV_EINVAL, where, name, "must be a list of %zu to %zu", min,
				 max);
		else
			doc_fail(r, CV_EINVAL, where, name, "is required");
		return NULL;
	}
	return v;
}

void doc_party(struct doc_reader *r, const json_t *o, const char *where, const char *name,
	       int required, struct exchange_party *party)
{
	const json_t *p = doc_object(r, o, where, name, required);
	char inner[DOC_PATH_MAX];

	memset(party, 0, sizeof(*party));
	if (!p)
		return;
	snprintf(inner, sizeof(inner), "%s%s.", where, name);
	party->id = doc_code(r, p, inner, "id", 1, DOC_CODE_MAX);
	party->name = doc_text(r, p, inner, "name", 0, DOC_TEXT_MAX);
	party->country = doc_country(r, p, inner, "country", 0);
}

void *doc_alloc(struct doc_reader *r, size_t n, size_t size)
{
	void *p;

	if (r->rc || n == 0)
		return NULL;
	p = n <= SIZE_MAX / size ? cv_arena_alloc(r->arena, n * size) : NULL;
	if (!p) {
		r->rc = cv_error_set(r->err, CV_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	memset(p, 0, n * size);
	return p;
}

/* Does type (a string or an array of strings) name wanted? */
static int type_has(const json_t *type, const char *wanted)
{
	const json_t *v;
	size_t i;

	if (json_is_string(type))
		return !strcmp(json_string_value(type), wanted);
	json_array_foreach(type, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), wanted))
			return 1;
	}
	return 0;
}

/* ---- the envelope --------------------------------------------------------------------- */

/* One entry, named name ("credentialStatus[1]"). */
static void read_status_entry(struct doc_reader *r, const json_t *e, const char *name,
			      struct exchange_status_entry *out)
{
	char where[DOC_PATH_MAX];
	const char *index;
	size_t n;

	if (!json_is_object(e)) {
		doc_fail(r, CV_EINVAL, "", name, "must be an object");
		return;
	}
	snprintf(where, sizeof(where), "%s.", name);
	if (!type_has(json_object_get(e, "type"), EXCHANGE_STATUS_LIST_ENTRY)) {
		doc_fail(r, CV_EINVAL, where, "type", "must be " EXCHANGE_STATUS_LIST_ENTRY);
		return;
	}
	out->purpose = doc_code(r, e, where, "statusPurpose", 1, 32);
	out->list = doc_text(r, e, where, "statusListCredential", 1, DOC_URL_MAX);
	index = doc_text(r, e, where, "statusListIndex", 1, 32);
	n = index ? strlen(index) : 0;
	if (index && (strspn(index, "0123456789") != n || n > STATUS_INDEX_DIGITS_MAX)) {
		doc_fail(r, CV_EINVAL, where, "statusListIndex",
			 "must be a base-10 integer in a string (\"94567\")");
		return;
	}
	for (out->index = 0; index && *index; index++)
		out->index = out->index * 10 + (uint64_t)(*index - '0');
}

static void read_status(struct doc_reader *r, const json_t *doc, struct exchange_envelope *env)
{
	const json_t *status = json_object_get(doc, "credentialStatus");
	char name[DOC_PATH_MAX];

	env->credential_status = status;
	if (!status || r->rc)
		return;
	if (json_is_object(status)) {
		read_status_entry(r, status, "credentialStatus", &env->status[0]);
		env->nstatus = 1;
		return;
	}
	if (!json_is_array(status) || json_array_size(status) < 1 ||
	    json_array_size(status) > EXCHANGE_STATUS_ENTRIES_MAX) {
		doc_fail(r, CV_EINVAL, "", "credentialStatus",
			 "must be an entry or a list of 1 to %d entries",
			 EXCHANGE_STATUS_ENTRIES_MAX);
		return;
	}
	for (size_t i = 0; i < json_array_size(status); i++) {
		snprintf(name, sizeof(name), "credentialStatus[%zu]", i);
		read_status_entry(r, json_array_get(status, i), name, &env->status[i]);
	}
	env->nstatus = json_array_size(status);
}

/* "to": one DID or a list of them (the first is kept). */
static void read_to(struct doc_reader *r, const json_t *doc, struct exchange_envelope *env)
{
	const json_t *to = json_object_get(doc, "to"), *v;
	size_t i;

	if (!to || r->rc)
		return;
	if (json_is_string(to)) {
		env->to = doc_text(r, doc, "", "to", 1, DOC_URL_MAX);
		return;
	}
	if (!json_is_array(to) || json_array_size(to) == 0) {
		doc_fail(r, CV_EINVAL, "", "to", "must be a DID or a list of DIDs");
		return;
	}
	json_array_foreach(to, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > DOC_URL_MAX) {
			doc_fail(r, CV_EINVAL, "", "to", "must be a DID or a list of DIDs");
			return;
		}
	}
	env->to = json_string_value(json_array_get(to, 0));
}

const json_t *doc_envelope_read(struct doc_reader *r, const json_t *doc, const char *type,
				struct exchange_envelope *env)
{
	const json_t *context = json_object_get(doc, "@context"), *issuer;
	int64_t from, until;

	memset(env, 0, sizeof(*env));
	if (!json_is_object(doc)) {
		doc_fail(r, CV_EINVAL, "", "document", "must be a JSON object");
		return NULL;
	}
	if (!json_is_array(context) || !json_is_string(json_array_get(context, 0)) ||
	    strcmp(json_string_value(json_array_get(context, 0)), EXCHANGE_VC_CONTEXT) != 0) {
		doc_fail(r, CV_EINVAL, "", "@context",
			 "must be a list starting with \"" EXCHANGE_VC_CONTEXT "\"");
		return NULL;
	}
	if (!type_has(json_object_get(doc, "type"), "VerifiableCredential") ||
	    !type_has(json_object_get(doc, "type"), type)) {
		doc_fail(r, CV_EINVAL, "", "type", "must list VerifiableCredential and %s", type);
		return NULL;
	}
	env->id = doc_text(r, doc, "", "id", 1, DOC_URL_MAX);
	if (env->id && !strchr(env->id, ':'))
		doc_fail(r, CV_EINVAL, "", "id", "must be a URI (urn:uuid:... or https://...)");
	issuer = json_object_get(doc, "issuer");
	if (json_is_object(issuer))
		env->issuer = doc_text(r, issuer, "issuer.", "id", 1, DOC_URL_MAX);
	else
		env->issuer = doc_text(r, doc, "", "issuer", 1, DOC_URL_MAX);
	env->valid_from = doc_time(r, doc, "", "validFrom", 1);
	env->valid_until = doc_time(r, doc, "", "validUntil", 0);
	if (env->valid_from && env->valid_until && !cv_clock_parse_rfc3339(env->valid_from, &from) &&
	    !cv_clock_parse_rfc3339(env->valid_until, &until) && until < from)
		doc_fail(r, CV_EINVAL, "", "validUntil", "is before validFrom");
	read_to(r, doc, env);
	read_status(r, doc, env);
	return doc_object(r, doc, "", "credentialSubject", 1);
}

int doc_envelope_build(const struct exchange_envelope *env, const char *type, json_t *subject,
		       json_t **doc, struct cv_error *err)
{
	const json_t *status = env->credential_status;
	json_t *d = NULL, *copy;
	const char *missing = !env->id           ? "id"
			      : !env->issuer     ? "issuer"
			      : !env->valid_from ? "validFrom"
						 : NULL;

	*doc = NULL;
	if (missing) {
		json_decref(subject);
		return cv_error_set(err, CV_EINVAL, missing,
				    "a document needs its %s (id: urn:uuid:..., issuer: the node's "
				    "DID, validFrom: RFC 3339)",
				    missing);
	}
	d = json_pack("{s:[s], s:s, s:[s, s], s:s, s:s, s:O}", "@context", EXCHANGE_VC_CONTEXT,
		      "id", env->id, "type", "VerifiableCredential", type, "issuer", env->issuer,
		      "validFrom", env->valid_from, "credentialSubject", subject);
	json_decref(subject);
	if (!d || doc_set_text(d, "validUntil", env->valid_until) || doc_set_text(d, "to", env->to))
		goto nomem;
	if ((json_is_array(status) && json_array_size(status) > 0) || json_is_object(status)) {
		copy = json_deep_copy(status);
		if (!copy || json_object_set_new(d, "credentialStatus", copy))
			goto nomem;
	}
	*doc = d;
	return CV_OK;
nomem:
	json_decref(d);
	return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
}

int doc_set_text(json_t *o, const char *name, const char *value)
{
	return value ? json_object_set_new(o, name, json_string(value)) : 0;
}

json_t *doc_party_json(const struct exchange_party *party)
{
	json_t *p = json_object();

	if (!p || doc_set_text(p, "id", party->id) || doc_set_text(p, "name", party->name) ||
	    doc_set_text(p, "country", party->country)) {
		json_decref(p);
		return NULL;
	}
	return p;
}

void exchange_document_new_id(char id[EXCHANGE_DOCUMENT_URN_MAX])
{
	char uuid[CV_UUID_STR];

	cv_uuid7(uuid);
	snprintf(id, EXCHANGE_DOCUMENT_URN_MAX, "urn:uuid:%s", uuid);
}

enum exchange_document_kind exchange_document_kind(const json_t *doc)
{
	const json_t *type = json_object_get(doc, "type");

	if (type_has(type, EXCHANGE_TYPE_AEO_STATUS))
		return EXCHANGE_DOCUMENT_AEO_STATUS;
	if (type_has(type, EXCHANGE_TYPE_ADVANCE_CARGO))
		return EXCHANGE_DOCUMENT_ADVANCE_CARGO;
	if (type_has(type, EXCHANGE_TYPE_CERTIFICATE_OF_ORIGIN))
		return EXCHANGE_DOCUMENT_CERTIFICATE_OF_ORIGIN;
	return EXCHANGE_DOCUMENT_UNKNOWN;
}

int exchange_envelope_in_force(const struct exchange_envelope *env, int64_t now_ms,
			       struct cv_error *err)
{
	int64_t from, until;

	if (!env->valid_from || cv_clock_parse_rfc3339(env->valid_from, &from))
		return cv_error_set(err, CV_EINVAL, "validFrom", "the document has no validFrom");
	if (now_ms + EXCHANGE_STATUS_CLOCK_SKEW_MS < from)
		return cv_error_set(err, CV_EINVAL, "validFrom",
				    "the document is not valid before %s", env->valid_from);
	if (env->valid_until && !cv_clock_parse_rfc3339(env->valid_until, &until) &&
	    now_ms - EXCHANGE_STATUS_CLOCK_SKEW_MS > until)
		return cv_error_set(err, CV_EINVAL, "validUntil", "the document expired at %s",
				    env->valid_until);
	return CV_OK;
}

/* Each kind's type on the wire, and its name in a builder's error. */
static const struct {
	const char *type, *name;
} kinds[] = {
	[EXCHANGE_DOCUMENT_AEO_STATUS] = {EXCHANGE_TYPE_AEO_STATUS, "the AEO credential"},
	[EXCHANGE_DOCUMENT_ADVANCE_CARGO] = {EXCHANGE_TYPE_ADVANCE_CARGO, "the advance cargo data"},
	[EXCHANGE_DOCUMENT_CERTIFICATE_OF_ORIGIN] = {EXCHANGE_TYPE_CERTIFICATE_OF_ORIGIN,
						     "the certificate"},
};

/* Read doc back as a partner would, with the reader of kind. */
static int read_back(const json_t *doc, enum exchange_document_kind kind, struct cv_error *err)
{
	struct exchange_envelope envelope;
	union {
		struct exchange_aeo_status aeo;
		struct exchange_advance_cargo cargo;
		struct exchange_certificate_of_origin certificate;
	} back;
	struct cv_arena arena;
	int rc = CV_EINTERNAL;

	cv_arena_init(&arena, 0);
	if (kind == EXCHANGE_DOCUMENT_AEO_STATUS)
		rc = exchange_aeo_status_read(doc, &envelope, &back.aeo, err);
	else if (kind == EXCHANGE_DOCUMENT_ADVANCE_CARGO)
		rc = exchange_advance_cargo_read(doc, &arena, &envelope, &back.cargo, err);
	else if (kind == EXCHANGE_DOCUMENT_CERTIFICATE_OF_ORIGIN)
		rc = exchange_certificate_read(doc, &arena, &envelope, &back.certificate, err);
	cv_arena_release(&arena);
	return rc;
}

int doc_build(const struct exchange_envelope *envelope, enum exchange_document_kind kind,
	      json_t *subject, json_t **doc, struct cv_error *err)
{
	int rc;

	assert(kind > EXCHANGE_DOCUMENT_UNKNOWN && kind <= EXCHANGE_DOCUMENT_CERTIFICATE_OF_ORIGIN);
	*doc = NULL;
	if (!subject)
		return cv_error_set(err, CV_EINVAL, "credentialSubject",
				    "%s's text must be UTF-8 (or memory ran out)", kinds[kind].name);
	rc = doc_envelope_build(envelope, kinds[kind].type, subject, doc, err);
	if (!rc)
		rc = read_back(*doc, kind, err);
	if (rc) {
		json_decref(*doc);
		*doc = NULL;
	}
	return rc;
}

json_t *doc_list_json(const void *list, size_t n, size_t size,
		      json_t *(*element)(const void *item, size_t i))
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		if (json_array_append_new(a, element((const char *)list + i * size, i))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* ---- AEO status credential -------------------------------------------------------------- */

#define OPERATOR DOC_SUBJECT "operator."
#define AUTHORIZATION DOC_SUBJECT "authorization."

int exchange_aeo_status_read(const json_t *doc, struct exchange_envelope *envelope,
			     struct exchange_aeo_status *aeo, struct cv_error *err)
{
	struct doc_reader r = {NULL, err, CV_OK};
	const json_t *s = doc_envelope_read(&r, doc, EXCHANGE_TYPE_AEO_STATUS, envelope);
	const json_t *op = doc_object(&r, s, DOC_SUBJECT, "operator", 1);
	const json_t *z = doc_object(&r, s, DOC_SUBJECT, "authorization", 1);

	memset(aeo, 0, sizeof(*aeo));
	aeo->holder.id = doc_code(&r, op, OPERATOR, "identification", 1, DOC_CODE_MAX);
	aeo->holder.name = doc_text(&r, op, OPERATOR, "name", 1, DOC_TEXT_MAX);
	aeo->holder.country = doc_country(&r, op, OPERATOR, "country", 1);
	aeo->address = doc_text(&r, op, OPERATOR, "address", 0, DOC_TEXT_MAX);
	aeo->number = doc_code(&r, z, AUTHORIZATION, "number", 1, DOC_CODE_MAX);
	aeo->type = doc_enum(&r, z, AUTHORIZATION, "type", aeo_types);
	aeo->status = doc_enum(&r, z, AUTHORIZATION, "status", aeo_statuses);
	aeo->authorized_on = doc_date(&r, z, AUTHORIZATION, "validFrom", 1);
	aeo->revalidation_due = doc_date(&r, z, AUTHORIZATION, "revalidationDue", 0);
	aeo->status_changed_at = doc_time(&r, z, AUTHORIZATION, "statusChangedAt", 1);
	return r.rc;
}

/* The AEO credential's credentialSubject, or NULL (text not UTF-8, or memory short). */
static json_t *aeo_subject(const struct exchange_aeo_status *aeo)
{
	json_t *op = json_object(), *z = json_object();
	json_t *s = op && z ? json_pack("{s:O, s:O}", "operator", op, "authorization", z) : NULL;

	if (s &&
	    (doc_set_text(op, "identification", aeo->holder.id) ||
	     doc_set_text(op, "name", aeo->holder.name) ||
	     doc_set_text(op, "country", aeo->holder.country) ||
	     doc_set_text(op, "address", aeo->address) || doc_set_text(z, "number", aeo->number) ||
	     doc_set_text(z, "type", aeo->type) || doc_set_text(z, "status", aeo->status) ||
	     doc_set_text(z, "validFrom", aeo->authorized_on) ||
	     doc_set_text(z, "revalidationDue", aeo->revalidation_due) ||
	     doc_set_text(z, "statusChangedAt", aeo->status_changed_at))) {
		json_decref(s);
		s = NULL;
	}
	json_decref(op);
	json_decref(z);
	return s;
}

int exchange_aeo_status_build(const struct exchange_envelope *envelope,
			      const struct exchange_aeo_status *aeo, json_t **doc,
			      struct cv_error *err)
{
	return doc_build(envelope, EXCHANGE_DOCUMENT_AEO_STATUS, aeo_subject(aeo), doc, err);
}

/* ---- advance cargo data -------------------------------------------------------------------- */

static void read_cargo_item(struct doc_reader *r, const json_t *it, size_t i,
			    struct exchange_cargo_item *out)
{
	char where[DOC_PATH_MAX], name[32];
	const json_t *value;

	snprintf(name, sizeof(name), "items[%zu]", i);
	if (!json_is_object(it)) {
		doc_fail(r, CV_EINVAL, DOC_SUBJECT, name, "must be an object");
		return;
	}
	snprintf(where, sizeof(where), DOC_SUBJECT "items[%zu].", i);
	out->hs = doc_hs(r, it, where, "hs");
	out->description = doc_text(r, it, where, "description", 0, DOC_TEXT_MAX);
	out->origin = doc_country(r, it, where, "origin", 1);
	out->quantity = doc_measure(r, it, where, "quantity", 1);
	out->unit = doc_unit(r, it, where, "unit");
	out->net_mass = doc_measure(r, it, where, "netMass", 1);
	value = doc_object(r, it, where, "value", 0);
	if (!value)
		return;
	snprintf(where, sizeof(where), DOC_SUBJECT "items[%zu].value.", i);
	out->amount = doc_whole(r, value, where, "amount");
	out->currency = doc_text(r, value, where, "currency", 1, 3);
	if (out->currency && (strlen(out->currency) != 3 ||
			      strspn(out->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
		doc_fail(r, CV_EINVAL, where, "currency", "must be an ISO 4217 code (USD)");
}

/* A party given as its identification number (id_name) and, optionally, its name (name_name). */
static void read_party_id(struct doc_reader *r, const json_t *s, const char *id_name,
			  const char *name_name, int required, struct exchange_party *party)
{
	memset(party, 0, sizeof(*party));
	party->id = doc_code(r, s, DOC_SUBJECT, id_name, required, DOC_CODE_MAX);
	if (name_name)
		party->name = doc_text(r, s, DOC_SUBJECT, name_name, 0, DOC_TEXT_MAX);
}

/* A list of codes (containers, seals) into *list and *n. */
static void read_codes(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		       size_t max, int containers, const char *const **list, size_t *n)
{
	const json_t *a = doc_array(r, o, where, name, 0, 0, max);
	const char **out = a ? doc_alloc(r, json_array_size(a), sizeof(*out)) : NULL;
	char element[DOC_PATH_MAX];

	*list = NULL;
	*n = 0;
	if (!out)
		return;
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *s = json_string_value(json_array_get(a, i));

		snprintf(element, sizeof(element), "%s[%zu]", name, i);
		if (containers ? !trade_container_valid(s)
			       : !s || !trade_code_like(s, DOC_CODE_MAX)) {
			doc_fail(r, CV_EINVAL, where, element,
				 containers ? "must be an ISO 6346 container number with a right "
					      "check digit"
					    : "must be a seal number (letters, digits and - / .)");
			return;
		}
		out[i] = s;
	}
	*list = out;
	*n = json_array_size(a);
}

int exchange_advance_cargo_read(const json_t *doc, struct cv_arena *arena,
				struct exchange_envelope *envelope,
				struct exchange_advance_cargo *c, struct cv_error *err)
{
	struct doc_reader r = {arena, err, CV_OK};
	const json_t *s = doc_envelope_read(&r, doc, EXCHANGE_TYPE_ADVANCE_CARGO, envelope), *t,
		     *items;
	struct exchange_cargo_item *list;

	memset(c, 0, sizeof(*c));
	c->declaration = doc_code(&r, s, DOC_SUBJECT, "exportDeclaration", 1, DOC_CODE_MAX);
	c->office = doc_code(&r, s, DOC_SUBJECT, "exportOffice", 0, DOC_CODE_MAX);
	c->departure = doc_country(&r, s, DOC_SUBJECT, "exportCountry", 0);
	c->destination = doc_country(&r, s, DOC_SUBJECT, "destinationCountry", 1);
	read_party_id(&r, s, "exporter", "exporterName", 1, &c->exporter);
	read_party_id(&r, s, "importer", "importerName", 0, &c->importer);
	read_party_id(&r, s, "declarant", NULL, 0, &c->declarant);
	t = doc_object(&r, s, DOC_SUBJECT, "transport", 1);
	c->mode = doc_enum(&r, t, DOC_SUBJECT "transport.", "mode", trade_transport_modes);
	c->vehicle = doc_code(&r, t, DOC_SUBJECT "transport.", "vehicle", 0, 20);
	read_codes(&r, t, DOC_SUBJECT "transport.", "containers", EXCHANGE_CONTAINERS_MAX, 1,
		   &c->containers, &c->ncontainers);
	read_codes(&r, t, DOC_SUBJECT "transport.", "seals", EXCHANGE_SEALS_MAX, 0, &c->seals,
		   &c->nseals);
	c->released_at = doc_time(&r, s, DOC_SUBJECT, "releasedAt", 0);
	c->expected_arrival = doc_time(&r, s, DOC_SUBJECT, "expectedArrival", 0);
	items = doc_array(&r, s, DOC_SUBJECT, "items", 1, 1, EXCHANGE_ITEMS_MAX);
	list = items ? doc_alloc(&r, json_array_size(items), sizeof(*list)) : NULL;
	for (size_t i = 0; list && i < json_array_size(items) && !r.rc; i++)
		read_cargo_item(&r, json_array_get(items, i), i, &list[i]);
	c->items = list;
	c->nitems = list ? json_array_size(items) : 0;
	return r.rc;
}

static json_t *code_json(const void *code, size_t i)
{
	(void)i;
	return json_string(*(const char *const *)code);
}

static json_t *cargo_item_json(const void *item, size_t i)
{
	const struct exchange_cargo_item *it = item;
	json_t *o;

	(void)i;
	o = json_pack("{s:f, s:f}", "quantity", it->quantity, "netMass", it->net_mass);

	if (!o || doc_set_text(o, "hs", it->hs) || doc_set_text(o, "description", it->description) ||
	    doc_set_text(o, "origin", it->origin) || doc_set_text(o, "unit", it->unit) ||
	    (it->currency &&
	     json_object_set_new(o, "value",
				 json_pack("{s:I, s:s}", "amount", (json_int_t)it->amount,
					   "currency", it->currency)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The transport member: mode, vehicle, containers (a list, maybe empty), seals when any. */
static json_t *transport_json(const struct exchange_advance_cargo *c)
{
	const size_t size = sizeof(*c->containers);
	json_t *t = json_object();

	if (!t || doc_set_text(t, "mode", c->mode) || doc_set_text(t, "vehicle", c->vehicle) ||
	    json_object_set_new(t, "containers",
				doc_list_json(c->containers, c->ncontainers, size, code_json)) ||
	    (c->nseals &&
	     json_object_set_new(t, "seals", doc_list_json(c->seals, c->nseals, size, code_json)))) {
		json_decref(t);
		return NULL;
	}
	return t;
}

/* The advance cargo data's credentialSubject, or NULL (text not UTF-8, or memory short). */
static json_t *cargo_subject(const struct exchange_advance_cargo *c)
{
	json_t *s = json_object();

	if (!s || doc_set_text(s, "exportDeclaration", c->declaration) ||
	    doc_set_text(s, "exportOffice", c->office) ||
	    doc_set_text(s, "exportCountry", c->departure) ||
	    doc_set_text(s, "destinationCountry", c->destination) ||
	    doc_set_text(s, "exporter", c->exporter.id) ||
	    doc_set_text(s, "exporterName", c->exporter.name) ||
	    doc_set_text(s, "importer", c->importer.id) ||
	    doc_set_text(s, "importerName", c->importer.name) ||
	    doc_set_text(s, "declarant", c->declarant.id) ||
	    json_object_set_new(s, "transport", transport_json(c)) ||
	    doc_set_text(s, "releasedAt", c->released_at) ||
	    doc_set_text(s, "expectedArrival", c->expected_arrival) ||
	    json_object_set_new(s, "items",
				doc_list_json(c->items, c->nitems, sizeof(*c->items),
					      cargo_item_json))) {
		json_decref(s);
		return NULL;
	}
	return s;
}

int exchange_advance_cargo_build(const struct exchange_envelope *envelope,
				 const struct exchange_advance_cargo *c, json_t **doc,
				 struct cv_error *err)
{
	return doc_build(envelope, EXCHANGE_DOCUMENT_ADVANCE_CARGO, cargo_subject(c), doc, err);
}
