// One batch of a `clear` (liaison sync --replace): up to $batch {kind} nodes deleted with
// their relationships. The store repeats it, each batch its own transaction, until none is
// left; tokens, the audit trail and the sequences are not roster kinds and stay.
MATCH (n:{kind})
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted
