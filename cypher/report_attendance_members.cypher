// For a policy report's attendance (graph/cypher_report.py; graph/attendance.py: participation):
// how many members of these committees are current on $day, those of them who took part in
// none of this year's activities of these committees (started from $year_start to $day), and
// how many such activities there are. A member took part in an activity when its $involves
// relationship from the activity records it as $attended, or when the activity records no one's
// attendance: $unrecorded, the ids report_attendance_unrecorded.cypher found (a parameter, so
// that a member's activities are looked up in it, not searched for again).
UNWIND $committee_ids AS committee_id
MATCH (m:Member {committee_id: committee_id})
WHERE (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
WITH m, NOT EXISTS {
  MATCH (m)<-[r]-(a:Activity)
  WHERE type(r) = $involves
    AND (a.id IN $unrecorded
         OR (r.attendance = $attended AND a.committee_id IN $committee_ids
             AND $year_start <= a.start_date AND a.start_date <= $day))
} AS idle
WITH count(m) AS members, collect(CASE WHEN idle THEN m {.id, .name, .committee_id, .sector} END) AS idle
RETURN members, idle, COUNT {
  MATCH (a:Activity)
  WHERE a.committee_id IN $committee_ids AND $year_start <= a.start_date AND a.start_date <= $day
} AS activities
