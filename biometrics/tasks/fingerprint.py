"""Fingerprint tasks (queue biometrics)."""
