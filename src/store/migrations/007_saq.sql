-- 007_saq: self-assessment questionnaire templates (versioned data files
-- under data/saq/) and the answers of each application. An application
-- locks the template version and variant it started on.
CREATE TABLE saq_templates (
    id        TEXT NOT NULL,
    version   TEXT NOT NULL,
    content   TEXT NOT NULL,               -- the template file, JSON
    loaded_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

ALTER TABLE aeo_applications ADD COLUMN saq_template TEXT NOT NULL DEFAULT '';
ALTER TABLE aeo_applications ADD COLUMN saq_version TEXT NOT NULL DEFAULT '';
ALTER TABLE aeo_applications ADD COLUMN saq_variant TEXT NOT NULL DEFAULT 'standard';

CREATE TABLE saq_answers (
    application_id TEXT NOT NULL REFERENCES aeo_applications(id),
    question_id    TEXT NOT NULL,
    value          TEXT NOT NULL,          -- JSON value
    answered_by    TEXT NOT NULL,
    answered_at    TEXT NOT NULL,
    PRIMARY KEY (application_id, question_id)
);
