from biometrics.api import face, fingerprint

urlpatterns = [*face.urlpatterns, *fingerprint.urlpatterns]
