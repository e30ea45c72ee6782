// Create a batch of edges of one kind between two node kinds, in a store that held no
// graph before this transaction (a first bulk import).
UNWIND $rows AS row
MATCH (a:{src} {id: row.src})
MATCH (b:{dst} {id: row.dst})
CREATE (a)-[r:{rel}]->(b)
SET r = row.props
