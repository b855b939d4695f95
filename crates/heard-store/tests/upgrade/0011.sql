-- Upgrade fixture for 0011 (learning log): reflections on a stage, an activity and a decision.
-- Synthetic.

INSERT INTO reflections (programme_id, kind, text, written_on, written_by, stage_id, activity_id, decision_id, created_at, updated_at)
SELECT p.id, 'up', 'Parents stayed after the listening event to talk to each other (synthetic reflection).', '2024-01-25', u.id,
       s.id, a.id, NULL, '2024-01-25T09:00:00Z', '2024-01-25T09:00:00Z'
FROM programmes p, stages s, activities a, users u
WHERE p.slug = 'upgrade-trial' AND s.programme_id = p.id AND s.position = 1
  AND a.title = 'Fixture listening event (synthetic)' AND u.email = 'fen.facilitator@upgrade.heard.example';
INSERT INTO reflections (programme_id, kind, text, written_on, written_by, stage_id, activity_id, decision_id, created_at, updated_at)
SELECT p.id, 'lesson', 'Ask the board for the budget before the day, not after (synthetic reflection).', '2024-02-27', u.id,
       NULL, NULL, d.id, '2024-02-27T09:00:00Z', '2024-02-27T10:00:00Z'
FROM programmes p, decisions d, users u
WHERE p.slug = 'upgrade-trial' AND d.title = 'Fixture front door (synthetic)' AND u.email = 'cal.commissioner@upgrade.heard.example';
