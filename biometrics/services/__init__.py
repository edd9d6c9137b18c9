"""Writes of the biometrics app, one module per modality (face.py, fingerprint.py)."""
