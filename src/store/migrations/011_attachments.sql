-- 011_attachments: documents uploaded to an application. The bytes live in
-- files named by their SHA-256 (content-addressed, under the configured
-- attachments_dir); the database keeps what each upload was called and who
-- sent it.
CREATE TABLE aeo_attachments (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES aeo_applications(id),
    sha256         TEXT NOT NULL,
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           BIGINT NOT NULL,
    uploaded_by    TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX aeo_attachments_application ON aeo_attachments(application_id);
