// For the network figures (graph/cypher_network.py): the {rel} edges holding on $day that
// reach the members of these committees current on $day from a member current on $day,
// with the source.
UNWIND $committee_ids AS committee_id
MATCH (m:Member {committee_id: committee_id})
WHERE (m.start_date IS NULL OR m.start_date <= $day)
  AND (m.end_date IS NULL OR $day <= m.end_date)
MATCH (m)<-[r:{rel}]-(s:Member)
WHERE (r.start_date IS NULL OR r.start_date <= $day)
  AND (r.end_date IS NULL OR $day <= r.end_date)
  AND (s.start_date IS NULL OR s.start_date <= $day)
  AND (s.end_date IS NULL OR $day <= s.end_date)
RETURN type(r) AS rel, labels(s) AS src_labels, s.id AS src, properties(s) AS src_props, labels(m) AS dst_labels,
       m.id AS dst, properties(r) AS props
