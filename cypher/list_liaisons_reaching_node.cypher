// The liaisons ({rel}) reaching one node ({dst}), with the committees of their two ends.
MATCH (b:{dst} {id: $id})<-[r:{rel}]-(a)
RETURN a.id AS src, labels(b) AS dst_labels, b.id AS dst, r.key AS key, r.start_date AS start_date,
       r.end_date AS end_date, a.committee_id AS src_committee, b.committee_id AS dst_committee
