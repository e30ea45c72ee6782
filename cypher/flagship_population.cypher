// Members of these committees holding on $day, CPC ($cpc true) or not, counted by committee:
// those a flagship rule applies to.
MATCH (m:Member)
WHERE m.committee_id IN $committee_ids
  AND m.cpc = $cpc
  AND (m.start_date IS NULL OR m.start_date <= $day)
  AND (m.end_date IS NULL OR $day <= m.end_date)
RETURN m.committee_id AS committee_id, count(m) AS total
