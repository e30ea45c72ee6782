// Every liaison, contact and membership ($rels) reaching a node of one kind of the given
// committees from a node outside them, with the source's properties: a party member of
// another committee may be the one who covers a member here, record the talks that make
// it effective, or sit in an organisation here. It starts from the committees' nodes
// (through the committee index).
UNWIND $committee_ids AS committee_id
MATCH (b:{kind} {committee_id: committee_id})<-[r]-(a)
WHERE type(r) IN $rels
  AND NOT a.committee_id IN $committee_ids
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, properties(a) AS src_props, labels(b) AS dst_labels,
       b.id AS dst, properties(r) AS props
