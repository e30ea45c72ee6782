CREATE (t:ApiToken)
SET t = $row
