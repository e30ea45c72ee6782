// The liaisons into these nodes of one kind (the sectors, groups and organisations
// outside a committee's part where its members sit), with their sources' properties.
UNWIND $ids AS node_id
MATCH (b:{kind} {id: node_id})<-[r:LIAISES_WITH]-(a)
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, properties(a) AS src_props, labels(b) AS dst_labels,
       b.id AS dst, properties(r) AS props
