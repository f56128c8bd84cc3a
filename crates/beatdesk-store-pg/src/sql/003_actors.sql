-- Identity comes from the database, not from what a client types: every
-- revision, source, sign-off, export and audit entry carries the login that
-- wrote it. `session_user` is the login even after `SET ROLE`, where
-- `current_user` would name the group role instead.
ALTER TABLE sources ADD COLUMN actor TEXT NOT NULL DEFAULT session_user;
ALTER TABLE drafts ADD COLUMN actor TEXT NOT NULL DEFAULT session_user;
ALTER TABLE signoffs ADD COLUMN actor TEXT NOT NULL DEFAULT session_user;
ALTER TABLE exports ADD COLUMN actor TEXT NOT NULL DEFAULT session_user;
ALTER TABLE audit_log ALTER COLUMN actor SET DEFAULT session_user;
ALTER TABLE target_exports ALTER COLUMN actor SET DEFAULT session_user;
ALTER TABLE story_decisions ALTER COLUMN actor SET DEFAULT session_user;

-- A default can be overridden by a client; this stamp cannot.
CREATE FUNCTION beatdesk_stamp_actor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.actor := session_user;
    RETURN NEW;
END
$$;
CREATE TRIGGER sources_actor BEFORE INSERT ON sources
    FOR EACH ROW EXECUTE FUNCTION beatdesk_stamp_actor();
CREATE TRIGGER drafts_actor BEFORE INSERT ON drafts
    FOR EACH ROW EXECUTE FUNCTION beatdesk_stamp_actor();
CREATE TRIGGER signoffs_actor BEFORE INSERT ON signoffs
    FOR EACH ROW EXECUTE FUNCTION beatdesk_stamp_actor();
CREATE TRIGGER exports_actor BEFORE INSERT ON exports
    FOR EACH ROW EXECUTE FUNCTION beatdesk_stamp_actor();
CREATE TRIGGER audit_actor BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION beatdesk_stamp_actor();
CREATE TRIGGER target_exports_actor BEFORE INSERT ON target_exports
    FOR EACH ROW EXECUTE FUNCTION beatdesk_stamp_actor();
CREATE TRIGGER story_decisions_actor BEFORE INSERT OR UPDATE ON story_decisions
    FOR EACH ROW EXECUTE FUNCTION beatdesk_stamp_actor();
