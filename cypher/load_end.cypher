// The last transaction of an import in bounded transactions: the marker goes, and the
// whole new roster is there for every reader at once.
MATCH (s:Sequence {name: $name})
DELETE s
