"""Tests of the questions: the gap index against the rules, the report columns, policies, recommendations, the vocabulary."""
