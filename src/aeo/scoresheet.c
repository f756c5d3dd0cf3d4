/*
 * scoresheet.c — scoring compliance events (see scoresheet.h for the model).
 *
 * The hot path is aeo_scoresheet_recompute_all(): one ordered scan of the
 * covering index compliance_events_score per thread, each thread over a
 * contiguous range of operator ids, folding events into a struct score_acc
 * per operator with no allocation per event (the decay weight comes from a
 * table indexed by age in days, kinds are told apart by their first
 * letters). The results are written afterwards in one transaction, because
 * SQLite has one writer.
 */
#include "aeo/scoresheet.h"

#include "aeo/operators.h"
#include "aeo/policy.h"
#include "base/log.h"
#include "base/mem.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *const score_indicator_names[SCORE_INDICATORS] = {
	"examination_quality", "declaration_accuracy", "infringements",
	"payment_punctuality", "agency_findings",
};

/* Quality of an examination result, and points of a finding by severity. */
#define QUALITY_CLEAN 1.0
#define QUALITY_MINOR 0.6
#define QUALITY_MAJOR 0.2
#define QUALITY_SEIZURE 0.0
#define POINTS_MINOR 1.0
#define POINTS_MAJOR 3.0
#define POINTS_CRITICAL 10.0
#define DISCLOSURE_OFFSET 2.0 /* infringement points a voluntary disclosure offsets */
#define DAYS_PER_MONTH 30.44

int aeo_score_model_load(struct store_conn *conn, const char *today, struct score_model *m,
			 struct cv_error *err)
{
	struct store_stmt *stmt;
	int months, half_life, rc;

	memset(m, 0, sizeof(*m));
	if (cv_date_parse(today, &m->today))
		return cv_error_set(err, CV_EINVAL, "today", "not a date: %s", today);
	rc = aeo_policy_int(conn, "score_window_months", &months);
	if (!rc)
		rc = aeo_policy_int(conn, "score_half_life_days", &half_life);
	if (!rc)
		rc = aeo_policy_double(conn, "grade_aaa", &m->grade_aaa);
	if (!rc)
		rc = aeo_policy_double(conn, "grade_aa", &m->grade_aa);
	if (!rc)
		rc = aeo_policy_double(conn, "grade_a", &m->grade_a);
	if (rc)
		return cv_error_set(err, rc, NULL,
				    "the scoring policy is incomplete (table aeo_policy)");
	m->window_days = (int)(months * DAYS_PER_MONTH);
	if (m->window_days > SCORE_MAX_WINDOW_DAYS)
		m->window_days = SCORE_MAX_WINDOW_DAYS;
	if (half_life < 1)
		half_life = 1;
	for (int age = 0; age <= m->window_days; age++)
		m->decay[age] = pow(0.5, (double)age / half_life);
	rc = store_prepare(conn, "SELECT key, weight, tolerance FROM score_indicators", &stmt);
	if (rc)
		return cv_error_set(err, rc, NULL, "%s", store_errmsg(conn));
	while ((rc = store_step(stmt)) == STORE_ROW) {
		for (int i = 0; i < SCORE_INDICATORS; i++) {
			if (strcmp(store_col_text(stmt, 0), score_indicator_names[i]) == 0) {
				m->weight[i] = store_col_double(stmt, 1);
				m->tolerance[i] = store_col_double(stmt, 2);
			}
		}
	}
	store_finish(stmt);
	return rc < 0 ? cv_error_set(err, rc, NULL, "%s", store_errmsg(conn)) : CV_OK;
}

static double severity_points(const char *outcome)
{
	switch (outcome[0]) {
	case 'c': return POINTS_CRITICAL;
	case 'm': return outcome[1] == 'a' ? POINTS_MAJOR : POINTS_MINOR; /* major, minor */
	default: return 0;
	}
}

static double examination_quality(const char *outcome)
{
	switch (outcome[0]) {
	case 'c': return QUALITY_CLEAN;
	case 's': return QUALITY_SEIZURE;
	case 'm': return outcome[1] == 'a' ? QUALITY_MAJOR : QUALITY_MINOR;
	default: return QUALITY_CLEAN;
	}
}

