// The edges of the kinds $rels reaching these nodes of one kind, with their sources'
// properties (what completes a committee's part: see graph.store.complete_part).
UNWIND $ids AS node_id
MATCH (b:{kind} {id: node_id})<-[r]-(a)
WHERE type(r) IN $rels
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, properties(a) AS src_props, labels(b) AS dst_labels,
       b.id AS dst, properties(r) AS props
