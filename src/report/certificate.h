/*
 * certificate.h — the AEO certificate: a one-page PDF drawn with cairo,
 * carrying a QR code (libqrencode) of the public verification URL, so that
 * anyone holding the paper can check the authorization's current status.
 *
 * The PDF is drawn in memory; nothing touches the disk. Thread-safe: cairo
 * and libqrencode objects are created per call.
 */
#ifndef CV_REPORT_CERTIFICATE_H
#define CV_REPORT_CERTIFICATE_H

#include "base/buf.h"
#include "base/err.h"

struct certificate_data {
	const char *administration; /* node name */
	const char *country;        /* node country code */
	const char *number;         /* authorization number */
	const char *type;           /* AEOC, AEOS, AEOF */
	const char *status;         /* valid, suspended, ... */
	const char *operator_name;
	const char *operator_tin;
	const char *operator_address;
	const char *valid_from;
	const char *revalidation_due;
	const char *verify_url;      /* public verification URL, encoded in the QR code */
	const char *const *benefits; /* NULL-terminated names */
};

/* Draw the certificate as PDF into out (appended). */
int report_certificate_pdf(const struct certificate_data *data, struct cv_buf *out,
			   struct cv_error *err);

#endif
