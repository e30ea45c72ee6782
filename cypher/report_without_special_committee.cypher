// For a policy report (graph/cypher_report.py): the members of these committees current on
// $day who sit in no current special committee ($special: the membership type) on $day.
UNWIND $committee_ids AS committee_id
MATCH (m:Member {committee_id: committee_id})
WHERE (m.start_date IS NULL OR m.start_date <= $day) AND (m.end_date IS NULL OR $day <= m.end_date)
  AND NOT EXISTS {
    MATCH (m)-[r]->(g)
    WHERE type(r) = $special
      AND (r.start_date IS NULL OR r.start_date <= $day) AND (r.end_date IS NULL OR $day <= r.end_date)
      AND (NOT any(label IN labels(g) WHERE label IN $termed)
           OR ((g.start_date IS NULL OR g.start_date <= $day) AND (g.end_date IS NULL OR $day <= g.end_date)))
  }
RETURN m {.id, .name, .committee_id, .sector} AS item
