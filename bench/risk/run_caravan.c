/*
 * run_caravan.c — caravan's selectivity engine on the bench-risk data.
 *
 * usage: run_caravan DIR MODE [LIMIT]
 *   check OUT       evaluate items.tsv, write the hits to OUT
 *   check-json OUT  the same from declarations.jsonl (JSON parsing path)
 *   time            compile the profiles (load), then time risk_eval over
 *                   every item of items.tsv already in memory (no parsing)
 *   time-json       time JSON text -> json_loads -> risk_declaration_from_json
 *                   -> risk_eval for every declaration of declarations.jsonl
 *                   (the text is read into memory first)
 * LIMIT evaluates only the first LIMIT items.
 *
 * The hits file has one line per item that hits: "ITEM RULE RULE..." with
 * the item's index from 0 and the rules' numbers (R0007 is 7), increasing.
 * A timed mode prints one line:
 *   engine=caravan load_s=X items=N eval_s=Y hits=H digest=D
 * where hits counts (item, rule) pairs and digest folds them, so a timed
 * run can be matched to the checked one.
 *
 * Watchlists come from watchlists.txt into a hash set; the in_list callback
 * looks (list, importer) up in it, as the node looks them up in its cache.
 * One thread: the run script pins the process to one core.
 */
#include "base/arena.h"
#include "base/err.h"
#include "risk/declaration.h"
#include "risk/profile.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_HITS 1024

static void die(const char *what)
{
	fprintf(stderr, "run_caravan: %s\n", what);
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole file, NUL-terminated. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf;
	long size;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die(path);
	buf = malloc((size_t)size + 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size)
		die(path);
	buf[size] = 0;
	fclose(f);
	if (len)
		*len = (size_t)size;
	return buf;
}

/* ---- watchlists: open addressing over (list, value) --------------------- */

struct watch_entry {
	const char *list, *value;
};

/*
 * Keyed by the value only (a trader on two lists has two entries in one
 * chain), so the engine asking about one importer for each list hashes it
 * once: the last value's hash is kept, by its address — valid while the
 * value's memory lives (the JSON path forgets it with each declaration).
 */
struct watch_set {
	struct watch_entry *slots;
	size_t mask;
	const char *last_value;
	uint64_t last_hash;
};

static uint64_t watch_hash(const char *value)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static int watch_in_list(void *ctx, const char *list, const char *value)
{
	struct watch_set *w = ctx;
	if (value != w->last_value) {
		w->last_value = value;
		w->last_hash = watch_hash(value);
	}
	for (size_t i = w->last_hash & w->mask;; i = (i + 1) & w->mask) {
		const struct watch_entry *e = &w->slots[i];
		if (!e->list)
			return 0;
		if (!strcmp(e->value, value) && !strcmp(e->list, list))
			return 1;
	}
}

/* watchlists.txt: "LIST VALUE" per line; the buffer is kept and cut in place. */
static void watch_load(struct watch_set *w, char *text)
{
	size_t lines = 0, cap = 16;
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	while (cap < lines * 2)
		cap *= 2;
	w->slots = calloc(cap, sizeof(*w->slots));
	w->mask = cap - 1;
	w->last_value = NULL;
	if (!w->slots)
		die("out of memory");
	for (char *line = text, *nl; *line; line = nl + 1) {
		char *sp = strchr(line, ' ');
		nl = strchr(line, '\n');
		if (!sp || !nl)
			die("watchlists.txt: bad line");
		*sp = *nl = 0;
		size_t i = watch_hash(sp + 1) & w->mask;
		while (w->slots[i].list)
			i = (i + 1) & w->mask;
		w->slots[i].list = line;
		w->slots[i].value = sp + 1;
	}
}

/* ---- items -------------------------------------------------------------- */

/* items.tsv: hs origin value net_mass importer direction; cut in place. */
static struct risk_item *items_load(char *text, size_t *count, size_t limit)
{
	size_t n = 0, cap = 0;
	struct risk_item *items = NULL;

