/*
 * sources.h — what the exchanged documents are built from: the node's own
 * rows, read into the structs of documents.h, so that the builders stay
 * pure and the mapping from the store's columns to a document's members is
 * written once.
 *
 * Strings and arrays come from the caller's arena. Read-only; any
 * transaction (or none). Thread-safe as far as the store is.
 */
#ifndef CV_EXCHANGE_SOURCES_H
#define CV_EXCHANGE_SOURCES_H

#include "base/arena.h"
#include "base/err.h"
#include "exchange/documents.h"
#include "store/db.h"

/*
 * The AEO status credential's subject for authorization id (its UUID or its
 * number): holder (identification number, name, address, country), number,
 * type, status, dates. CV_ENOTFOUND when there is no such authorization.
 */
int exchange_aeo_status_load(struct store_conn *conn, const char *authorization,
			     struct cv_arena *arena, struct exchange_aeo_status *out,
			     struct cv_error *err);

/*
 * The advance cargo data of a released export declaration (its UUID or its
 * number): parties (names and countries from the operator registry when the
 * node knows them), office, countries, transport as lodged (mode, vehicle,
 * containers, seals), release and expected arrival, items. CV_ENOTFOUND for
 * no such declaration; CV_ECONFLICT for one that is not an export, or not
 * released.
 */
int exchange_advance_cargo_load(struct store_conn *conn, const char *declaration,
				struct cv_arena *arena, struct exchange_advance_cargo *out,
				struct cv_error *err);

#endif
