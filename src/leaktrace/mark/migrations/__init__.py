"""Alembic migrations of the mark registry (run by `leaktrace.mark.Registry`, not by hand)."""