	for (char *line = text, *nl; *line && n < limit; line = nl + 1) {
		char *field[6];
		struct risk_item *x;
		nl = strchr(line, '\n');
		if (!nl)
			die("items.tsv: unterminated line");
		*nl = 0;
		field[0] = line;
		for (int k = 1; k < 6; k++) {
			char *tab = strchr(field[k - 1], '\t');
			if (!tab)
				die("items.tsv: bad line");
			*tab = 0;
			field[k] = tab + 1;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			items = realloc(items, cap * sizeof(*items));
			if (!items)
				die("out of memory");
		}
		x = &items[n++];
		memset(x, 0, sizeof(*x));
		for (int f = 0; f < RISK_TEXT_FIELDS; f++)
			x->text[f] = "";
		x->text[RISK_HS] = field[0];
		x->text[RISK_ORIGIN] = field[1];
		x->number[RISK_VALUE - RISK_TEXT_FIELDS] = strtod(field[2], NULL);
		x->number[RISK_NET_MASS - RISK_TEXT_FIELDS] = strtod(field[3], NULL);
		x->number[RISK_UNIT_VALUE - RISK_TEXT_FIELDS] =
			x->number[RISK_VALUE - RISK_TEXT_FIELDS] /
			x->number[RISK_NET_MASS - RISK_TEXT_FIELDS];
		x->text[RISK_IMPORTER] = field[4];
		x->text[RISK_DIRECTION] = field[5];
		x->text[RISK_AEO] = "none";
	}
	*count = n;
	return items;
}

/* ---- hits --------------------------------------------------------------- */

struct tally {
	uint64_t hits, digest;
	FILE *out; /* check modes */
};

/* Rule numbers come from the ids ("R0007" is 7); index i is "R%04d" of i + 1 by construction, but read it to be sure. */
static int *rule_numbers(const struct risk_profile_set *set)
{
	size_t n = risk_profile_count(set);
	int *numbers = malloc(n * sizeof(*numbers));
	if (!numbers)
		die("out of memory");
	for (size_t i = 0; i < n; i++)
		numbers[i] = (int)strtol(risk_profile_info(set, i)->id + 1, NULL, 10);
	return numbers;
}

static void record(struct tally *t, const int *numbers, size_t item, const size_t *hits, size_t n)
{
	if (n > MAX_HITS)
		die("more hits on one item than MAX_HITS");
	for (size_t k = 0; k < n; k++)
		t->digest = (t->digest ^ ((uint64_t)item << 16 ^ (uint64_t)numbers[hits[k]])) *
			    1099511628211ULL;
	t->hits += n;
	if (t->out && n) {
		fprintf(t->out, "%zu", item);
		for (size_t k = 0; k < n; k++)
			fprintf(t->out, " %d", numbers[hits[k]]);
		fprintf(t->out, "\n");
	}
}

static struct risk_profile_set *compile(const char *dir, double *seconds)
{
	size_t len;
	char *source = slurp(dir, "profiles.txt", &len);
	struct risk_profile_set *set;
	struct risk_compile_error err;
	double t0 = now();

	if (risk_compile(source, len, &set, &err)) {
		fprintf(stderr, "run_caravan: profiles.txt:%d:%d: %s\n", err.line, err.column,
			err.message);
		exit(1);
	}
	*seconds = now() - t0;
	free(source);
	return set;
}

static void eval_items(const char *dir, struct tally *t, size_t limit, int timed)
{
	struct watch_set watch;
	char *wtext = slurp(dir, "watchlists.txt", NULL), *itext;
	double load, t0, t1;
	struct risk_profile_set *set;
	struct risk_item *items;
	size_t count, hits[MAX_HITS + 1];
	int *numbers;

	t0 = now();
	watch_load(&watch, wtext);
	t1 = now();
	set = compile(dir, &load);
	load += t1 - t0;
	numbers = rule_numbers(set);
	itext = slurp(dir, "items.tsv", NULL);
	items = items_load(itext, &count, limit);

	t0 = now();
	for (size_t i = 0; i < count; i++) {
		size_t n = risk_eval(set, &items[i], watch_in_list, &watch, hits, MAX_HITS + 1);
		record(t, numbers, i, hits, n);
	}
	t1 = now();
	if (timed)
		printf("engine=caravan load_s=%.6f items=%zu eval_s=%.6f hits=%llu digest=%016llx\n",
		       load, count, t1 - t0, (unsigned long long)t->hits,
		       (unsigned long long)t->digest);
	free(items);
	free(itext);
	free(numbers);
	risk_profile_set_free(set);
	free(watch.slots);
	free(wtext);
}

