// The numbers of some named sequences (0 for one not begun): what the committee and token
// tables a store keeps were read at (graph/bolt_tables.py).
UNWIND $names AS name
OPTIONAL MATCH (s:Sequence {name: name})
RETURN name, coalesce(s.value, 0) AS value
