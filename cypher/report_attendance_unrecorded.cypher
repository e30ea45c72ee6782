// For a policy report's attendance (graph/cypher_report.py; graph/attendance.py: participation):
// the ids of this year's activities of these committees (started from $year_start to $day)
// that record no one's attendance: each of their $involves relationships, to any member, is
// null, $blank or $invited. Their participants all count as taking part.
UNWIND $committee_ids AS committee_id
MATCH (a:Activity {committee_id: committee_id})
WHERE $year_start <= a.start_date AND a.start_date <= $day
  AND NOT EXISTS {
    MATCH (a)-[o]->(:Member)
    WHERE type(o) = $involves AND o.attendance IS NOT NULL AND o.attendance <> $blank AND o.attendance <> $invited
  }
RETURN a.id AS id
