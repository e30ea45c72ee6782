// For a policy report (graph/cypher_report.py): the liaisons holding on $day from a current
// member of these committees to a current member, older than the window (started before
// $since, or at an unknown time) and with no contact between the two from $since to $day;
// each with the last contact on or before $day (null: none); a contact under review counts nowhere.
UNWIND $committee_ids AS committee_id
MATCH (m:Member {committee_id: committee_id})-[l:LIAISES_WITH]->(t:Member)
WHERE (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
  AND (t.start_date IS NULL OR t.start_date <= $day) AND (t.end_date IS NULL OR $day <= t.end_date)
  AND (l.start_date IS NULL OR l.start_date <= $day) AND (l.end_date IS NULL OR $day <= l.end_date)
  AND (l.start_date IS NULL OR l.start_date < $since)
WITH m, l, t, [(m)-[k:CONTACTED]-(t) WHERE k.date <= $day AND k.review IS NULL | k.date] AS dates
WITH m, l, t, reduce(last = null, d IN dates | CASE WHEN last IS NULL OR d > last THEN d ELSE last END) AS last
WHERE last IS NULL OR last < $since
RETURN m.id AS from_id, m.name AS from_name, t.id AS to_id, t.name AS to_name, m.committee_id AS committee_id,
       l.mechanism AS mechanism, l.start_date AS start_date, last
