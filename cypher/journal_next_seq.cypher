// Reserve $n numbers of a named sequence (the change feed's cursor, the audit trail's
// order); the write lock on the sequence node orders concurrent writers.
MERGE (s:Sequence {name: $name})
SET s.value = coalesce(s.value, 0) + $n
RETURN s.value AS value
