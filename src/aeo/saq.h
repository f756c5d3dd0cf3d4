/*
 * saq.h — the self-assessment questionnaire (SAQ) of an AEO application.
 *
 * Templates are versioned data files (the JSON files of data/saq, loaded by caravan
 * init): sections as in the EU SAQ, each question tagged with its criterion
 * (compliance, records, solvency, competence, security), its SAFE condition
 * letter, its answer type, the AEO types that ask it, the variants
 * (standard, sme, ecommerce) that include it, and its text in several
 * languages. A loaded version never changes: a changed file must carry a new
 * version. An application locks the latest version of the default template
 * when it starts, and the variant its operator's flags select.
 *
 * The trader answers in steps (the answers merge), while the application is
 * a draft; submitting needs every required answer. Officers see the answers
 * with completeness per criterion and flags where an answer contradicts the
 * compliance record (a "yes, no infringements" against recorded
 * infringements).
 *
 * Thread-safe as far as the store is.
 */
#ifndef CV_AEO_SAQ_H
#define CV_AEO_SAQ_H

#include "aeo/applications.h"

#include <jansson.h>

#define SAQ_DEFAULT_TEMPLATE "default"
#define SAQ_TEXT_MAX 4000

/* Load every template file of data_dir/saq; *count receives how many files. In a transaction. */
int aeo_saq_load_templates(struct store_conn *conn, const char *data_dir, int *count,
			   struct cv_error *err);

/* The latest version of template id; CV_ENOTFOUND when none is loaded. */
int aeo_saq_latest(struct store_conn *conn, const char *id, char *version, size_t size);

/* "sme", "ecommerce" or "standard" for an operator's flags (e-commerce wins). */
const char *aeo_saq_variant(int sme, int ecommerce);

/*
 * The questionnaire of an application as the caller sees it, in language
 * lang ("en", "ru"; falls back to English): sections, the questions its type
 * and variant ask, the answers, the missing required answers, completeness
 * per criterion, and — when with_flags — the flags.
 */
int aeo_saq_view(struct store_conn *conn, const struct aeo_application *app, const char *lang,
		 int with_flags, json_t **out);

/*
 * Merge answers (a JSON object question id -> value; null removes an
 * answer) into a draft application. Every value is checked against its
 * question's type; CV_EINVAL names the question. CV_ECONFLICT unless the
 * application is a draft. In a write transaction.
 */
int aeo_saq_answer(struct store_conn *conn, const struct aeo_application *app, const char *actor,
		   json_t *answers, struct cv_error *err);

/* The required questions still unanswered, as "1.1, 2.3" in missing; *count how many. */
int aeo_saq_missing(struct store_conn *conn, const struct aeo_application *app, int *count,
		    char *missing, size_t size);

/* Pick the best language of an Accept-Language header among en and ru. */
const char *aeo_saq_language(const char *accept_language);

#endif
