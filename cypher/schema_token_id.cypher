// The service's own records (change feed, audit trail, API tokens) beside the graph.
CREATE CONSTRAINT IF NOT EXISTS FOR (n:ApiToken) REQUIRE n.id IS UNIQUE
