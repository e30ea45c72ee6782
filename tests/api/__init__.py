"""Tests of the command line, the HTTP API and the page."""
