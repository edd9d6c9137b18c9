"""Face tasks (queue biometrics)."""
