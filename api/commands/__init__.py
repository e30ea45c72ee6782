"""The ``liaison`` commands, grouped by what they do; ``api/cli.py`` gathers them into one
command line. Each translates its options into a verb's call (``api/verbs/``) and the
result into text, JSON, CSV or a workbook."""
