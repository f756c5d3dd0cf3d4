/*
 * declaration.h — a declaration as the selectivity engine reads it from
 * JSON: the header fields (direction, procedure, office, parties,
 * countries, AEO status, documents, date) apply to every item; each item
 * has its HS code, origin, value, net mass and tax rate (unit_value is
 * value / net mass). Used by `caravan risk assess` and POST /api/v1/risk/assess.
 *
 *   {"id": "KZ-IM-2026-000123", "direction": "import", "office": "KZ-ALA",
 *    "importer": "KZ123456789012", "aeo": "none", "date": "2026-11-27",
 *    "documents": ["INVOICE"], "items": [{"hs": "29034500", "origin": "CN",
 *    "value": 12000, "net_mass": 500}]}
 *
 * Everything is allocated from the caller's arena. Thread-safe.
 */
#ifndef CV_RISK_DECLARATION_H
#define CV_RISK_DECLARATION_H

#include "base/arena.h"
#include "base/err.h"
#include "risk/decision.h"

#include <jansson.h>

#define RISK_MAX_ITEMS 999

/* Read doc into *out; CV_EINVAL with err naming the field ("hs"; the message says which item) when it is not usable. */
int risk_declaration_from_json(json_t *doc, struct cv_arena *arena, struct risk_declaration *out,
			       struct cv_error *err);

#endif
