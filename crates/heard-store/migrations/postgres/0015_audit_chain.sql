-- The audit log becomes append-only and hash-chained (issue 8). Each entry carries a kind (for
-- filtering), the SHA-256 of the entry before it (prev_hash) and its own (hash), computed by the
-- store (heard_domain::audit) while it holds an advisory lock, so appends are serialised. actor_id
-- no longer references users: an entry keeps naming the user who acted after the account is gone.
-- Entries written before this migration are sealed into the chain by `Store::migrate`, the one
-- UPDATE the trigger allows (from no hash to a hash, nothing else changed).
ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_actor_id_fkey;
ALTER TABLE audit_events
    ADD COLUMN kind TEXT NOT NULL DEFAULT 'change',
    ADD COLUMN prev_hash TEXT,
    ADD COLUMN hash TEXT;

UPDATE audit_events SET kind = CASE
    WHEN action IN ('source.original_viewed', 'project.exported_with_originals') THEN 'original_viewed'
    WHEN action = 'participant.contact_viewed' THEN 'contact_viewed'
    WHEN action IN ('consent.given', 'consent.withdrawn') THEN 'consent'
    WHEN action LIKE 'user.%' OR action LIKE 'api\_token.%' ESCAPE '\' THEN 'access_change'
    ELSE 'change'
END;
ALTER TABLE audit_events ALTER COLUMN kind DROP DEFAULT;

CREATE INDEX audit_events_kind ON audit_events (kind, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
CREATE INDEX audit_events_at ON audit_events (at);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.hash IS NULL OR NEW.prev_hash IS NULL THEN
            RAISE EXCEPTION 'audit entries are hash-chained: write them through the store''s audit append';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
       AND (NEW.id, NEW.at, NEW.actor_id, NEW.kind, NEW.action, NEW.subject)
           IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id, OLD.kind, OLD.action, OLD.subject) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;

CREATE TRIGGER audit_events_append_only BEFORE INSERT OR UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
