/*
 * documents.h — the documents nodes exchange, as W3C Verifiable
 * Credentials 2.0 (docs/EXCHANGE.md has an example of each):
 *
 *   AEO status credential     an authorization as a partner's MRA register
 *                             needs it: operator, AEO number, type, status
 *   advance cargo data        a released export declaration, for the node
 *                             of destination before the goods arrive
 *   certificate of origin     issued by the exporting country's authority,
 *                             checked by the importing node against the
 *                             import declaration that claims preference
 *
 * Builders make the unsigned document from what the node stores (the
 * caller fills the structs from its rows, or sources.h does) with its id
 * (exchange_document_new_id() for a document sent once), the issuing
 * node's DID, validFrom/validUntil, the receiving node's DID ("to") when
 * it goes to one, and, for a revocable credential, the credentialStatus
 * entries of exchange_issued_status(); queue it with
 * exchange_outbox_queue(), which signs it. Readers check a received
 * document's shape — every member a receiving node relies on, each error
 * naming the member ("credentialSubject.items[2].hs") — and fill the same
 * structs, so that what one node builds the other reads back field for
 * field. A builder reads its own output back before returning it: a node
 * never sends what it would refuse. Members a reader does not know are
 * ignored (a partner may be a newer version); proofs are checked apart
 * (exchange_credential_verify), status apart (status_list.h).
 *
 * Strings in what a reader fills point into the document: keep the
 * document while using them. Arrays (items, containers, seals) come from
 * the caller's arena. Thread-safe: no shared state.
 */
#ifndef CV_EXCHANGE_DOCUMENTS_H
#define CV_EXCHANGE_DOCUMENTS_H

#include "base/arena.h"
#include "base/err.h"
#include "base/ids.h"
#include "trade/declarations.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The types on the wire (mra.h and advance_cargo.h send them under their own names too). */
#define EXCHANGE_TYPE_AEO_STATUS "AEOStatusCredential"
#define EXCHANGE_TYPE_ADVANCE_CARGO "AdvanceCargoData"
#define EXCHANGE_TYPE_CERTIFICATE_OF_ORIGIN "CertificateOfOriginCredential"
/* The most credentialStatus entries a document may carry (a revocation and a suspension, and room). */
#define EXCHANGE_STATUS_ENTRIES_MAX 4
/* The longest id, DID or status list URL a document may carry. */
#define EXCHANGE_URL_MAX 1024
/* The most items, containers or seals a document may carry. */
#define EXCHANGE_ITEMS_MAX 999
#define EXCHANGE_CONTAINERS_MAX 100
#define EXCHANGE_SEALS_MAX 100

/* Which kind a document is, by its type. */
enum exchange_document_kind {
	EXCHANGE_DOCUMENT_UNKNOWN = 0,
	EXCHANGE_DOCUMENT_AEO_STATUS,
	EXCHANGE_DOCUMENT_ADVANCE_CARGO,
	EXCHANGE_DOCUMENT_CERTIFICATE_OF_ORIGIN,
};

/* One credentialStatus entry as read (status_list.h checks it against the list). */
struct exchange_status_entry {
	const char *purpose; /* revocation, suspension */
	const char *list;    /* statusListCredential: the list's URL */
	uint64_t index;      /* statusListIndex */
};

/* What every document carries around its subject. */
struct exchange_envelope {
	/* A URI: "urn:uuid:" + the issued credential's id, or exchange_document_new_id()'s. */
	const char *id;
	const char *issuer;      /* the issuing node's DID */
	const char *valid_from;  /* RFC 3339 */
	const char *valid_until; /* RFC 3339, or NULL for none */
	/*
	 * The receiving node's DID ("to": the inbox refuses a document addressed
	 * to another node), NULL for any. Reading a list of DIDs gives the first.
	 */
	const char *to;
	/* Building: the entries of exchange_issued_status() (an array; NULL or [] for none). */
	const json_t *credential_status;
	/* Reading: the entries found. */
	struct exchange_status_entry status[EXCHANGE_STATUS_ENTRIES_MAX];
	size_t nstatus;
};

/* A party by its identification number; name and country when known. */
struct exchange_party {
	const char *id;      /* TIN, EORI or the national number */
	const char *name;    /* NULL: not given */
	const char *country; /* ISO 3166 alpha-2, NULL: not given */
};

/* ---- AEO status credential ---------------------------------------------------------- */

struct exchange_aeo_status {
	struct exchange_party holder;  /* operator: identification, name, country required */
	const char *address;           /* NULL: not given */
	const char *number;            /* the AEO authorization number */
	const char *type;              /* AEOC, AEOS, AEOF */
	const char *status;            /* valid, suspended, revoked, expired */
	const char *authorized_on;     /* date the authorization took effect (YYYY-MM-DD) */
	const char *revalidation_due;  /* date, NULL: not given */
	const char *status_changed_at; /* RFC 3339 */
};

/* Build the unsigned AEO status credential into *doc. CV_EINVAL naming what is missing or bad. */
int exchange_aeo_status_build(const struct exchange_envelope *envelope,
			      const struct exchange_aeo_status *aeo, json_t **doc,
			      struct cv_error *err);

/* Read a received AEO status credential. CV_EINVAL naming the bad member. */
int exchange_aeo_status_read(const json_t *doc, struct exchange_envelope *envelope,
			     struct exchange_aeo_status *aeo, struct cv_error *err);

/* ---- advance cargo data -------------------------------------------------------------- */

struct exchange_cargo_item {
	const char *hs; /* 6 to 10 digits */
	const char *description;
	const char *origin;   /* ISO 3166 alpha-2 */
	double quantity;      /* in unit, above 0 */
	const char *unit;     /* UNECE Rec 20 */
	double net_mass;      /* kg, above 0 */
	int64_t amount;       /* value in minor units of currency */
	const char *currency; /* ISO 4217 */
};

