"""Helpers for tests/perf/test_ldap_sync.py, run in subprocesses (each with its own settings and database)."""
