-- Upgrade fixture for 0012 (outcomes): two outcomes of the decision, one to bring down, with
-- measurements and a review still due. Synthetic.

INSERT INTO outcomes (decision_id, indicator, unit, baseline, target, weight, created_by, created_at)
SELECT d.id, 'Days from first call to first contact (synthetic)', 'days', 42, 7, 3, u.id, '2024-02-26T16:30:00Z'
FROM decisions d, users u WHERE d.title = 'Fixture front door (synthetic)' AND u.email = 'cal.commissioner@upgrade.heard.example';
INSERT INTO outcomes (decision_id, indicator, unit, baseline, target, weight, created_by, created_at)
SELECT d.id, 'Families who say they were listened to (synthetic)', '%', 40, 80, 1, u.id, '2024-02-26T16:31:00Z'
FROM decisions d, users u WHERE d.title = 'Fixture front door (synthetic)' AND u.email = 'cal.commissioner@upgrade.heard.example';

INSERT INTO outcome_measurements (outcome_id, value, measured_on, note, recorded_by, recorded_at)
SELECT o.id, 35, '2024-06-30', NULL, u.id, '2024-07-01T09:00:00Z' FROM outcomes o, users u
WHERE o.indicator LIKE 'Days from first call%' AND u.email = 'cal.commissioner@upgrade.heard.example';
INSERT INTO outcome_measurements (outcome_id, value, measured_on, note, recorded_by, recorded_at)
SELECT o.id, 21, '2024-09-30', 'After the weekend rota began (synthetic).', u.id, '2024-10-01T09:00:00Z' FROM outcomes o, users u
WHERE o.indicator LIKE 'Days from first call%' AND u.email = 'cal.commissioner@upgrade.heard.example';

INSERT INTO outcome_reviews (outcome_id, review_on, reviewed_at, reviewed_by, note)
SELECT o.id, '2024-07-15', '2024-07-16T09:00:00Z', u.id, 'On track (synthetic).' FROM outcomes o, users u
WHERE o.indicator LIKE 'Days from first call%' AND u.email = 'cal.commissioner@upgrade.heard.example';
INSERT INTO outcome_reviews (outcome_id, review_on, reviewed_at, reviewed_by, note)
SELECT o.id, '2024-12-16', NULL, NULL, NULL FROM outcomes o WHERE o.indicator LIKE 'Days from first call%';
