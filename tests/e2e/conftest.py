"""Browser fixtures (`browser`, `page`, `axe_check`) live in tests/conftest.py, shared by every app's
browser tests: a second Playwright instance in the same session would fail."""
