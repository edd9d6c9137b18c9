"""Biometric models: faces in face.py, fingerprints in fingerprint.py, biometric-contract references in abis.py."""

from biometrics.models.abis import *  # noqa: F401,F403
from biometrics.models.face import *  # noqa: F401,F403
from biometrics.models.fingerprint import *  # noqa: F401,F403
