// Empty the database, tokens and audit trail too: the tests' fresh graph (the product's
// `clear` spares them: clear_kind, clear_changes).
MATCH (n)
DETACH DELETE n
