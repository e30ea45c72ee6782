// The memberships ($rels) of these members (from outside a committee's part, who liaise
// with it: affinity compares what they sit in), with what they sit in.
UNWIND $ids AS node_id
MATCH (a:Member {id: node_id})-[r]->(b)
WHERE type(r) IN $rels
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, labels(b) AS dst_labels, b.id AS dst,
       properties(b) AS dst_props, properties(r) AS props