/* NULL members are "not given"; the document carries a party's id and name (not its country). */
struct exchange_advance_cargo {
	const char *declaration;        /* the export declaration's number: required */
	const char *office;             /* office of export */
	const char *departure;          /* country of export */
	const char *destination;        /* country of destination: required */
	struct exchange_party exporter; /* required */
	struct exchange_party importer, declarant;
	const char *mode; /* UNECE Rec 19: required */
	const char *vehicle;
	const char *const *containers; /* ISO 6346 numbers */
	size_t ncontainers;
	const char *const *seals;
	size_t nseals;
	const char *released_at;      /* RFC 3339 */
	const char *expected_arrival; /* RFC 3339 */
	const struct exchange_cargo_item *items;
	size_t nitems;
};

/* Build the unsigned advance cargo document into *doc. CV_EINVAL naming what is missing or bad. */
int exchange_advance_cargo_build(const struct exchange_envelope *envelope,
				 const struct exchange_advance_cargo *cargo, json_t **doc,
				 struct cv_error *err);

/* Read received advance cargo data; arrays from arena. CV_EINVAL naming the bad member. */
int exchange_advance_cargo_read(const json_t *doc, struct cv_arena *arena,
				struct exchange_envelope *envelope,
				struct exchange_advance_cargo *cargo, struct cv_error *err);

/* ---- certificate of origin ------------------------------------------------------------ */

struct exchange_origin_item {
	const char *hs; /* 6 to 10 digits */
	const char *description;
	double quantity;       /* in unit, above 0: the most a declaration may claim */
	const char *unit;      /* UNECE Rec 20 */
	double gross_mass;     /* kg; 0: not given */
	const char *origin;    /* ISO 3166 alpha-2 country of origin */
	const char *criterion; /* origin criterion as the arrangement names it (WO, PE, PSR) */
};

struct exchange_certificate_of_origin {
	const char *number;
	const char *arrangement;       /* the preferential arrangement ("CIS-FTA-2011") */
	const char *exporting_country; /* ISO 3166 alpha-2 */
	const char *importing_country;
	const char *issued_on; /* date */
	struct exchange_party exporter, importer;
	/* The consignment. */
	const char *mode;               /* UNECE Rec 19 */
	const char *vehicle;            /* NULL: not given */
	const char *departure_date;     /* date, NULL: not given */
	const char *invoice;            /* NULL: not given */
	const char *export_declaration; /* NULL: not given */
	const struct exchange_origin_item *items;
	size_t nitems;
};

/* Build the unsigned certificate of origin into *doc. CV_EINVAL naming what is missing or bad. */
int exchange_certificate_build(const struct exchange_envelope *envelope,
			       const struct exchange_certificate_of_origin *certificate,
			       json_t **doc, struct cv_error *err);

/* Read a received certificate of origin; items from arena. CV_EINVAL naming the bad member. */
int exchange_certificate_read(const json_t *doc, struct cv_arena *arena,
			      struct exchange_envelope *envelope,
			      struct exchange_certificate_of_origin *certificate,
			      struct cv_error *err);

/* One reason a declaration's item is not covered by a certificate. */
struct exchange_mismatch {
	size_t item;    /* the declaration's item, from 1 */
	char field[16]; /* hs, origin, unit, quantity */
	char reason[256];
};

struct exchange_mismatches {
	struct exchange_mismatch *list;
	size_t count;
};

/*
 * Compare the items of an import declaration that claim preference under
 * certificate with the certificate's items, and list every mismatch with
 * its reason in *out (count 0: they match; release it after):
 *  - hs: no item of the certificate has the declared HS (compared on the
 *    digits both give, at least 6: a certificate's 520100 covers a
 *    declaration's 5201000000);
 *  - origin: the certificate gives the HS another origin;
 *  - unit: the certificate counts it in another unit;
 *  - quantity: the declared items take more of a certificate item than it
 *    holds (several declared items draw on one certificate item together).
 * CV_ENOMEM when the list cannot grow.
 */
int exchange_certificate_compare(const struct exchange_certificate_of_origin *certificate,
				 const struct trade_item *items, size_t nitems,
				 struct exchange_mismatches *out);

void exchange_mismatches_release(struct exchange_mismatches *mismatches);

/* The mismatches as JSON, [{item, field, reason}] (for an API answer or a refusal's record). */
json_t *exchange_mismatches_json(const struct exchange_mismatches *mismatches);

/* ---- any document ------------------------------------------------------------------- */

/* "urn:uuid:" and a UUIDv7, with its NUL. */
#define EXCHANGE_DOCUMENT_URN_MAX (sizeof("urn:uuid:") - 1 + CV_UUID_STR)

/*
 * A new document id, "urn:uuid:" + a UUIDv7, for a document sent once: a
 * statement about an AEO (the next statement about the same authorization
 * is another document, not a replay), advance cargo data for one partner.
 */
void exchange_document_new_id(char id[EXCHANGE_DOCUMENT_URN_MAX]);

/* The kind of doc by its type (EXCHANGE_DOCUMENT_UNKNOWN for anything else). */
enum exchange_document_kind exchange_document_kind(const json_t *doc);

/*
 * Is a document whose envelope was read in force at now_ms: validFrom not
 * after it, validUntil (when given) not before it? CV_EINVAL naming
 * validFrom or validUntil with the date.
 */
int exchange_envelope_in_force(const struct exchange_envelope *envelope, int64_t now_ms,
			       struct cv_error *err);

#endif
