// The constraints the database holds (a read: the reader role may list them).
SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type
