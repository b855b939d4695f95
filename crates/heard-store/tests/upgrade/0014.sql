-- Upgrade fixture for 0014 (data protection): a retention rule, a withdrawal's record (counts
-- only) and a media file waiting to be removed. Synthetic.

INSERT INTO retention_rules (source_kind, keep_days, erase, set_by, set_at)
SELECT 'field_note', 730, 'original', id, '2024-03-01T09:00:00Z' FROM users WHERE email = 'ada.fixture@upgrade.heard.example';

INSERT INTO erasures (programme_id, participant_id, reason, purpose, sources, originals, excerpts, codings, quotes,
                      form_answers, media_files, actor_id, at, scrubbed_at)
SELECT p.id, c.id, 'withdrawal', 'filming', 0, 0, 0, 0, 0, 0, 1, u.id, '2024-03-02T09:00:00Z', '2024-03-02T09:01:00Z'
FROM programmes p, participants c, users u
WHERE p.slug = 'upgrade-trial' AND c.pseudonym_key = 'carer fixture-b (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO media_erasures (address, queued_at)
VALUES ('5b0c6dd8a4f1e2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f708192a3b4c5', '2024-03-02T09:00:00Z');
