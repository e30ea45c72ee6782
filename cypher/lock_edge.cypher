// Take the write lock on one edge before comparing its version (ETag) in this transaction.
MATCH (a:{src} {id: $src})-[r:{rel} {key: $key}]->(b:{dst} {id: $dst})
SET r.`_lock` = true
REMOVE r.`_lock`
RETURN properties(r) AS props
