CREATE INDEX IF NOT EXISTS FOR (n:ChangeEntry) ON (n.seq)
