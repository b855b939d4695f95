-- Upgrade fixture for 0009 (deliberations): a closed pairwise Deliberation Day with three
-- attendees, statements from an insight, a proposition and an attendee, votes, pairwise choices
-- and the questionnaire before and after; and a draft dot-voting day with one attendee's dots.
-- Synthetic.

INSERT INTO deliberations (programme_id, title, held_on, venue, join_code, status, attendee_statements, prioritisation, dots,
                           imported_from, created_by, created_at, opened_at, closed_at)
SELECT p.id, 'Fixture Deliberation Day (synthetic)', '2024-02-19', 'Upgradeshire Library (synthetic venue)', 'FX7WP2', 'closed',
       TRUE, 'pairwise', NULL, NULL, u.id, '2024-02-17T09:00:00Z', '2024-02-19T10:00:00Z', '2024-02-19T15:00:00Z'
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'fen.facilitator@upgrade.heard.example';
INSERT INTO deliberations (programme_id, title, held_on, venue, join_code, status, attendee_statements, prioritisation, dots,
                           imported_from, created_by, created_at, opened_at, closed_at)
SELECT p.id, 'Fixture dot vote (synthetic)', '2024-03-04', NULL, 'FX7DT3', 'draft',
       FALSE, 'dots', 5, NULL, u.id, '2024-02-27T09:00:00Z', NULL, NULL
FROM programmes p, users u WHERE p.slug = 'upgrade-trial' AND u.email = 'fen.facilitator@upgrade.heard.example';

INSERT INTO deliberation_propositions (deliberation_id, proposition_id, position)
SELECT d.id, p.id, 1 FROM deliberations d, propositions p
WHERE d.join_code IN ('FX7WP2', 'FX7DT3') AND p.title_key = 'one number for every family (synthetic)';
INSERT INTO deliberation_propositions (deliberation_id, proposition_id, position)
SELECT d.id, p.id, 2 FROM deliberations d, propositions p
WHERE d.join_code IN ('FX7WP2', 'FX7DT3') AND p.title_key = 'a shorter referral form (synthetic)';

INSERT INTO deliberation_questions (deliberation_id, position, text)
SELECT id, 1, 'Services listen to families like mine (synthetic).' FROM deliberations WHERE join_code = 'FX7WP2';

INSERT INTO attendees (deliberation_id, token_hash, kind, sector, external_id, joined_at)
SELECT id, 'a1f0000000000000000000000000000000000000000000000000000000000001', 'service_user', 'citizen', NULL, '2024-02-19T10:01:00Z'
FROM deliberations WHERE join_code = 'FX7WP2';
INSERT INTO attendees (deliberation_id, token_hash, kind, sector, external_id, joined_at)
SELECT id, 'a1f0000000000000000000000000000000000000000000000000000000000002', 'carer', 'citizen', NULL, '2024-02-19T10:02:00Z'
FROM deliberations WHERE join_code = 'FX7WP2';
INSERT INTO attendees (deliberation_id, token_hash, kind, sector, external_id, joined_at)
SELECT id, 'a1f0000000000000000000000000000000000000000000000000000000000003', 'practitioner', 'health', NULL, '2024-02-19T10:03:00Z'
FROM deliberations WHERE join_code = 'FX7WP2';
INSERT INTO attendees (deliberation_id, token_hash, kind, sector, external_id, joined_at)
SELECT id, 'a1f0000000000000000000000000000000000000000000000000000000000004', 'other', NULL, NULL, '2024-02-27T10:00:00Z'
FROM deliberations WHERE join_code = 'FX7DT3';

INSERT INTO statements (deliberation_id, text, text_key, state, insight_id, proposition_id, attendee_id, external_id,
                        created_by, created_at, moderated_by, moderated_at)
SELECT d.id, i.statement, 'families wait weeks for a first contact (synthetic insight).', 'accepted', i.id, NULL, NULL, NULL,
       u.id, '2024-02-17T09:10:00Z', NULL, NULL
