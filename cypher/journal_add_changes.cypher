// Append change-feed entries (one per write and committee).
UNWIND $rows AS row
CREATE (c:ChangeEntry)
SET c = row
