// The edges of the kinds $rels leaving these nodes of one kind, with their far ends'
// properties (what completes a committee's part: see graph.store.complete_part).
UNWIND $ids AS node_id
MATCH (a:{kind} {id: node_id})-[r]->(b)
WHERE type(r) IN $rels
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, labels(b) AS dst_labels, b.id AS dst,
       properties(b) AS dst_props, properties(r) AS props
