-- Two group roles (cluster-wide, so created only if missing) and what each
-- may do here. Reporters add sources, draft and edit; editors also sign off,
-- manage targets and export to a CMS. No one is granted UPDATE, DELETE or
-- TRUNCATE on history: the privileges refuse before the triggers would.
-- Two stores initialised at once in one cluster may both try to create a
-- role; the loser finds it made and carries on.
DO $$
BEGIN
    BEGIN
        CREATE ROLE beatdesk_reporter NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE beatdesk_editor NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    IF NOT pg_has_role('beatdesk_editor', 'beatdesk_reporter', 'MEMBER') THEN
        GRANT beatdesk_reporter TO beatdesk_editor;
    END IF;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO beatdesk_reporter;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO beatdesk_reporter;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO beatdesk_reporter;

GRANT INSERT, UPDATE ON beats, records, stories, story_records, record_links,
    story_decisions, settings TO beatdesk_reporter;
GRANT INSERT, UPDATE, DELETE ON sources TO beatdesk_reporter;
GRANT DELETE ON story_records TO beatdesk_reporter;
GRANT INSERT ON drafts, exports, audit_log TO beatdesk_reporter;

GRANT INSERT ON signoffs, target_exports TO beatdesk_editor;
GRANT INSERT, UPDATE ON targets TO beatdesk_editor;

-- A story becomes approved or exported only by an editor's hand: a
-- reporter's UPDATE of the status is refused here, not only in the app.
CREATE FUNCTION beatdesk_editor_statuses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('approved', 'exported')
       AND (TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status)
       AND NOT pg_has_role(session_user, 'beatdesk_editor', 'MEMBER') THEN
        RAISE EXCEPTION 'only an editor may set a story to %', NEW.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER stories_editor_statuses BEFORE INSERT OR UPDATE OF status ON stories
    FOR EACH ROW EXECUTE FUNCTION beatdesk_editor_statuses();
