-- (branch store) Citation labels take turns per story on the story's row
-- lock instead of an advisory lock: a transaction-scoped advisory lock per
-- story filled the shared lock table when a full analysis of a large beat
-- (100k records, ~50k stories) wrote every story in one transaction ("out of
-- shared memory"). A row lock lives in the row, not in that table, and
-- still makes two desks adding records to one story take turns.
CREATE OR REPLACE FUNCTION beatdesk_assign_label() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM stories WHERE id = NEW.story_id FOR UPDATE;
    INSERT INTO story_labels (story_id, record_id, label)
    VALUES (NEW.story_id, NEW.record_id,
            (SELECT COALESCE(MAX(label), 0) + 1 FROM story_labels WHERE story_id = NEW.story_id))
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
