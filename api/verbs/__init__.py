"""The verbs: one function per thing a caller may ask or do (load, gaps, coverage, reach,
why, diff, network, recommend, accept, the edits, exports, tokens, backup, restore …).

Each takes the store, the caller's scope (``api/verbs/scope.py``: a token's committee and
those below it, or the whole store for the command line) and its parameters, and returns a
typed result. The command line (``api/cli.py``, ``api/commands/``) and the HTTP routes
(``api/routes/``) only translate options and requests into calls, and results into text,
JSON, CSV or workbooks."""
