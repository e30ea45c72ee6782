// Every committee with its properties (the tree is small: a few thousand at most).
MATCH (c:Committee)
RETURN properties(c) AS props
