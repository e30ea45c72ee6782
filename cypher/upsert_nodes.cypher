// Upsert a batch of nodes of one kind; a re-loaded row replaces the node's properties.
UNWIND $rows AS row
MERGE (n:{kind} {id: row.id})
SET n = row.props
