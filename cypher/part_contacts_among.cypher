// The contacts among these members (from outside a committee's part: those who liaise
// with it and those who sit in its sectors, groups and organisations).
UNWIND $ids AS node_id
MATCH (a:Member {id: node_id})-[r:CONTACTED]->(b:Member)
WHERE b.id IN $ids
RETURN type(r) AS rel, labels(a) AS src_labels, a.id AS src, labels(b) AS dst_labels, b.id AS dst,
       properties(r) AS props
