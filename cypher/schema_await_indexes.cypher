// Wait until every index is online, up to $seconds (`liaison neo4j init`, after creating them).
CALL db.awaitIndexes($seconds)
