// The indexes the database holds and whether each is ready (a read: the reader role may list them).
SHOW INDEXES YIELD labelsOrTypes, properties, state