void aeo_score_add(const struct score_model *m, struct score_acc *acc, const char *kind,
		   const char *outcome, int days_late, int64_t day)
{
	int64_t age = m->today - day;
	double w;

	if (age < 0)
		age = 0;
	if (age > m->window_days)
		return;
	w = m->decay[age];
	acc->events++;
	/* The kinds differ in their first one or two letters: see migration 006. */
	switch (kind[0]) {
	case 'd': /* declaration_lodged, declaration_amended */
		if (kind[12] == 'l') {
			acc->lodged += w;
			acc->declarations++;
		} else {
			acc->amended += w;
		}
		break;
	case 'e': /* examination */
		acc->exam_weight += w;
		acc->exam_quality += w * examination_quality(outcome);
		break;
	case 'i': acc->infringement_points += w * severity_points(outcome); break;
	case 'l': acc->late_days += w * days_late; break;
	case 'p': /* pga_finding */
	case 'a': /* audit_finding */ acc->finding_points += w * severity_points(outcome); break;
	case 'v': acc->disclosures += w; break;
	}
}

static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

/* 1 at no points, 0 at `tolerance` points per 100 declarations. */
static double against_tolerance(double points, double hundreds, double tolerance)
{
	return tolerance > 0 ? clamp01(1.0 - points / hundreds / tolerance) : 1.0;
}

void aeo_score_finish(const struct score_model *m, const struct score_acc *acc,
		      struct score_result *out)
{
	double hundreds = acc->lodged / 100.0 > 1.0 ? acc->lodged / 100.0 : 1.0;
	double infringements = acc->infringement_points - DISCLOSURE_OFFSET * acc->disclosures;
	double score = 0;

	out->value[SCORE_EXAMINATION] = acc->exam_weight > 0 ? acc->exam_quality / acc->exam_weight
							     : 1.0;
	out->value[SCORE_ACCURACY] = acc->lodged > 0 ? clamp01(1.0 - acc->amended / acc->lodged)
						     : 1.0;
	out->value[SCORE_INFRINGEMENTS] = against_tolerance(infringements > 0 ? infringements : 0,
							    hundreds,
							    m->tolerance[SCORE_INFRINGEMENTS]);
	out->value[SCORE_PAYMENT] = against_tolerance(acc->late_days, hundreds,
						      m->tolerance[SCORE_PAYMENT]);
	out->value[SCORE_FINDINGS] = against_tolerance(acc->finding_points, hundreds,
						       m->tolerance[SCORE_FINDINGS]);
	for (int i = 0; i < SCORE_INDICATORS; i++) {
		out->contribution[i] = m->weight[i] * out->value[i];
		score += out->contribution[i];
	}
	out->score = round(score * 10.0) / 10.0;
	out->declarations = acc->declarations;
	out->events = acc->events;
	/* Without any declaration there is no record to grade. */
	out->grade = !acc->declarations           ? "none"
		     : out->score >= m->grade_aaa ? "AAA"
		     : out->score >= m->grade_aa  ? "AA"
		     : out->score >= m->grade_a   ? "A"
						  : "none";
}

static int indicators_text(const struct score_model *m, const struct score_result *r, char *out,
			   size_t size)
{
	size_t used = 0;

	for (int i = 0; i < SCORE_INDICATORS; i++) {
		int n = snprintf(out + used, size - used,
				 "%s{\"key\":\"%s\",\"weight\":%g,\"value\":%.4f,\"contribution\":%.2f}",
				 i ? "," : "[", score_indicator_names[i], m->weight[i], r->value[i],
				 r->contribution[i]);
		if (n < 0 || (size_t)n >= size - used)
			return CV_EINTERNAL;
		used += (size_t)n;
	}
	return used + 2 <= size ? (snprintf(out + used, size - used, "]"), CV_OK) : CV_EINTERNAL;
}

