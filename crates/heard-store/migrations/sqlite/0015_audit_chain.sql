-- The audit log becomes append-only and hash-chained (issue 8). Each entry carries a kind (for
-- filtering), the SHA-256 of the entry before it (prev_hash) and its own (hash), computed by the
-- store (heard_domain::audit). actor_id no longer references users: an entry keeps naming the user
-- who acted after the account is gone. Entries written before this migration are sealed into the
-- chain by `Store::migrate`, the one UPDATE the triggers allow (from no hash to a hash, nothing
-- else changed).
CREATE TABLE audit_events_chained (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor_id  INTEGER,
    kind      TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    prev_hash TEXT,
    hash      TEXT
);

INSERT INTO audit_events_chained (id, at, actor_id, kind, action, subject)
SELECT id, at, actor_id,
       CASE
           WHEN action IN ('source.original_viewed', 'project.exported_with_originals') THEN 'original_viewed'
           WHEN action = 'participant.contact_viewed' THEN 'contact_viewed'
           WHEN action IN ('consent.given', 'consent.withdrawn') THEN 'consent'
           WHEN action LIKE 'user.%' OR action LIKE 'api\_token.%' ESCAPE '\' THEN 'access_change'
           ELSE 'change'
       END,
       action, subject
FROM audit_events;

DROP TABLE audit_events;
ALTER TABLE audit_events_chained RENAME TO audit_events;

CREATE INDEX audit_events_kind ON audit_events (kind, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
CREATE INDEX audit_events_at ON audit_events (at);

CREATE TRIGGER audit_events_chained_insert BEFORE INSERT ON audit_events
WHEN NEW.hash IS NULL OR NEW.prev_hash IS NULL
BEGIN
    SELECT RAISE(ABORT, 'audit entries are hash-chained: write them through the store''s audit append');
END;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN OLD.hash IS NOT NULL OR NEW.hash IS NULL OR NEW.prev_hash IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id
  OR NEW.kind IS NOT OLD.kind OR NEW.action IS NOT OLD.action OR NEW.subject IS NOT OLD.subject
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
