// For a policy report's attendance (graph/cypher_report.py; graph/attendance.py: participation):
// this year's participations of the current members of these committees, as
// report_attendance.cypher finds and counts them (same parameters), counted by each activity
// group the member sits in on $day (a $group relationship holding on $day, to a group current
// on $day: one of the $termed kinds between its dates, any other always), the column and the
// attendance; each group with its id, name and committee.
UNWIND $committee_ids AS committee_id
MATCH (a:Activity {committee_id: committee_id})-[r]->(m:Member)
WHERE type(r) = $involves AND $year_start <= a.start_date AND a.start_date <= $day
  AND m.committee_id IN $committee_ids
  AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
WITH m, CASE WHEN r.attendance IS NULL OR r.attendance = $blank THEN $invited ELSE r.attendance END AS status
MATCH (m)-[s]->(g)
WHERE type(s) = $group
  AND (s.start_date IS NULL OR s.start_date <= $day) AND (s.end_date IS NULL OR $day <= s.end_date)
  AND (NOT any(label IN labels(g) WHERE label IN $termed)
       OR ((g.start_date IS NULL OR g.start_date <= $day) AND (g.end_date IS NULL OR $day <= g.end_date)))
UNWIND [CASE WHEN coalesce(m.cpc, false) THEN $who[0] ELSE $who[1] END]
       + CASE WHEN (CASE WHEN m.position IS NULL OR m.position = $blank THEN $default_position
                         ELSE m.position END) IN $standing THEN [$who[2]] ELSE [] END AS who
WITH g, who, status, count(*) AS participations
RETURN g {.id, .name, .committee_id} AS item, who, status, participations