/* Store one result (scoresheet and the day's history row). In a transaction. */
static int store_result(struct store_conn *conn, const struct score_model *m,
			const char *operator_id, const char *today, const char *now,
			const struct score_result *r)
{
	char indicators[1024];
	int rc = indicators_text(m, r, indicators, sizeof(indicators));

	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO scoresheets (operator_id, score, grade, declarations, events,"
				 " indicators, computed_on, computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
				 " ON CONFLICT (operator_id) DO UPDATE SET score = $2, grade = $3,"
				 " declarations = $4, events = $5, indicators = $6, computed_on = $7, computed_at = $8",
				 "tdtiittt", operator_id, r->score, r->grade,
				 (int64_t)r->declarations, (int64_t)r->events, indicators, today,
				 now);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO scoresheet_history (operator_id, computed_on, score, grade)"
				 " VALUES ($1, $2, $3, $4) ON CONFLICT (operator_id, computed_on)"
				 " DO UPDATE SET score = $3, grade = $4",
				 "ttdt", operator_id, today, r->score, r->grade);
	return rc;
}

#define EVENT_SCAN_SQL                                                                             \
	"SELECT operator_id, kind, outcome, days_late, day FROM compliance_events"                 \
	" WHERE operator_id >= $1 AND operator_id <= $2 AND day >= $3 ORDER BY operator_id, day"

int aeo_scoresheet_recompute(struct store_conn *conn, const struct aeo_context *ctx,
			     const char *operator_id, struct score_result *out, struct cv_error *err)
{
	struct score_model *m = cv_malloc(sizeof(*m));
	struct score_acc acc = {0};
	struct store_stmt *stmt;
	char today[CV_DATE_MAX], now[CV_RFC3339_MAX];
	int rc;

	if (!m)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	cv_date_from_ms(ctx->now_ms, today);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = aeo_score_model_load(conn, today, m, err);
	if (!rc)
		rc = store_prepare(conn, EVENT_SCAN_SQL, &stmt);
	if (!rc) {
		rc = store_bindf(stmt, "tti", operator_id, operator_id, m->today - m->window_days);
		while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
			aeo_score_add(m, &acc, store_col_text(stmt, 1), store_col_text(stmt, 2),
				      (int)store_col_int64(stmt, 3), store_col_int64(stmt, 4));
			rc = CV_OK;
		}
		store_finish(stmt);
		rc = rc < 0 ? rc : CV_OK;
	}
	if (!rc) {
		aeo_score_finish(m, &acc, out);
		rc = store_result(conn, m, operator_id, today, now, out);
	}
	cv_free(m);
	if (rc && err && !err->message[0])
		cv_error_set(err, rc, NULL, "cannot score the operator: %s", store_errmsg(conn));
	return rc;
}

static int valid_outcome(const char *kind, const char *outcome)
{
	if (!strcmp(kind, "examination"))
		return !strcmp(outcome, "clean") || !strcmp(outcome, "minor") ||
		       !strcmp(outcome, "major") || !strcmp(outcome, "seizure");
	if (!strcmp(kind, "infringement") || !strcmp(kind, "pga_finding") ||
	    !strcmp(kind, "audit_finding"))
		return !strcmp(outcome, "minor") || !strcmp(outcome, "major") ||
		       !strcmp(outcome, "critical");
	return !*outcome;
}

static int valid_kind(const char *kind)
{
	static const char *const kinds[] = {"declaration_lodged", "declaration_amended",
					    "examination",        "infringement",
					    "late_payment",       "pga_finding",
					    "audit_finding",      "voluntary_disclosure"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i]))
			return 1;
	return 0;
}

int aeo_compliance_event_add(struct store_conn *conn, const struct aeo_context *ctx,
			     const char *actor, const char *operator_id,
			     const struct aeo_compliance_event *e, char id[CV_UUID_STR],
			     struct cv_error *err)
{
	const char *outcome = e->outcome ? e->outcome : "";
	char today[CV_DATE_MAX], now[CV_RFC3339_MAX];
	struct aeo_operator *op;
	struct score_result result;
	int64_t day, today_day;
	int rc;

