-- History is appended, never rewritten: the same refusals as SQLite's
-- triggers, plus TRUNCATE, which SQLite does not have. They fire for every
-- role, the owner and superusers included.
CREATE FUNCTION beatdesk_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER drafts_immutable BEFORE UPDATE ON drafts
    FOR EACH ROW EXECUTE FUNCTION beatdesk_refuse('drafts are immutable: write a new revision');
CREATE TRIGGER drafts_no_delete BEFORE DELETE ON drafts
    FOR EACH ROW EXECUTE FUNCTION beatdesk_refuse('drafts are append-only');
CREATE TRIGGER drafts_no_truncate BEFORE TRUNCATE ON drafts
    FOR EACH STATEMENT EXECUTE FUNCTION beatdesk_refuse('drafts are append-only');

CREATE TRIGGER signoffs_no_change BEFORE UPDATE OR DELETE ON signoffs
    FOR EACH ROW EXECUTE FUNCTION beatdesk_refuse('sign-offs are append-only');
CREATE TRIGGER signoffs_no_truncate BEFORE TRUNCATE ON signoffs
    FOR EACH STATEMENT EXECUTE FUNCTION beatdesk_refuse('sign-offs are append-only');

CREATE TRIGGER exports_no_change BEFORE UPDATE OR DELETE ON exports
    FOR EACH ROW EXECUTE FUNCTION beatdesk_refuse('exports are append-only');
CREATE TRIGGER exports_no_truncate BEFORE TRUNCATE ON exports
    FOR EACH STATEMENT EXECUTE FUNCTION beatdesk_refuse('exports are append-only');

CREATE TRIGGER target_exports_no_change BEFORE UPDATE OR DELETE ON target_exports
    FOR EACH ROW EXECUTE FUNCTION beatdesk_refuse('export attempts are append-only');
CREATE TRIGGER target_exports_no_truncate BEFORE TRUNCATE ON target_exports
    FOR EACH STATEMENT EXECUTE FUNCTION beatdesk_refuse('export attempts are append-only');

CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION beatdesk_refuse('the audit log is append-only');
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION beatdesk_refuse('the audit log is append-only');
