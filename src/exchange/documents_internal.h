/*
 * documents_internal.h — what documents.c and origin.c share: the reader
 * that checks a received document member by member, the envelope, and the
 * end of a builder (envelope, then read back).
 *
 * A struct doc_reader keeps the first failure only (struct cv_error holds
 * one): once it has failed, every read returns "absent" at once, so a
 * reader is written as a straight list of reads followed by one check of
 * r->rc. Paths name members as a person reads them:
 * "credentialSubject.items[2].hs".
 */
#ifndef CV_EXCHANGE_DOCUMENTS_INTERNAL_H
#define CV_EXCHANGE_DOCUMENTS_INTERNAL_H

#include "exchange/documents.h"

#define DOC_PATH_MAX 96
/*
 * Names, addresses, descriptions, in bytes: the operator registry keeps an
 * address of 400 characters, up to 4 bytes each in UTF-8 (a Cyrillic one
 * takes 800), and what the node keeps it must be able to send.
 */
#define DOC_TEXT_MAX 1600
#define DOC_CODE_MAX 40                   /* identification numbers, document numbers, codes */
#define DOC_URL_MAX EXCHANGE_URL_MAX      /* ids, DIDs, list URLs */
#define DOC_AMOUNT_MAX 9007199254740992.0 /* 2^53: every JSON number is a double */
#define DOC_MEASURE_MAX 1e12
#define DOC_SUBJECT "credentialSubject."

struct doc_reader {
	struct cv_arena *arena; /* arrays; NULL when the kind has none */
	struct cv_error *err;
	int rc; /* CV_OK until the first failure */
};

/* Record a failure (the first one only); returns r->rc. */
int doc_fail(struct doc_reader *r, int code, const char *where, const char *name, const char *fmt,
	     ...) __attribute__((format(printf, 5, 6)));

/* where + name into path ("credentialSubject." + "hs"). */
void doc_path(char path[DOC_PATH_MAX], const char *where, const char *name);

/* A member that must be a string of 1..max bytes (required) or may be absent. */
const char *doc_text(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		     int required, size_t max);
/* Letters, digits and - / . (identification numbers, codes), 1..max. */
const char *doc_code(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		     int required, size_t max);
/* ISO 3166 alpha-2: two capital letters. */
const char *doc_country(struct doc_reader *r, const json_t *o, const char *where, const char *name,
			int required);
/* 6 to 10 digits. */
const char *doc_hs(struct doc_reader *r, const json_t *o, const char *where, const char *name);
/* YYYY-MM-DD, a real date. */
const char *doc_date(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		     int required);
/* RFC 3339 date and time. */
const char *doc_time(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		     int required);
/* UNECE Rec 20 unit: 2 or 3 capitals or digits. */
const char *doc_unit(struct doc_reader *r, const json_t *o, const char *where, const char *name);
/* One of list (NULL-terminated); the message lists them. */
const char *doc_enum(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		     const char *const *list);
/* A number above 0 and at most DOC_MEASURE_MAX; absent (not required) is 0. */
double doc_measure(struct doc_reader *r, const json_t *o, const char *where, const char *name,
		   int required);
/* A whole number from 0 to DOC_AMOUNT_MAX. */
int64_t doc_whole(struct doc_reader *r, const json_t *o, const char *where, const char *name);
/* An object member (NULL when absent and not required, or failed). */
const json_t *doc_object(struct doc_reader *r, const json_t *o, const char *where, const char *name,
			 int required);
/* An array member of min..max elements (NULL when absent and not required, or failed). */
const json_t *doc_array(struct doc_reader *r, const json_t *o, const char *where, const char *name,
			int required, size_t min, size_t max);
/* A party object: id (code) required, name and country optional. */
void doc_party(struct doc_reader *r, const json_t *o, const char *where, const char *name,
	       int required, struct exchange_party *party);
/* An arena array of n elements of size (NULL and CV_ENOMEM recorded when it cannot). */
void *doc_alloc(struct doc_reader *r, size_t n, size_t size);

/*
 * Read the envelope of doc: @context (VC 2.0 first), type (VerifiableCredential
 * and type), id, issuer, validFrom, validUntil, credentialStatus. Returns
 * credentialSubject (an object) or NULL after failing.
 */
const json_t *doc_envelope_read(struct doc_reader *r, const json_t *doc, const char *type,
				struct exchange_envelope *envelope);

/*
 * The document: @context, id, type [VerifiableCredential, type], issuer,
 * validFrom, validUntil, credentialSubject (taken), credentialStatus.
 * CV_EINVAL when the envelope lacks id, issuer or validFrom.
 */
int doc_envelope_build(const struct exchange_envelope *envelope, const char *type, json_t *subject,
		       json_t **doc, struct cv_error *err);

/*
 * What every builder ends with: subject (taken; NULL when the builder could
 * not make it, text that is not UTF-8 or memory short: CV_EINVAL naming
 * credentialSubject) in the envelope of the kind's type, then the document
 * read back with the kind's reader: a node never sends what a partner's
 * reader refuses. *doc is the document, or NULL after a failure.
 */
int doc_build(const struct exchange_envelope *envelope, enum exchange_document_kind kind,
	      json_t *subject, json_t **doc, struct cv_error *err);

/*
 * A JSON list of the n elements of list (each size bytes), element making
 * each from its address and index; NULL when one cannot be made.
 */
json_t *doc_list_json(const void *list, size_t n, size_t size,
		      json_t *(*element)(const void *item, size_t i));

/* Set name to the string value unless it is NULL (optional members). */
int doc_set_text(json_t *o, const char *name, const char *value);
/* A party as JSON: {id, name?, country?}. */
json_t *doc_party_json(const struct exchange_party *party);

#endif
