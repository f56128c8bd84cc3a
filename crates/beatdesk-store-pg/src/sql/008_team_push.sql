-- `team push`: which laptop row became which store row, so a second push
-- adds nothing. `origin` names one beat of one laptop (its creation time and
-- local id); `original_actor` keeps who did it on the laptop where the
-- store's own `actor` column is stamped with the login that pushed.
CREATE TABLE push_map (
    origin         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    local_id       BIGINT NOT NULL,
    remote_id      BIGINT NOT NULL,
    original_actor TEXT,
    pushed_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    pushed_by      TEXT NOT NULL DEFAULT session_user,
    PRIMARY KEY (origin, kind, local_id)
);
CREATE INDEX push_map_remote ON push_map(kind, remote_id);

CREATE FUNCTION beatdesk_stamp_pushed_by() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.pushed_by := session_user;
    RETURN NEW;
END
$$;

-- The map is history too: rows are added, never changed.
CREATE TRIGGER push_map_no_change BEFORE UPDATE OR DELETE ON push_map
    FOR EACH ROW EXECUTE FUNCTION beatdesk_refuse('the push map is append-only');
CREATE TRIGGER push_map_pushed_by BEFORE INSERT ON push_map
    FOR EACH ROW EXECUTE FUNCTION beatdesk_stamp_pushed_by();

GRANT SELECT, INSERT ON push_map TO beatdesk_reporter;
