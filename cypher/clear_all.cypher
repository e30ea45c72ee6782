// Empty the database (tests and `liaison sync --replace`).
MATCH (n)
DETACH DELETE n
