/*
 * certificate.c — see certificate.h. A4 portrait, in points (1/72 inch).
 * Text is set with cairo's toy font API in the "sans-serif" family, which
 * fontconfig resolves to an installed font with Latin and Cyrillic glyphs.
 */
#include "report/certificate.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <string.h>

#define PAGE_WIDTH 595.0
#define PAGE_HEIGHT 842.0
#define MARGIN 56.0
#define QR_SIZE 150.0

static cairo_status_t write_to_buf(void *closure, const unsigned char *data, unsigned int length)
{
	return cv_buf_add(closure, data, length) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static void text(cairo_t *cr, double x, double y, double size, int bold, const char *s)
{
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s ? s : "");
}

static void centered(cairo_t *cr, double y, double size, int bold, const char *s)
{
	cairo_text_extents_t e;

	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, (PAGE_WIDTH - e.width) / 2 - e.x_bearing, y);
	cairo_show_text(cr, s);
}

/* Label and value on one line of the details table. */
static void row(cairo_t *cr, double *y, const char *label, const char *value)
{
	cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
	text(cr, MARGIN, *y, 10, 0, label);
	cairo_set_source_rgb(cr, 0, 0, 0);
	text(cr, MARGIN + 150, *y, 12, 0, value);
	*y += 24;
}

static int draw_qr(cairo_t *cr, const char *url, double x, double y, double size)
{
	QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	double module;

	if (!qr)
		return CV_ENOMEM;
	/* Four modules of quiet zone around the symbol, as the standard asks. */
	module = size / (qr->width + 8);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, size, size);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int r = 0; r < qr->width; r++)
		for (int c = 0; c < qr->width; c++)
			if (qr->data[r * qr->width + c] & 1)
				cairo_rectangle(cr, x + (c + 4) * module, y + (r + 4) * module,
						module, module);
	cairo_fill(cr);
	QRcode_free(qr);
	return CV_OK;
}

static const char *type_meaning(const char *type)
{
	if (!strcmp(type, "AEOC"))
		return "AEO - customs simplifications";
	if (!strcmp(type, "AEOS"))
		return "AEO - security and safety";
	return "AEO - customs simplifications, security and safety";
}

int report_certificate_pdf(const struct certificate_data *d, struct cv_buf *out,
			   struct cv_error *err)
{
	cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(write_to_buf, out,
								       PAGE_WIDTH, PAGE_HEIGHT);
	cairo_t *cr = cairo_create(surface);
	char line[256];
	double y = 120;
	int rc;

	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "AEO certificate");
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "caravan");
	/* A frame, the issuing administration, the title. */
	cairo_set_source_rgb(cr, 0.05, 0.25, 0.45);
	cairo_set_line_width(cr, 3);
	cairo_rectangle(cr, MARGIN / 2, MARGIN / 2, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN);
	cairo_stroke(cr);
	centered(cr, y, 13, 0, d->administration);
	y += 50;
	centered(cr, y, 24, 1, "Authorized Economic Operator");
	y += 28;
	cairo_set_source_rgb(cr, 0, 0, 0);
	centered(cr, y, 14, 0, type_meaning(d->type));
	y += 50;
	centered(cr, y, 20, 1, d->number);
	y += 60;
	row(cr, &y, "Holder", d->operator_name);
	row(cr, &y, "Identification number", d->operator_tin);
	row(cr, &y, "Address", d->operator_address);
	row(cr, &y, "Type", d->type);
	row(cr, &y, "Valid from", d->valid_from);
	row(cr, &y, "Revalidation due", d->revalidation_due);
	snprintf(line, sizeof(line),
		 "%s (at the time of printing: scan the code for the current status)", d->status);
	row(cr, &y, "Status", line);
	y += 10;
	cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
	text(cr, MARGIN, y, 10, 0, "Benefits");
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (const char *const *b = d->benefits; b && *b; b++) {
		text(cr, MARGIN + 150, y, 11, 0, *b);
		y += 18;
	}
	rc = draw_qr(cr, d->verify_url, PAGE_WIDTH - MARGIN - QR_SIZE,
		     PAGE_HEIGHT - MARGIN - QR_SIZE - 30, QR_SIZE);
	cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
	text(cr, MARGIN, PAGE_HEIGHT - MARGIN - 40, 9, 0, "Verify this certificate at:");
	text(cr, MARGIN, PAGE_HEIGHT - MARGIN - 26, 9, 0, d->verify_url);
	cairo_show_page(cr);
	cairo_destroy(cr);
	cairo_surface_finish(surface);
	if (!rc && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
		rc = CV_EIO;
	cairo_surface_destroy(surface);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot draw the certificate");
	return CV_OK;
}
