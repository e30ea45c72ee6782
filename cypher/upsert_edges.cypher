// Upsert a batch of edges of one kind between two node kinds, identified by their key.
UNWIND $rows AS row
MATCH (a:{src} {id: row.src})
MATCH (b:{dst} {id: row.dst})
MERGE (a)-[r:{rel} {key: row.key}]->(b)
SET r = row.props
