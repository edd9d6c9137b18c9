"""Fingerprint captures, templates and results."""
