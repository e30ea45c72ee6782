// The liaisons ({rel}, from {src} to {dst}) of a page, by their two ends and key: their
// properties and the names of their two ends.
UNWIND $rows AS row
MATCH (a:{src} {id: row.src})-[r:{rel} {key: row.key}]->(b:{dst} {id: row.dst})
RETURN a.id AS src, b.id AS dst, r.key AS key, properties(r) AS props, a.name AS src_name, b.name AS dst_name
