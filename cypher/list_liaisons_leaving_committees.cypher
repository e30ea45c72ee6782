// The liaisons ({rel}) leaving the members ({src}) of the given committees, each sought in
// the committee index, with the committee of their far end (graph/lookups.py: the rows a
// list of liaisons is chosen from).
UNWIND $committee_ids AS committee_id
MATCH (a:{src} {committee_id: committee_id})-[r:{rel}]->(b)
RETURN a.id AS src, labels(b) AS dst_labels, b.id AS dst, r.key AS key, r.start_date AS start_date,
       r.end_date AS end_date, a.committee_id AS src_committee, b.committee_id AS dst_committee
