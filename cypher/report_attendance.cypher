// For a policy report's attendance (graph/cypher_report.py; graph/attendance.py: participation):
// this year's participations of the current members of these committees, counted by the
// member's committee, the column it counts in and the attendance. A participation is an
// $involves relationship from an activity of these committees started from $year_start to $day
// to a member of them current on $day; an attendance that is null or $blank is $invited (the
// member only asked). The columns ($who: CPC, non-CPC, standing; graph/attendance.py: WHO):
// CPC or not by the member's cpc flag, and standing too when its position ($default_position
// when none) is one of $standing.
UNWIND $committee_ids AS committee_id
MATCH (a:Activity {committee_id: committee_id})-[r]->(m:Member)
WHERE type(r) = $involves AND $year_start <= a.start_date AND a.start_date <= $day
  AND m.committee_id IN $committee_ids
  AND (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
WITH m, CASE WHEN r.attendance IS NULL OR r.attendance = $blank THEN $invited ELSE r.attendance END AS status
UNWIND [CASE WHEN coalesce(m.cpc, false) THEN $who[0] ELSE $who[1] END]
       + CASE WHEN (CASE WHEN m.position IS NULL OR m.position = $blank THEN $default_position
                         ELSE m.position END) IN $standing THEN [$who[2]] ELSE [] END AS who
RETURN m.committee_id AS committee_id, who, status, count(*) AS participations
