-- (issue 9) What a new process reads to continue the last analysis pass
-- without scanning the beat: each story's time span (its records' first
-- and last publication, manual sources aside), and indexes over the few
-- records that are not plain kept ones, over records by platform and over
-- the aggregates of a beat's stories that each pass compares.
ALTER TABLE stories ADD COLUMN first_at TEXT;
ALTER TABLE stories ADD COLUMN last_at TEXT;
UPDATE stories SET
  first_at = (SELECT MIN(r.published_at) FROM story_records sr JOIN records r ON r.id = sr.record_id
              WHERE sr.story_id = stories.id AND r.platform <> 'manual'),
  last_at = (SELECT MAX(r.published_at) FROM story_records sr JOIN records r ON r.id = sr.record_id
             WHERE sr.story_id = stories.id AND r.platform <> 'manual');
CREATE INDEX records_unusual ON records(beat_id, id) WHERE status <> 'kept' OR platform = 'manual';
CREATE INDEX records_platform ON records(beat_id, platform);
CREATE INDEX stories_beat_retired ON stories(beat_id, retired, id);
