// Begin an import in bounded transactions: the marker every roster read and write of the
// store checks. Created, never merged: two imports begun at once cannot both hold it (the
// uniqueness constraint on the sequences' names refuses the second).
CREATE (s:Sequence {name: $name})
SET s.value = 0, s.steps = $steps, s.key = $key, s.fresh = $fresh, s.counts = $counts, s.first = $first,
    s.journal = $journal, s.started = $started
