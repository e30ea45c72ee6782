// Take the write lock on one node before comparing its version (ETag) in this transaction.
MATCH (n:{kind} {id: $id})
SET n.`_lock` = true
REMOVE n.`_lock`
RETURN properties(n) AS props
