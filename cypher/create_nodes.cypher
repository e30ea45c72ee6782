// Create a batch of nodes of one kind in a store that holds none yet (a first bulk import:
// no match against the uniqueness constraint per row, as MERGE does).
UNWIND $rows AS row
CREATE (n:{kind})
SET n = row.props, n.id = row.id
