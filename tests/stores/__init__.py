"""Tests of the stores: the contract both stores keep, the Bolt store, the journal, backups and restores, crashes, lookups."""
