// The keys of the edges of one kind leaving these nodes (to tell new edges from updates).
UNWIND $srcs AS src_id
MATCH (a:{src} {id: src_id})-[r:{rel}]->(b:{dst})
RETURN a.id AS src, b.id AS dst, r.key AS key
