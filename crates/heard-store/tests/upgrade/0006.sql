-- Upgrade fixture for 0006 (cause maps): a map with its central event, two causes, arrows, a tag,
-- and evidence from an insight and an excerpt. Synthetic.

INSERT INTO cause_maps (programme_id, title, title_key, version, created_by, created_at, updated_at)
SELECT p.id, 'Why families wait (synthetic)', 'why families wait (synthetic)', 2, u.id, '2024-02-12T09:00:00Z', '2024-02-12T10:00:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO factors (map_id, label, label_key, description, central, position, version, created_by, created_at)
SELECT m.id, 'Families wait weeks for help (synthetic)', 'families wait weeks for help (synthetic)', NULL, TRUE, 0, 1, u.id, '2024-02-12T09:01:00Z'
FROM cause_maps m, users u WHERE m.title_key = 'why families wait (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO factors (map_id, label, label_key, description, central, position, version, created_by, created_at)
SELECT m.id, 'Referrals go to one inbox (synthetic)', 'referrals go to one inbox (synthetic)', 'Nobody owns the inbox at weekends.', FALSE, 1, 3, u.id, '2024-02-12T09:02:00Z'
FROM cause_maps m, users u WHERE m.title_key = 'why families wait (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO factors (map_id, label, label_key, description, central, position, version, created_by, created_at)
SELECT m.id, 'Forms repeat questions (synthetic)', 'forms repeat questions (synthetic)', NULL, FALSE, 2, 1, u.id, '2024-02-12T09:03:00Z'
FROM cause_maps m, users u WHERE m.title_key = 'why families wait (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO arrows (map_id, from_factor, to_factor, created_by, created_at)
SELECT f.map_id, f.id, t.id, u.id, '2024-02-12T09:10:00Z' FROM factors f, factors t, users u
WHERE f.label_key = 'referrals go to one inbox (synthetic)' AND t.label_key = 'families wait weeks for help (synthetic)'
  AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO arrows (map_id, from_factor, to_factor, created_by, created_at)
SELECT f.map_id, f.id, t.id, u.id, '2024-02-12T09:11:00Z' FROM factors f, factors t, users u
WHERE f.label_key = 'forms repeat questions (synthetic)' AND t.label_key = 'referrals go to one inbox (synthetic)'
  AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO factor_tags (factor_id, tag, tag_key)
SELECT id, 'Process (synthetic)', 'process (synthetic)' FROM factors WHERE label_key = 'referrals go to one inbox (synthetic)';

INSERT INTO factor_evidence (factor_id, insight_id, excerpt_id, added_by, added_at)
SELECT f.id, i.id, NULL, u.id, '2024-02-12T09:20:00Z' FROM factors f, insights i, users u
WHERE f.label_key = 'families wait weeks for help (synthetic)' AND i.statement LIKE 'Families wait weeks%'
  AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO factor_evidence (factor_id, insight_id, excerpt_id, added_by, added_at)
SELECT f.id, NULL, e.id, u.id, '2024-02-12T09:21:00Z' FROM factors f, excerpts e, users u
WHERE f.label_key = 'forms repeat questions (synthetic)' AND e.quote = 'I gave up half way through'
  AND u.email = 'rae.researcher@upgrade.heard.example';