	if (!e->kind || !valid_kind(e->kind))
		return cv_error_set(err, CV_EINVAL, "kind",
				    "kind must be declaration_lodged, declaration_amended, examination, "
				    "infringement, late_payment, pga_finding, audit_finding or "
				    "voluntary_disclosure");
	if (!valid_outcome(e->kind, outcome))
		return cv_error_set(err, CV_EINVAL, "outcome", "%s needs outcome %s", e->kind,
				    !strcmp(e->kind, "examination") ? "clean, minor, major or seizure"
				    : strchr("ipa", e->kind[0]) && strcmp(e->kind, "late_payment")
					    ? "minor, major or critical"
					    : "empty");
	if (!strcmp(e->kind, "late_payment") ? (e->days_late < 1 || e->days_late > 3650)
					     : e->days_late != 0)
		return cv_error_set(err, CV_EINVAL, "days_late",
				    "days_late is 1 to 3650 for late_payment and absent otherwise");
	cv_date_from_ms(ctx->now_ms, today);
	if (!e->occurred_on || cv_date_parse(e->occurred_on, &day) ||
	    cv_date_parse(today, &today_day) || day > today_day)
		return cv_error_set(err, CV_EINVAL, "occurred_on",
				    "occurred_on must be a date (YYYY-MM-DD), not in the future");
	op = cv_malloc(sizeof(*op));
	if (!op)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	rc = aeo_operator_get(conn, operator_id, op);
	if (rc) {
		cv_free(op);
		return cv_error_set(err, rc == CV_ENOTFOUND ? rc : CV_EDB, "operator_id",
				    "no such operator");
	}
	cv_uuid7(id);
	cv_clock_format_rfc3339(ctx->now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO compliance_events (id, operator_id, kind, outcome, days_late,"
			 " occurred_on, day, source, reference, notes, recorded_by, created_at)"
			 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
			 "ttttitittttt", id, op->id, e->kind, outcome, (int64_t)e->days_late,
			 e->occurred_on, day, e->source ? e->source : "api",
			 e->reference ? e->reference : "", e->notes ? e->notes : "", actor, now);
	if (rc) {
		cv_free(op);
		return cv_error_set(err, rc, NULL, "cannot record the event: %s",
				    store_errmsg(conn));
	}
	rc = aeo_scoresheet_recompute(conn, ctx, op->id, &result, err);
	cv_free(op);
	return rc;
}

/* --- scoring everyone --- */

struct worker {
	struct store *store;
	const struct score_model *model;
	char **ids; /* sorted operator ids of this worker's range */
	long count;
	struct score_result *results;
	long events;
	long *done;    /* shared progress counter */
	int *finished; /* workers that have ended, under lock */
	pthread_mutex_t *lock;
	int rc;
	char error[256];
};

static void *score_range(void *arg)
{
	struct worker *w = arg;
	struct store_conn *conn;
	struct store_stmt *stmt;
	struct score_acc acc;
	long at = 0, since_report = 0;
	struct cv_error err;
	int rc;

	if (w->count == 0)
		goto out;
	/* No bulk mode here: a one-pass scan gains nothing from a large page cache. */
	rc = store_conn(w->store, &conn, &err);
	if (!rc)
		rc = store_prepare(conn, EVENT_SCAN_SQL, &stmt);
	if (rc) {
		w->rc = rc;
		snprintf(w->error, sizeof(w->error), "cannot read events");
		goto out;
	}
	memset(&acc, 0, sizeof(acc));
	rc = store_bindf(stmt, "tti", w->ids[0], w->ids[w->count - 1],
			 w->model->today - w->model->window_days);
	/*
	 * Events arrive ordered by operator id, as the ids do: walk both lists
	 * together, finishing each operator when the events move past it.
	 */
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		const char *op = store_col_text(stmt, 0);
		int cmp;
		while (at < w->count && (cmp = strcmp(w->ids[at], op)) < 0) {
			aeo_score_finish(w->model, &acc, &w->results[at++]);
			memset(&acc, 0, sizeof(acc));
			since_report++;
		}
		if (at < w->count && cmp == 0)
			aeo_score_add(w->model, &acc, store_col_text(stmt, 1),
				      store_col_text(stmt, 2), (int)store_col_int64(stmt, 3),
				      store_col_int64(stmt, 4));
		w->events++;
		if (since_report >= 1000) {
			pthread_mutex_lock(w->lock);
			*w->done += since_report;
			pthread_mutex_unlock(w->lock);
			since_report = 0;
		}
		rc = CV_OK;
	}
	store_finish(stmt);
	for (; at < w->count; at++) {
		aeo_score_finish(w->model, &acc, &w->results[at]);
		memset(&acc, 0, sizeof(acc));
		since_report++;
	}
	pthread_mutex_lock(w->lock);
	*w->done += since_report;
	pthread_mutex_unlock(w->lock);
	if (rc < 0) {
		w->rc = rc;
		snprintf(w->error, sizeof(w->error), "%s", store_errmsg(conn));
	}
out:
	pthread_mutex_lock(w->lock);
	(*w->finished)++;
	pthread_mutex_unlock(w->lock);
	return NULL;
}

