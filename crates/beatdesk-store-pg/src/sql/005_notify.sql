-- Other desks learn of a change through LISTEN beatdesk_changes. The
-- payload names what changed and who did it, never text from a source (it
-- is hostile, and a payload is capped at 8000 bytes). PostgreSQL folds equal
-- payloads of one transaction into one, so a page of 500 records is one
-- notice, and a rolled-back transaction sends nothing.
CREATE FUNCTION beatdesk_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_json jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN row_json := to_jsonb(OLD); ELSE row_json := to_jsonb(NEW); END IF;
    PERFORM pg_notify('beatdesk_changes', jsonb_build_object(
        'table', TG_TABLE_NAME,
        'beat_id', (row_json ->> 'beat_id')::bigint,
        'story_id', CASE WHEN TG_TABLE_NAME = 'stories' THEN (row_json ->> 'id')::bigint
                         ELSE (row_json ->> 'story_id')::bigint END,
        'actor', session_user::text)::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER records_notify AFTER INSERT OR UPDATE ON records
    FOR EACH ROW EXECUTE FUNCTION beatdesk_notify();
CREATE TRIGGER sources_notify AFTER INSERT OR UPDATE OR DELETE ON sources
    FOR EACH ROW EXECUTE FUNCTION beatdesk_notify();
CREATE TRIGGER stories_notify AFTER INSERT OR UPDATE ON stories
    FOR EACH ROW EXECUTE FUNCTION beatdesk_notify();
CREATE TRIGGER story_records_notify AFTER INSERT OR UPDATE OR DELETE ON story_records
    FOR EACH ROW EXECUTE FUNCTION beatdesk_notify();
CREATE TRIGGER drafts_notify AFTER INSERT ON drafts
    FOR EACH ROW EXECUTE FUNCTION beatdesk_notify();
CREATE TRIGGER signoffs_notify AFTER INSERT ON signoffs
    FOR EACH ROW EXECUTE FUNCTION beatdesk_notify();
CREATE TRIGGER target_exports_notify AFTER INSERT ON target_exports
    FOR EACH ROW EXECUTE FUNCTION beatdesk_notify();
