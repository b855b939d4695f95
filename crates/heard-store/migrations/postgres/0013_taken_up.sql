-- A proposition taken up by a decision is commissioned, in the same transaction as the decision;
-- when no decision takes it up any more (a decision changed or deleted) it goes back to the status
-- it had. by_decision marks the status changes a decision made, so that only a move to
-- commissioned made by a decision is undone, never one a commissioner made by hand (PostgreSQL).
-- Propositions already taken up are commissioned here, as of their first decision.
-- Never edit once landed; add a new numbered migration instead, in both backends.

ALTER TABLE proposition_status_changes ADD COLUMN by_decision BOOLEAN NOT NULL DEFAULT FALSE;

INSERT INTO proposition_status_changes (proposition_id, from_status, to_status, note, changed_by, changed_at, by_decision)
SELECT p.id, p.status, 'commissioned', 'Taken up by the decision “' || d.title || '”', d.created_by, d.created_at, TRUE
FROM propositions p
JOIN decisions d ON d.id = (
    SELECT t.decision_id FROM decision_propositions t JOIN decisions e ON e.id = t.decision_id
    WHERE t.proposition_id = p.id ORDER BY e.created_at, e.id LIMIT 1)
WHERE p.status <> 'commissioned';

UPDATE propositions SET status = 'commissioned'
WHERE status <> 'commissioned' AND id IN (SELECT proposition_id FROM decision_propositions);