static void eval_json(const char *dir, struct tally *t, size_t limit, int timed)
{
	struct watch_set watch;
	char *wtext = slurp(dir, "watchlists.txt", NULL), *text;
	double load, t0, t1;
	struct risk_profile_set *set;
	size_t item = 0, hits[MAX_HITS + 1], ndecl = 0, cap = 0;
	char **lines = NULL;
	int *numbers;

	t0 = now();
	watch_load(&watch, wtext);
	t1 = now();
	set = compile(dir, &load);
	load += t1 - t0;
	numbers = rule_numbers(set);
	/* The declarations' text in memory, one string each: reading the file is not timed. */
	text = slurp(dir, "declarations.jsonl", NULL);
	for (char *line = text, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			die("declarations.jsonl: unterminated line");
		*nl = 0;
		if (ndecl == cap) {
			cap = cap ? cap * 2 : 1024;
			lines = realloc(lines, cap * sizeof(*lines));
			if (!lines)
				die("out of memory");
		}
		lines[ndecl++] = line;
	}

	t0 = now();
	for (size_t d = 0; d < ndecl && item < limit; d++) {
		struct cv_arena arena;
		struct risk_declaration decl;
		struct cv_error err;
		json_error_t jerr;
		json_t *doc = json_loads(lines[d], 0, &jerr);

		if (!doc)
			die(jerr.text);
		cv_arena_init(&arena, 0);
		cv_error_clear(&err);
		if (risk_declaration_from_json(doc, &arena, &decl, &err))
			die(err.message);
		for (size_t k = 0; k < decl.nitems && item < limit; k++, item++) {
			size_t n = risk_eval(set, &decl.items[k], watch_in_list, &watch, hits,
					     MAX_HITS + 1);
			record(t, numbers, item, hits, n);
		}
		cv_arena_release(&arena);
		json_decref(doc);
		watch.last_value = NULL; /* its memory is freed: the next text may reuse the address */
	}
	t1 = now();
	if (timed)
		printf("engine=caravan-json load_s=%.6f items=%zu eval_s=%.6f hits=%llu digest=%016llx\n",
		       load, item, t1 - t0, (unsigned long long)t->hits,
		       (unsigned long long)t->digest);
	free(lines);
	free(text);
	free(numbers);
	risk_profile_set_free(set);
	free(watch.slots);
	free(wtext);
}

int main(int argc, char **argv)
{
	struct tally t = {0, 1469598103934665603ULL, NULL};
	const char *dir, *mode;
	size_t limit = (size_t)-1;
	int check;

	if (argc < 3) {
		fprintf(stderr, "usage: run_caravan DIR check|check-json OUT [LIMIT]\n"
				"       run_caravan DIR time|time-json [LIMIT]\n");
		return 2;
	}
	dir = argv[1];
	mode = argv[2];
	check = !strncmp(mode, "check", 5);
	if (check) {
		if (argc < 4)
			die("check needs an output file");
		t.out = fopen(argv[3], "w");
		if (!t.out)
			die(argv[3]);
	}
	if (argc > 3 + check)
		limit = strtoul(argv[3 + check], NULL, 10);
	if (!strcmp(mode, "check") || !strcmp(mode, "time"))
		eval_items(dir, &t, limit, !check);
	else if (!strcmp(mode, "check-json") || !strcmp(mode, "time-json"))
		eval_json(dir, &t, limit, !check);
	else
		die("unknown mode");
	if (t.out && fclose(t.out))
		die("write failed");
	if (check)
		fprintf(stderr, "run_caravan: %s: %llu hits\n", mode, (unsigned long long)t.hits);
	return 0;
}
