-- 002_audit_append_only (SQLite): the database itself refuses to change or
-- delete audit rows. Someone with write access to the file can still drop
-- these triggers; the hash chain (caravan audit verify) catches that.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
