"""Fuzz harness: ``tests/fuzz/harness.py``; bounded run in ``test_fuzz.py``; long mode ``python -m tests.fuzz``."""
