/*
 * refdata.h — reference data: countries, currencies, CAREC membership and
 * the Harmonized System (HS) nomenclature.
 *
 * refdata_load() fills four tables from files, in one transaction:
 *  - countries  from ISO 3166-1 (iso_3166-1.json of the Debian package
 *               iso-codes), with carec = 1 for the members in data/carec.json;
 *  - currencies from ISO 4217 (iso_4217.json of iso-codes);
 *  - hs_sections from data/hs/sections.csv;
 *  - hs_codes   from data/hs/harmonized-system.csv (chapters, headings and
 *               subheadings), with the edition named in the file ("HS2022").
 * Every file is read and validated before the transaction starts, so a bad
 * file costs no database work and a load either happens completely or not
 * at all. Loading is an upsert: running it again with the same files changes
 * nothing, and with newer files it updates rows in place. Rows are never
 * deleted, because operators and declarations reference them.
 *
 * This module owns those four tables: other modules read them (or call the
 * functions below) but never write them.
 *
 * Volumes: 249 countries, 181 currencies, 21 sections and about 6,900 HS
 * codes; a load takes a few tens of milliseconds and runs at init, not per
 * request.
 *
 * Thread-safety: no global state. Each call works on the connection it is
 * given, which belongs to the calling thread (see store/db.h); two loads at
 * once serialize on the database's write lock.
 */
#ifndef CV_REFDATA_REFDATA_H
#define CV_REFDATA_REFDATA_H

#include "base/err.h"
#include "store/db.h"

#include <stddef.h>

/* Where the Debian package iso-codes installs its JSON files. */
#define REFDATA_ISO_CODES_DIR "/usr/share/iso-codes/json"

/*
 * The HS edition recorded when the HS file does not name one in its grand
 * total row ("Total of all HS2022 commodities").
 */
#define REFDATA_HS_EDITION_DEFAULT "HS2022"

/*
 * A buffer of this size holds any HS description refdata_load() accepts;
 * longer descriptions are rejected at load time.
 */
#define REFDATA_HS_DESCRIPTION_SIZE 1024

/* How many rows a load wrote (inserted or updated) per table. */
struct refdata_counts {
	long countries;
	long currencies;
	long carec; /* countries marked as CAREC members */
	long hs_sections;
	long hs_codes;
};

/*
 * Load all reference data into the database through conn, in one
 * transaction (conn must not be inside one already).
 *
 * data_dir is caravan's data/ folder: it holds hs/harmonized-system.csv,
 * hs/sections.csv and carec.json. iso_codes_dir holds iso_3166-1.json and
 * iso_4217.json; NULL means REFDATA_ISO_CODES_DIR. counts (may be NULL)
 * receives the number of rows written.
 *
 * Returns 0, or:
 *  CV_ENOTFOUND a file is missing (err says which, and what to install);
 *  CV_EIO       a file cannot be read;
 *  CV_EINVAL    a file is malformed: err->field names the file and
 *               err->message the file, the line (CSV) or entry (JSON), and
 *               what is wrong;
 *  CV_ENOMEM, CV_EDB, CV_EBUSY as usual.
 * On any failure nothing is written.
 */
int refdata_load(struct store_conn *conn, const char *data_dir, const char *iso_codes_dir,
		 struct refdata_counts *counts, struct cv_error *err);

/*
 * Copy the description of the HS code (2, 4 or 6 digits, no dots:
 * "010121") into description, a buffer of size bytes
 * (REFDATA_HS_DESCRIPTION_SIZE always suffices).
 *
 * Returns 0, CV_ENOTFOUND when the code is not loaded, CV_EINVAL when code
 * is not 2, 4 or 6 digits or the description does not fit, or CV_EDB.
 */
int refdata_hs_lookup(struct store_conn *conn, const char *code, char *description, size_t size,
		      struct cv_error *err);

#endif
