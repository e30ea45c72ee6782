"""Tests of the loaders: reading, checking and building rosters, workbooks as offices write them, hostile files, the template."""
