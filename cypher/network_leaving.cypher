// For the network figures (graph/cypher_network.py): the {rel} edges holding on $day that
// leave the members of these committees current on $day for a target current on $day (a
// node of the $termed kinds holds between its dates; any other always), with the target.
UNWIND $committee_ids AS committee_id
MATCH (m:Member {committee_id: committee_id})-[r:{rel}]->(t)
WHERE (m.start_date IS NULL OR m.start_date <= $day)
  AND (m.end_date IS NULL OR $day <= m.end_date)
  AND (r.start_date IS NULL OR r.start_date <= $day)
  AND (r.end_date IS NULL OR $day <= r.end_date)
  AND (NOT any(label IN labels(t) WHERE label IN $termed)
       OR ((t.start_date IS NULL OR t.start_date <= $day) AND (t.end_date IS NULL OR $day <= t.end_date)))
RETURN type(r) AS rel, labels(m) AS src_labels, m.id AS src, labels(t) AS dst_labels, t.id AS dst,
       properties(t) AS dst_props, properties(r) AS props
