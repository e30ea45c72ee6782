"""One router per resource; every route under /api/v1 takes the caller's token."""
