from biometrics.views import face, fingerprint

app_name = "biometrics"

urlpatterns = [*face.urlpatterns, *fingerprint.urlpatterns]
