-- Upgrade fixture for 0008 (propositions): one recommended after an edit (two versions, three
-- status changes, shapers, evidence of each kind), one open for deliberation, one merged into the
-- first, and one a commissioner commissioned by hand. Synthetic.

INSERT INTO propositions (programme_id, title, title_key, proposed_change, status, version, created_by, created_at, updated_at)
SELECT p.id, 'One number for every family (synthetic)', 'one number for every family (synthetic)',
       'Families call one number, answered within a day, whichever service they need.', 'recommended', 2, u.id,
       '2024-02-16T09:00:00Z', '2024-02-19T09:00:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO propositions (programme_id, title, title_key, proposed_change, status, version, created_by, created_at, updated_at)
SELECT p.id, 'A shorter referral form (synthetic)', 'a shorter referral form (synthetic)',
       'One referral form of a page, shared by health and early help.', 'open_for_deliberation', 1, u.id,
       '2024-02-16T09:30:00Z', '2024-02-17T09:00:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO propositions (programme_id, title, title_key, proposed_change, status, version, created_by, created_at, updated_at)
SELECT p.id, 'Weekend cover for the inbox (synthetic)', 'weekend cover for the inbox (synthetic)',
       'Someone reads the referral inbox at weekends.', 'withdrawn', 1, u.id,
       '2024-02-16T10:00:00Z', '2024-02-18T09:00:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO propositions (programme_id, title, title_key, proposed_change, status, version, created_by, created_at, updated_at)
SELECT p.id, 'A grandparents drop-in (synthetic)', 'a grandparents drop-in (synthetic)',
       'A weekly drop-in for grandparents who do the school run.', 'commissioned', 1, u.id,
       '2024-02-16T10:30:00Z', '2024-02-20T09:00:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'cal.commissioner@upgrade.heard.example';

INSERT INTO proposition_versions (proposition_id, version, title, proposed_change, note, edited_by, edited_at)
SELECT id, 1, title, 'Families call one number.', NULL, created_by, created_at FROM propositions;
UPDATE proposition_versions SET proposed_change = (SELECT p.proposed_change FROM propositions p WHERE p.id = proposition_versions.proposition_id)
WHERE proposition_id IN (SELECT id FROM propositions WHERE title_key <> 'one number for every family (synthetic)');
INSERT INTO proposition_versions (proposition_id, version, title, proposed_change, note, edited_by, edited_at)
SELECT p.id, 2, p.title, p.proposed_change, 'Parents asked for an answer within a day (synthetic).', u.id, '2024-02-19T09:00:00Z'
FROM propositions p, users u WHERE p.title_key = 'one number for every family (synthetic)' AND u.email = 'fen.facilitator@upgrade.heard.example';

INSERT INTO proposition_status_changes (proposition_id, from_status, to_status, note, changed_by, changed_at)
SELECT id, NULL, 'draft', NULL, created_by, created_at FROM propositions;
INSERT INTO proposition_status_changes (proposition_id, from_status, to_status, note, changed_by, changed_at)
SELECT id, 'draft', 'open_for_deliberation', 'Ready for the day (synthetic)', created_by, '2024-02-17T09:00:00Z'
FROM propositions WHERE title_key IN ('one number for every family (synthetic)', 'a shorter referral form (synthetic)');
INSERT INTO proposition_status_changes (proposition_id, from_status, to_status, note, changed_by, changed_at)
SELECT p.id, 'open_for_deliberation', 'recommended', 'The room favoured it (synthetic)', u.id, '2024-02-19T09:30:00Z'
FROM propositions p, users u WHERE p.title_key = 'one number for every family (synthetic)' AND u.email = 'fen.facilitator@upgrade.heard.example';
INSERT INTO proposition_status_changes (proposition_id, from_status, to_status, note, changed_by, changed_at)
SELECT id, 'draft', 'withdrawn', 'Merged (synthetic)', created_by, '2024-02-18T09:00:00Z'
FROM propositions WHERE title_key = 'weekend cover for the inbox (synthetic)';
INSERT INTO proposition_status_changes (proposition_id, from_status, to_status, note, changed_by, changed_at)
SELECT id, 'draft', 'commissioned', 'Commissioned by hand (synthetic)', created_by, '2024-02-20T09:00:00Z'
FROM propositions WHERE title_key = 'a grandparents drop-in (synthetic)';

INSERT INTO proposition_shapers (proposition_id, kind, activity_id, count, added_by, added_at)
SELECT p.id, 'parent', a.id, 9, u.id, '2024-02-16T11:00:00Z' FROM propositions p, activities a, users u
WHERE p.title_key = 'one number for every family (synthetic)' AND a.title = 'Fixture listening event (synthetic)'
  AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO proposition_shapers (proposition_id, kind, activity_id, count, added_by, added_at)
SELECT p.id, 'practitioner', NULL, 2, u.id, '2024-02-16T11:01:00Z' FROM propositions p, users u
WHERE p.title_key = 'one number for every family (synthetic)' AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO proposition_evidence (proposition_id, insight_id, factor_id, signal_id, added_by, added_at)
SELECT p.id, i.id, NULL, NULL, u.id, '2024-02-16T11:10:00Z' FROM propositions p, insights i, users u
WHERE p.title_key = 'one number for every family (synthetic)' AND i.statement LIKE 'Families wait weeks%'
  AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO proposition_evidence (proposition_id, insight_id, factor_id, signal_id, added_by, added_at)
SELECT p.id, NULL, f.id, NULL, u.id, '2024-02-16T11:11:00Z' FROM propositions p, factors f, users u
WHERE p.title_key = 'one number for every family (synthetic)' AND f.label_key = 'referrals go to one inbox (synthetic)'
  AND u.email = 'rae.researcher@upgrade.heard.example';
INSERT INTO proposition_evidence (proposition_id, insight_id, factor_id, signal_id, added_by, added_at)
SELECT p.id, NULL, NULL, s.id, u.id, '2024-02-16T11:12:00Z' FROM propositions p, signals s, users u
WHERE p.title_key = 'a grandparents drop-in (synthetic)' AND s.title = 'Grandparents doing the school run (synthetic)'
  AND u.email = 'rae.researcher@upgrade.heard.example';

INSERT INTO proposition_lineage (kind, from_proposition_id, to_proposition_id, note, recorded_by, recorded_at)
SELECT 'merge', f.id, t.id, 'Weekend cover is part of one number (synthetic)', u.id, '2024-02-18T09:00:00Z'
FROM propositions f, propositions t, users u
WHERE f.title_key = 'weekend cover for the inbox (synthetic)' AND t.title_key = 'one number for every family (synthetic)'
  AND u.email = 'rae.researcher@upgrade.heard.example';
