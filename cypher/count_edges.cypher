MATCH ()-[r:{rel}]->()
RETURN count(r) AS n
