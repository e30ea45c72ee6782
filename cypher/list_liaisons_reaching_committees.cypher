// The liaisons ({rel}) reaching the nodes of one kind ({dst}) of the given committees, each
// sought in the committee index, with the committee of their source.
UNWIND $committee_ids AS committee_id
MATCH (b:{dst} {committee_id: committee_id})<-[r:{rel}]-(a)
RETURN a.id AS src, labels(b) AS dst_labels, b.id AS dst, r.key AS key, r.start_date AS start_date,
       r.end_date AS end_date, a.committee_id AS src_committee, b.committee_id AS dst_committee
