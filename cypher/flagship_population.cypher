// Members of these committees holding on $day, CPC ($cpc true) or not, counted by committee:
// those a flagship rule applies to.
UNWIND $committee_ids AS committee_id
MATCH (m:Member {committee_id: committee_id})
WHERE m.cpc = $cpc
  AND (m.start_date IS NULL OR m.start_date <= $day)
  AND (m.end_date IS NULL OR $day <= m.end_date)
RETURN m.committee_id AS committee_id, count(m) AS total
