/*
 * refdata_internal.h — what the files of src/refdata/ share; not for other
 * modules (they include refdata.h).
 *
 * A load has two phases. The read phase loads each file whole into memory
 * and validates it, producing a struct refdata_iso and a struct refdata_hs
 * whose strings point into the file buffers (the CSV reader, base/csv.h,
 * parses in place).
 * The write phase, inside one transaction, upserts what the read phase
 * accepted. So every user-facing error (a missing file, a bad row) is found
 * before the database is touched, and the write phase can fail only for
 * database reasons.
 *
 * Not thread-safe: the structs belong to one load.
 */
#ifndef CV_REFDATA_INTERNAL_H
#define CV_REFDATA_INTERNAL_H

#include "refdata/refdata.h"

#include <jansson.h>
#include <stddef.h>

/* ---- files (refdata.c) ------------------------------------------------- */

/* A file read whole into memory. */
struct refdata_file {
	const char *name; /* as the user knows it ("hs/sections.csv"); not owned */
	char *path;       /* full path, for messages */
	char *data;       /* size bytes, then a NUL */
	size_t size;
};

/*
 * Read dir/name into file. A missing file fails with CV_ENOTFOUND and the
 * message "<what> not found at <path>: <hint>"; any other failure with
 * CV_EIO. file keeps name. Release with refdata_file_release() either way.
 */
int refdata_file_read(struct refdata_file *file, const char *dir, const char *name,
		      const char *what, const char *hint, struct cv_error *err);
/* Free the buffers; the struct may be read into again. NULL is a no-op. */
void refdata_file_release(struct refdata_file *file);

/*
 * Fail with CV_EINVAL for a bad line of file: err->field is the file's name,
 * the message "<path> line <line>: <what is wrong>". line 0 leaves the line
 * out (for JSON entries, whose position the message gives).
 */
int refdata_file_error(struct cv_error *err, const struct refdata_file *file, long line,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Fail with rc for a database failure: err->field "db", the message
 * "<what>: <the driver's message>" (or "out of memory" for CV_ENOMEM, where
 * the driver has nothing to say).
 */
int refdata_db_error(struct cv_error *err, int rc, struct store_conn *conn, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- countries, currencies, CAREC (iso.c) -------------------------------- */

struct refdata_iso {
	json_t *countries_doc; /* owned parsed documents */
	json_t *currencies_doc;
	json_t *carec_doc;
	json_t *countries; /* borrowed: the validated entry arrays */
	json_t *currencies;
	json_t *members; /* carec.json "members" */
};

/* Read and validate iso_3166-1.json, iso_4217.json and carec.json. */
int refdata_iso_read(struct refdata_iso *iso, const char *data_dir, const char *iso_codes_dir,
		     struct cv_error *err);
/* Upsert currencies, then countries with their CAREC flag. */
int refdata_iso_write(struct store_conn *conn, const struct refdata_iso *iso,
		      struct refdata_counts *counts, struct cv_error *err);
/* Free the documents. Safe on a zeroed struct. */
void refdata_iso_release(struct refdata_iso *iso);

/* ---- Harmonized System (hs.c) ------------------------------------------ */

/* "HS2022" and a NUL, with room to spare. */
#define REFDATA_HS_EDITION_SIZE 16

struct refdata_hs_section {
	const char *numeral; /* "XVI" */
	const char *name;
};

struct refdata_hs_code {
	const char *code; /* 2, 4 or 6 digits */
	const char *section;
	const char *description;
	const char *parent; /* NULL for chapters */
	int level;          /* the code's length */
};

struct refdata_hs {
	struct refdata_file sections_file;
	struct refdata_file codes_file;
	struct refdata_hs_section *sections;
	size_t section_count, section_cap;
	struct refdata_hs_code *codes;
	size_t code_count, code_cap;
	char edition[REFDATA_HS_EDITION_SIZE];
};

/* Read and validate data_dir/hs/sections.csv and data_dir/hs/harmonized-system.csv. */
int refdata_hs_read(struct refdata_hs *hs, const char *data_dir, struct cv_error *err);
/* Upsert the sections, then the codes. */
int refdata_hs_write(struct store_conn *conn, const struct refdata_hs *hs,
		     struct refdata_counts *counts, struct cv_error *err);
/* Free the files and arrays. Safe on a zeroed struct. */
void refdata_hs_release(struct refdata_hs *hs);

#endif
