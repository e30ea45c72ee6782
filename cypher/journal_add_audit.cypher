// Append one audit record.
CREATE (a:AuditEntry)
SET a = $row
