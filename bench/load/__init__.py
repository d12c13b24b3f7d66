"""The load test of ``bench/load_test.py``: bench-only settings, URLconf, seeding, scenarios."""
