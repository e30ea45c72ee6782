// The properties of the nodes of one kind with these ids.
UNWIND $ids AS node_id
MATCH (n:{kind} {id: node_id})
RETURN n.id AS id, properties(n) AS props
