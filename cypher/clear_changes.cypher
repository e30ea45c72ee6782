// One batch of a `clear`: up to $batch entries of the change feed deleted (the feed's
// sequence stays, so its numbers go on, as the embedded store's do).
MATCH (c:ChangeEntry)
WITH c LIMIT $batch
DELETE c
RETURN count(*) AS deleted
