// One step of an import in bounded transactions is in: the marker moves on, in the step's
// own transaction.
MATCH (s:Sequence {name: $name})
SET s.value = $done
