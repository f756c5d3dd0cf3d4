/*
 * handlers.c — what the node does with each kind of document a partner
 * sends: the one table from a document's type to the function that acts on
 * it, run in the inbox's transaction (see inbox.h for the contract). A kind
 * without a line here is verified and stored as received.
 *
 * To act on a new kind, write its handler in the module it concerns (the
 * AEO register for AEO status credentials, the single window for advance
 * cargo data and certificates of origin) and add a line, before the end.
 */
#include "exchange/advance_cargo.h"
#include "exchange/certificates.h"
#include "exchange/documents.h"
#include "exchange/inbox.h"
#include "exchange/mra.h"

// clang-format off
const struct exchange_inbox_handler exchange_inbox_handlers[] = {
	/* kind (a value of the document's type)    handler */
	{EXCHANGE_AEO_STATUS_TYPE,                  exchange_mra_receive},
	{ADVANCE_CARGO_TYPE,                        advance_cargo_receive},
	{EXCHANGE_TYPE_CERTIFICATE_OF_ORIGIN,       exchange_certificate_receive},
	{NULL, NULL},
};
// clang-format on
