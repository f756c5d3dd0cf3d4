/*
 * safe.h — the SAFE Framework self-assessment of the administration itself.
 *
 * The 26 standards of the 2021 WCO SAFE Framework (11 Customs-to-Customs,
 * 6 Customs-to-Business, 9 Customs-to-PGAs) are data (data/safe/
 * standards.json). For each the administration records its legal basis,
 * whether it complies (yes / partly / no), evidence, notes and a
 * recommended action; the report counts compliance per pillar and lists the
 * gaps with their recommendations, as the seed presentation does.
 *
 * Volume: 26 rows. Thread-safe as far as the store is.
 */
#ifndef CV_AEO_SAFE_H
#define CV_AEO_SAFE_H

#include "auth/sessions.h"
#include "store/db.h"

#include <jansson.h>

#define SAFE_TEXT_MAX 4000

/* Load (upsert) the standards from data_dir/safe/standards.json; keeps assessments. */
int aeo_safe_load_standards(struct store_conn *conn, const char *data_dir, int *count,
			    struct cv_error *err);

/*
 * Load an assessment file (data/safe/demo-mapping.json shape): per standard
 * id its complied/legal_basis/evidence/notes/recommendation, and the general
 * recommendations. In a write transaction.
 */
int aeo_safe_load_mapping(struct store_conn *conn, const char *path, const char *actor,
			  struct cv_error *err);

struct aeo_safe_assessment {
	const char *complied;    /* yes, partly, no, unassessed; NULL keeps */
	const char *legal_basis; /* NULL keeps */
	const char *evidence;
	const char *notes;
	const char *recommendation;
};

/* Update one standard's assessment. CV_ENOTFOUND, CV_EINVAL naming the field. In a transaction. */
int aeo_safe_assess(struct store_conn *conn, const char *id, const struct aeo_safe_assessment *a,
		    const char *actor, struct cv_error *err);

/* Every standard with its assessment, as a JSON array (new reference). */
int aeo_safe_standards_json(struct store_conn *conn, const char *only_id, json_t **out);

/*
 * The report: per pillar {pillar, name, total, complied, partly, not_complied,
 * unassessed, percent}, overall, gaps (standards not fully complied, with
 * their recommendations) and the general recommendations.
 */
int aeo_safe_report_json(struct store_conn *conn, json_t **out);

#endif