static int load_operator_ids(struct store_conn *conn, char ***ids, long *count)
{
	struct store_stmt *stmt;
	long cap = 1024;
	int rc;

	*count = 0;
	*ids = cv_malloc((size_t)cap * sizeof(char *));
	if (!*ids)
		return CV_ENOMEM;
	rc = store_prepare(conn, "SELECT id FROM operators ORDER BY id", &stmt);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		if (*count == cap) {
			char **more = cv_realloc(*ids, (size_t)cap * 2 * sizeof(char *));
			if (!more) {
				rc = CV_ENOMEM;
				break;
			}
			*ids = more;
			cap *= 2;
		}
		(*ids)[*count] = cv_strdup(store_col_text(stmt, 0));
		if (!(*ids)[(*count)++]) {
			rc = CV_ENOMEM;
			break;
		}
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

#define MAX_THREADS 64

int aeo_scoresheet_recompute_all(struct store *store, const char *today, int threads,
				 void (*progress)(long done, long total, void *ctx),
				 void *progress_ctx, struct aeo_recompute_stats *stats,
				 struct cv_error *err)
{
	struct worker workers[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct score_model *m = cv_malloc(sizeof(*m));
	struct score_result *results = NULL;
	struct store_conn *conn = NULL;
	char **ids = NULL, now[CV_RFC3339_MAX];
	long count = 0, done = 0;
	int finished = 0, started = 0;
	struct timespec start;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if (threads < 1)
		threads = 1;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if (!m)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = store_conn(store, &conn, err);
	if (!rc)
		rc = store_bulk_mode(conn, 1);
	if (!rc)
		rc = aeo_score_model_load(conn, today, m, err);
	if (!rc)
		rc = load_operator_ids(conn, &ids, &count);
	if (!rc && count) {
		results = cv_calloc((size_t)count, sizeof(*results));
		if (!results)
			rc = CV_ENOMEM;
	}
	if (!rc) {
		long per = (count + threads - 1) / threads;
		for (int t = 0; t < threads; t++) {
			long lo = t * per, hi = lo + per > count ? count : lo + per;
			workers[t] = (struct worker){.store = store,
						     .model = m,
						     .ids = ids + (lo < count ? lo : count),
						     .count = hi > lo ? hi - lo : 0,
						     .results = results + (lo < count ? lo : count),
						     .done = &done,
						     .finished = &finished,
						     .lock = &lock};
			if (pthread_create(&tids[t], NULL, score_range, &workers[t]) != 0) {
				rc = CV_ENOMEM;
				cv_error_set(err, rc, NULL, "cannot start a scoring thread");
				break;
			}
			started++;
		}
		/* Report progress until every started worker has ended. */
		for (;;) {
			long d;
			int ended;
			pthread_mutex_lock(&lock);
			d = done;
			ended = finished;
			pthread_mutex_unlock(&lock);
			if (progress)
				progress(d, count, progress_ctx);
			if (ended >= started)
				break;
			nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
		}
		for (int t = 0; t < started; t++) {
			pthread_join(tids[t], NULL);
			stats->events += workers[t].events;
			if (workers[t].rc && !rc) {
				rc = workers[t].rc;
				cv_error_set(err, rc, NULL, "scoring failed: %s", workers[t].error);
			}
		}
	}
	stats->operators = count;
	stats->read_seconds = seconds_since(&start);
	if (!rc) {
		clock_gettime(CLOCK_MONOTONIC, &start);
		cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
		rc = store_begin(conn);
		for (long i = 0; !rc && i < count; i++)
			rc = store_result(conn, m, ids[i], today, now, &results[i]);
		if (!rc)
			rc = store_commit(conn);
		else
			store_rollback(conn);
		if (rc)
			cv_error_set(err, rc, NULL, "cannot store the scoresheets: %s",
				     store_errmsg(conn));
		stats->write_seconds = seconds_since(&start);
	}
	if (conn)
		store_bulk_mode(conn, 0);
	for (long i = 0; i < count; i++)
		cv_free(ids[i]);
	cv_free(ids);
	cv_free(results);
	cv_free(m);
	return rc;
}

/* --- reading --- */

int aeo_scoresheet_json(struct store_conn *conn, const char *operator_id, json_t **out)
{
	struct store_stmt *stmt;
	json_t *history;
	int rc = store_prepare(conn,
			       "SELECT score, grade, declarations, events, indicators, computed_on, computed_at"
			       " FROM scoresheets WHERE operator_id = $1",
			       &stmt);

	*out = NULL;
	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", operator_id);
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW) {
		json_t *indicators = json_loads(store_col_text(stmt, 4), 0, NULL);
		*out = json_pack("{s:s, s:f, s:s, s:I, s:I, s:o, s:s, s:s}", "operator_id",
				 operator_id, "score", store_col_double(stmt, 0), "grade",
				 store_col_text(stmt, 1), "declarations",
				 (json_int_t)store_col_int64(stmt, 2), "events",
				 (json_int_t)store_col_int64(stmt, 3), "indicators",
				 indicators ? indicators : json_array(), "computed_on",
				 store_col_text(stmt, 5), "computed_at", store_col_text(stmt, 6));
		rc = *out ? CV_OK : CV_ENOMEM;
	} else if (rc == STORE_DONE) {
		rc = CV_ENOTFOUND;
	}
	store_finish(stmt);
	if (rc)
		return rc;
	history = json_array();
	rc = store_prepare(conn,
			   "SELECT computed_on, score, grade FROM scoresheet_history WHERE operator_id = $1"
			   " ORDER BY computed_on DESC LIMIT 36",
			   &stmt);
	if (!rc)
		rc = store_bindf(stmt, "t", operator_id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_array_append_new(history,
				      json_pack("{s:s, s:f, s:s}", "on", store_col_text(stmt, 0),
						"score", store_col_double(stmt, 1), "grade",
						store_col_text(stmt, 2)));
		rc = CV_OK;
	}
	store_finish(stmt);
	json_object_set_new(*out, "history", history);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return CV_OK;
}

int aeo_candidates_json(struct store_conn *conn, int limit, json_t **out)
{
	struct store_stmt *stmt;
	int min_declarations, grade_a, rc;

	rc = aeo_policy_int(conn, "candidate_min_declarations", &min_declarations);
	if (!rc)
		rc = aeo_policy_int(conn, "grade_a", &grade_a);
	if (!rc)
		rc = store_prepare(conn,
				   "SELECT o.id, o.tin, o.name, o.sme, o.ecommerce, s.score, s.grade, s.declarations"
				   " FROM scoresheets s JOIN operators o ON o.id = s.operator_id"
				   " WHERE s.score >= $1 AND s.declarations >= $2 AND NOT EXISTS ("
				   "  SELECT 1 FROM aeo_authorizations z WHERE z.operator_id = o.id"
				   "  AND z.status IN ('valid', 'suspended'))"
				   " ORDER BY s.score DESC, s.declarations DESC, o.id LIMIT $3",
				   &stmt);
	if (rc)
		return rc;
	*out = json_array();
	rc = store_bindf(stmt, "dii", (double)grade_a, (int64_t)min_declarations, (int64_t)limit);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:b, s:b, s:f, s:s, s:I}",
						      "operator_id", store_col_text(stmt, 0), "tin",
						      store_col_text(stmt, 1), "name",
						      store_col_text(stmt, 2), "sme",
						      (int)store_col_int64(stmt, 3), "ecommerce",
						      (int)store_col_int64(stmt, 4), "score",
						      store_col_double(stmt, 5), "grade",
						      store_col_text(stmt, 6), "declarations",
						      (json_int_t)store_col_int64(stmt, 7)));
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}
