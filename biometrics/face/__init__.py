"""Face biometrics, pure part: image loading, embedding models, quality checks,
portrait cropping and comparison.  No Django imports here.

Importing this package is cheap; the dlib model is loaded only when
``biometrics.face.embedding.default_model()`` is first called.
"""
