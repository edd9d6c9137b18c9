"""Face captures, templates and results."""
