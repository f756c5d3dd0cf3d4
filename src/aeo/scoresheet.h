/*
 * scoresheet.h — the trader compliance scoresheet: one score per operator,
 * explained by its indicators ("catch the trader doing right").
 *
 * Every fact about an operator's compliance is an event in one ledger
 * (compliance_events): declarations lodged and amended, examination results,
 * infringements, late payments, PGA and audit findings, voluntary
 * disclosures. Later modules (single window, risk) add events through
 * aeo_compliance_event_add(); officers and imports through the API.
 *
 * The score is Σ weight_i × value_i over the indicators of table
 * score_indicators (weights sum to 100; values in [0, 1]). Events count
 * with a weight that halves every score_half_life_days and stops at the
 * window (score_window_months); rates are taken per 100 declarations so a
 * large importer and a small one are judged alike. Grades: AAA, AA, A at
 * the thresholds of aeo_policy; below A the operator is not eligible.
 *
 * Volume: a country has ~100,000 active operators and ~10 million events in
 * a three-year window. aeo_scoresheet_recompute_all() scores them all in
 * one pass over a covering index, split across threads, in seconds
 * (docs/PERFORMANCE.md); adding an event rescores just its operator.
 *
 * Thread-safe as far as the store is; recompute_all starts its own threads,
 * each with its own connection.
 */
#ifndef CV_AEO_SCORESHEET_H
#define CV_AEO_SCORESHEET_H

#include "aeo/applications.h"
#include "store/db.h"

#include <jansson.h>
#include <stdint.h>

enum {
	SCORE_EXAMINATION,
	SCORE_ACCURACY,
	SCORE_INFRINGEMENTS,
	SCORE_PAYMENT,
	SCORE_FINDINGS,
	SCORE_INDICATORS
};

#define SCORE_MAX_WINDOW_DAYS 3700 /* ten years */

/* The scoring rules in force, loaded once per scoring run. */
struct score_model {
	double weight[SCORE_INDICATORS];
	double tolerance[SCORE_INDICATORS];
	int window_days;
	int64_t today; /* days since 1970-01-01 */
	double grade_aaa, grade_aa, grade_a;
	double decay[SCORE_MAX_WINDOW_DAYS + 1]; /* weight of an event by its age in days */
};

/* Running sums of one operator's events. */
struct score_acc {
	double exam_weight, exam_quality;
	double lodged, amended; /* decayed counts */
	double infringement_points, disclosures, late_days, finding_points;
	long declarations, events; /* undecayed counts within the window */
};

struct score_result {
	double value[SCORE_INDICATORS];
	double contribution[SCORE_INDICATORS];
	double score;      /* 0..100, one decimal */
	const char *grade; /* "AAA", "AA", "A" or "none" */
	long declarations, events;
};

/* Names of the indicators, in order ("examination_quality", ...). */
extern const char *const score_indicator_names[SCORE_INDICATORS];

/* Load weights, tolerances, window, half-life and grades for scoring on date today. */
int aeo_score_model_load(struct store_conn *conn, const char *today, struct score_model *model,
			 struct cv_error *err);
/* Add one event (as stored) to acc. Events outside the window are ignored. */
void aeo_score_add(const struct score_model *model, struct score_acc *acc, const char *kind,
		   const char *outcome, int days_late, int64_t day);
/* Turn the sums into indicator values, the score and the grade. */
void aeo_score_finish(const struct score_model *model, const struct score_acc *acc,
		      struct score_result *out);

struct aeo_compliance_event {
	const char *kind;        /* declaration_lodged, examination, ... */
	const char *outcome;     /* see compliance_events in migration 006; "" when none */
	int days_late;           /* late_payment only */
	const char *occurred_on; /* date, not in the future (older than the window: kept, not scored) */
	const char *source;      /* api, import, single_window, ... */
	const char *reference;
	const char *notes;
};

/*
 * Record an event for an operator and rescore it. CV_EINVAL naming the bad
 * field; CV_ENOTFOUND for an unknown operator. In a write transaction.
 */
int aeo_compliance_event_add(struct store_conn *conn, const struct aeo_context *ctx,
			     const char *actor, const char *operator_id,
			     const struct aeo_compliance_event *event, char id[CV_UUID_STR],
			     struct cv_error *err);

/* Rescore one operator on the date of ctx and store it. In a write transaction. */
int aeo_scoresheet_recompute(struct store_conn *conn, const struct aeo_context *ctx,
			     const char *operator_id, struct score_result *out,
			     struct cv_error *err);

struct aeo_recompute_stats {
	long operators;
	long events;
	double read_seconds;  /* scanning events and scoring */
	double write_seconds; /* storing the scoresheets */
};

/*
 * Rescore every operator on date today with `threads` threads, and store all
 * scoresheets in one transaction. progress (may be NULL) is called now and
 * then with the operators done so far and the total.
 */
int aeo_scoresheet_recompute_all(struct store *store, const char *today, int threads,
				 void (*progress)(long done, long total, void *ctx),
				 void *progress_ctx, struct aeo_recompute_stats *stats,
				 struct cv_error *err);

/* The stored scoresheet with its indicators and history; CV_ENOTFOUND if never scored. */
int aeo_scoresheet_json(struct store_conn *conn, const char *operator_id, json_t **out);

/*
 * AEO candidates: operators without a valid or suspended authorization whose
 * score reaches grade A and who lodged at least candidate_min_declarations
 * within the window, best first.
 */
int aeo_candidates_json(struct store_conn *conn, int limit, json_t **out);

#endif
