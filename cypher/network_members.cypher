// For the network figures (graph/cypher_network.py): the members of these committees
// current on $day, with their properties.
UNWIND $committee_ids AS committee_id
MATCH (m:Member {committee_id: committee_id})
WHERE (m.start_date IS NULL OR m.start_date <= $day)
  AND (m.end_date IS NULL OR $day <= m.end_date)
RETURN labels(m) AS labels, properties(m) AS props
