// The marker of an unfinished import written in bounded transactions (graph/bolt_loads.py):
// how many of its steps are in, of how many, and the roster it is writing (its fingerprint).
// No row: no such import is under way.
MATCH (s:Sequence {name: $name})
RETURN s.value AS done, s.steps AS steps, s.key AS key, s.fresh AS fresh, s.counts AS counts,
       s.first AS first, s.journal AS journal, s.started AS started