FROM deliberations d, insights i, users u
WHERE d.join_code = 'FX7WP2' AND i.statement LIKE 'Families wait weeks%' AND u.email = 'fen.facilitator@upgrade.heard.example';
INSERT INTO statements (deliberation_id, text, text_key, state, insight_id, proposition_id, attendee_id, external_id,
                        created_by, created_at, moderated_by, moderated_at)
SELECT d.id, 'Families call one number, answered within a day.', 'families call one number, answered within a day.', 'accepted',
       NULL, p.id, NULL, NULL, u.id, '2024-02-17T09:11:00Z', NULL, NULL
FROM deliberations d, propositions p, users u
WHERE d.join_code = 'FX7WP2' AND p.title_key = 'one number for every family (synthetic)' AND u.email = 'fen.facilitator@upgrade.heard.example';
INSERT INTO statements (deliberation_id, text, text_key, state, insight_id, proposition_id, attendee_id, external_id,
                        created_by, created_at, moderated_by, moderated_at)
SELECT d.id, 'Evening appointments would help working parents (synthetic).', 'evening appointments would help working parents (synthetic).',
       'pending', NULL, NULL, a.id, NULL, NULL, '2024-02-19T11:00:00Z', NULL, NULL
FROM deliberations d, attendees a
WHERE d.join_code = 'FX7WP2' AND a.token_hash = 'a1f0000000000000000000000000000000000000000000000000000000000002';

-- Votes: attendee 1 agrees with both accepted statements, 2 agrees and passes, 3 disagrees with the first.
INSERT INTO votes (deliberation_id, attendee_id, statement_id, vote, voted_at)
SELECT a.deliberation_id, a.id, s.id,
       CASE WHEN a.token_hash LIKE '%3' AND s.insight_id IS NOT NULL THEN -1
            WHEN a.token_hash LIKE '%2' AND s.proposition_id IS NOT NULL THEN 0
            ELSE 1 END,
       '2024-02-19T11:30:00Z'
FROM attendees a JOIN statements s ON s.deliberation_id = a.deliberation_id
WHERE s.state = 'accepted' AND a.token_hash LIKE 'a1f%' AND a.token_hash NOT LIKE '%4';

INSERT INTO pairwise_choices (deliberation_id, attendee_id, left_id, right_id, pick, chosen_at)
SELECT a.deliberation_id, a.id, l.id, r.id,
       CASE WHEN a.token_hash LIKE '%3' THEN 'right' ELSE 'left' END, '2024-02-19T13:00:00Z'
FROM attendees a, propositions l, propositions r
WHERE a.deliberation_id = (SELECT id FROM deliberations WHERE join_code = 'FX7WP2')
  AND l.title_key = 'one number for every family (synthetic)' AND r.title_key = 'a shorter referral form (synthetic)';

INSERT INTO dot_votes (deliberation_id, attendee_id, proposition_id, dots)
SELECT a.deliberation_id, a.id, p.id, 3 FROM attendees a, propositions p
WHERE a.token_hash = 'a1f0000000000000000000000000000000000000000000000000000000000004'
  AND p.title_key = 'a shorter referral form (synthetic)';

INSERT INTO questionnaire_answers (deliberation_id, attendee_id, question_id, moment, value, answered_at)
SELECT a.deliberation_id, a.id, q.id, 'pre', 2, '2024-02-19T10:05:00Z'
FROM attendees a JOIN deliberation_questions q ON q.deliberation_id = a.deliberation_id;
INSERT INTO questionnaire_answers (deliberation_id, attendee_id, question_id, moment, value, answered_at)
SELECT a.deliberation_id, a.id, q.id, 'post', 4, '2024-02-19T14:55:00Z'
FROM attendees a JOIN deliberation_questions q ON q.deliberation_id = a.deliberation_id
WHERE a.token_hash NOT LIKE '%3';
