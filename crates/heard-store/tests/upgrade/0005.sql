-- Upgrade fixture for 0005 (coding): the organisation's codebook and the programme's own, an
-- excerpt coded by two researchers (one assisted), a memo, an insight with its evidence, a
-- pending suggestion, a theme run, a code's history and a source's older text version. Synthetic.

INSERT INTO users (email, display_name, role, active, password_hash, created_at)
VALUES ('ros.second@upgrade.heard.example', 'Ros Second Researcher (synthetic)', 'researcher', TRUE,
        '$argon2id$v=19$m=19456,t=2,p=1$0r+JzT+thULh3pwWF4HVIQ$21NcZKL1VG4Ns/iLB9rJPaB5mW639fE4C4nFJMhhKvY',
        '2024-02-10T09:00:00Z');

INSERT INTO codes (programme_id, parent_id, name, name_key, description, colour, merged_into, created_by, created_at)
SELECT NULL, NULL, 'Being heard (synthetic)', 'being heard (synthetic)', 'Shared by every programme', '#4c2c92', NULL, id, '2024-02-01T09:00:00Z'
FROM users WHERE email = 'rae.researcher@upgrade.heard.example';
INSERT INTO codes (programme_id, parent_id, name, name_key, description, colour, merged_into, created_by, created_at)
SELECT p.id, NULL, 'Access to help (synthetic)', 'access to help (synthetic)', 'What stands between a family and help', '#1d70b8', NULL, u.id, '2024-02-01T09:05:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO codes (programme_id, parent_id, name, name_key, description, colour, merged_into, created_by, created_at)
SELECT p.id, c.id, 'Waiting (synthetic)', 'waiting (synthetic)', NULL, '#00703c', NULL, u.id, '2024-02-01T09:06:00Z'
FROM programmes p, codes c, users u
WHERE p.slug = 'upgrade-trial' AND c.name_key = 'access to help (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO code_events (code_id, kind, other_code_id, codings, actor_id, at)
SELECT c.id, 'created', NULL, 0, u.id, c.created_at FROM codes c, users u WHERE u.email = 'rae.researcher@upgrade.heard.example';

-- The listening event note was coded at version 1; a correction made version 2, the same words.
UPDATE sources SET text_version = 2 WHERE title = 'Waiting for a call back (synthetic)';
INSERT INTO source_versions (source_id, version, redacted_text, replaced_by, replaced_at)
SELECT s.id, 1, s.redacted_text, u.id, '2024-02-03T09:00:00Z' FROM sources s, users u
WHERE s.title = 'Waiting for a call back (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO excerpts (source_id, text_version, start_char, end_char, quote, created_by, created_at)
SELECT s.id, 2, 0, 34, 'I waited six weeks for a call back', u.id, '2024-02-04T10:00:00Z' FROM sources s, users u
WHERE s.title = 'Waiting for a call back (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO excerpts (source_id, text_version, start_char, end_char, quote, created_by, created_at)
SELECT s.id, 2, 99, 143, 'Nobody asked my mum, who does the school run', u.id, '2024-02-04T10:05:00Z' FROM sources s, users u
WHERE s.title = 'Waiting for a call back (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO excerpts (source_id, text_version, start_char, end_char, quote, created_by, created_at)
SELECT s.id, 1, 56, 82, 'I gave up half way through', u.id, '2024-02-04T10:10:00Z' FROM sources s, users u
WHERE s.title = 'Finding help (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO codings (excerpt_id, code_id, coded_by, assisted, coded_at)
SELECT e.id, c.id, u.id, FALSE, '2024-02-04T10:01:00Z' FROM excerpts e, codes c, users u
WHERE e.quote = 'I waited six weeks for a call back' AND c.name_key = 'waiting (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO codings (excerpt_id, code_id, coded_by, assisted, coded_at)
SELECT e.id, c.id, u.id, TRUE, '2024-02-11T10:01:00Z' FROM excerpts e, codes c, users u
WHERE e.quote = 'I waited six weeks for a call back' AND c.name_key = 'waiting (synthetic)' AND u.email = 'ros.second@upgrade.heard.example';
INSERT INTO codings (excerpt_id, code_id, coded_by, assisted, coded_at)
SELECT e.id, c.id, u.id, FALSE, '2024-02-04T10:06:00Z' FROM excerpts e, codes c, users u
WHERE e.quote = 'Nobody asked my mum, who does the school run' AND c.name_key = 'being heard (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO codings (excerpt_id, code_id, coded_by, assisted, coded_at)
SELECT e.id, c.id, u.id, FALSE, '2024-02-04T10:11:00Z' FROM excerpts e, codes c, users u
WHERE e.quote = 'I gave up half way through' AND c.name_key = 'access to help (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO memos (programme_id, source_id, code_id, excerpt_id, body, written_by, written_at)
SELECT c.programme_id, NULL, c.id, NULL, 'Waiting and access overlap: agree a rule before the next round (synthetic memo).', u.id, '2024-02-05T09:00:00Z'
FROM codes c, users u WHERE c.name_key = 'waiting (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO insights (programme_id, statement, created_by, created_at, updated_at)
SELECT p.id, 'Families wait weeks for a first contact (synthetic insight).', u.id, '2024-02-06T09:00:00Z', '2024-02-06T09:30:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO insight_evidence (insight_id, excerpt_id, stance, added_by, added_at)
SELECT i.id, e.id, 'supports', u.id, '2024-02-06T09:10:00Z' FROM insights i, excerpts e, users u
WHERE i.statement LIKE 'Families wait weeks%' AND e.quote = 'I waited six weeks for a call back' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO insight_evidence (insight_id, excerpt_id, stance, added_by, added_at)
SELECT i.id, e.id, 'contradicts', u.id, '2024-02-06T09:20:00Z' FROM insights i, excerpts e, users u
WHERE i.statement LIKE 'Families wait weeks%' AND e.quote = 'I gave up half way through' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO coding_suggestions (source_id, code_id, confidence, status, suggested_at)
SELECT s.id, c.id, 0.8125, 'pending', '2024-02-07T09:00:00Z' FROM sources s, codes c
WHERE s.title = 'Notes from the clinic waiting room (synthetic)' AND c.name_key = 'waiting (synthetic)';

INSERT INTO theme_runs (programme_id, seed, sources, created_by, created_at)
SELECT p.id, 42, 2, u.id, '2024-02-08T09:00:00Z' FROM programmes p, users u
WHERE p.slug = 'upgrade-trial' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO themes (run_id, position, top_terms, member_ids, representative_ids, code_id)
SELECT r.id, 0, '["waited","hour","families"]',
       '[' || CAST(MIN(s.id) AS TEXT) || ',' || CAST(MAX(s.id) AS TEXT) || ']', '[' || CAST(MIN(s.id) AS TEXT) || ']', NULL
FROM theme_runs r, sources s
WHERE s.title IN ('Notes from the clinic waiting room (synthetic)', 'A short film of the drop-in (synthetic)')
GROUP BY r.id;
