"""Meeting's pytest fixtures by topic; tests/conftest.py makes them available to every test."""
