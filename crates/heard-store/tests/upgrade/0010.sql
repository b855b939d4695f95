-- Upgrade fixture for 0010 (decisions): a board's decision compared with the Deliberation Day,
-- taking up the recommended proposition, the one open for deliberation (a departure, with its
-- reason) and the one commissioned by hand; the public page published. Synthetic.

INSERT INTO decisions (programme_id, title, service_change, budget_pence, period_start, period_end, decided_by_kind, decided_by,
                       decided_on, rationale, version, deliberation_id, created_by, created_at, updated_at)
SELECT p.id, 'Fixture front door (synthetic)', 'Commission one number for families, answered within a day.', 4250050,
       '2024-04-01', '2025-03-31', 'board', 'Upgradeshire Commissioning Board (synthetic)', '2024-02-26',
       'Families told us they wait weeks; the room favoured one number (synthetic).', 1, d.id, u.id,
       '2024-02-26T16:00:00Z', '2024-02-26T16:00:00Z'
FROM programmes p, deliberations d, users u
WHERE p.slug = 'upgrade-trial' AND d.join_code = 'FX7WP2' AND u.email = 'cal.commissioner@upgrade.heard.example';

INSERT INTO decision_propositions (decision_id, proposition_id)
SELECT d.id, p.id FROM decisions d, propositions p
WHERE d.title = 'Fixture front door (synthetic)'
  AND p.title_key IN ('one number for every family (synthetic)', 'a shorter referral form (synthetic)', 'a grandparents drop-in (synthetic)');

INSERT INTO decision_departures (decision_id, proposition_id, kind, rank, ranked, reason)
SELECT d.id, p.id, 'not_favoured', 2, 2, 'The short form costs little and the clinic asked for it (synthetic).'
FROM decisions d, propositions p
WHERE d.title = 'Fixture front door (synthetic)' AND p.title_key = 'a shorter referral form (synthetic)';

INSERT INTO publications (programme_id, published_at, published_by, updated_at)
SELECT p.id, '2024-02-28T09:00:00Z', u.id, '2024-02-28T09:00:00Z' FROM programmes p, users u
WHERE p.slug = 'upgrade-trial' AND u.email = 'cal.commissioner@upgrade.heard.example';
