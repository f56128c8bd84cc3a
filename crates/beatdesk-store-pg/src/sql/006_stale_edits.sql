-- A revision written on top of a stale one is refused with who wrote the
-- newer one. Revisions of one story are written one at a time (a
-- transaction-scoped advisory lock), so of two desks saving on the same base
-- the second waits, then sees the first's commit and is told whose it is,
-- instead of meeting a bare unique-key error.
CREATE FUNCTION beatdesk_refuse_stale_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    latest RECORD;
BEGIN
    PERFORM pg_advisory_xact_lock((x'62640002'::bigint << 32) | (NEW.story_id & x'ffffffff'::bigint));
    SELECT revision, actor INTO latest FROM drafts
        WHERE story_id = NEW.story_id ORDER BY revision DESC LIMIT 1;
    IF FOUND AND NEW.revision <= latest.revision THEN
        RAISE EXCEPTION 'story % is at revision % by %: reload before saving revision %',
                NEW.story_id, latest.revision, latest.actor, NEW.revision
            USING ERRCODE = 'BD409',
                  DETAIL = jsonb_build_object('story_id', NEW.story_id,
                      'revision', latest.revision, 'actor', latest.actor)::text;
    END IF;
    RETURN NEW;
END
$$;
-- Named to run after `drafts_actor` (triggers fire in name order), though
-- the check does not read NEW.actor.
CREATE TRIGGER drafts_stale BEFORE INSERT ON drafts
    FOR EACH ROW EXECUTE FUNCTION beatdesk_refuse_stale_revision();
