"""Registry revisions, oldest first."""
