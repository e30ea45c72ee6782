// Questions about one committee start from its nodes.
CREATE INDEX IF NOT EXISTS FOR (n:{kind}) ON (n.committee_id)
