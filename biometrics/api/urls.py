"""The biometrics API under /api/v1/ (views: biometrics.api.face and biometrics.api.fingerprint)."""

from django.urls import path

from biometrics.api import face, fingerprint

urlpatterns = [
    path("biometrics/faces", face.FaceEnrolApi.as_view(), name="face-enrol"),
    path("biometrics/faces/verify", face.FaceVerifyApi.as_view(), name="face-verify"),
    path("biometrics/faces/identify", face.FaceIdentifyApi.as_view(), name="face-identify"),
    path("biometrics/faces/verifications/<int:pk>", face.FaceVerificationDetailApi.as_view(), name="face-verification"),
    path("biometrics/faces/identifications/<int:pk>", face.FaceIdentificationDetailApi.as_view(),
         name="face-identification"),
    path("biometrics/fingerprints", fingerprint.FingerprintEnrolApi.as_view(), name="fingerprint-enrol"),
    path("biometrics/fingerprints/verify", fingerprint.FingerprintVerifyApi.as_view(), name="fingerprint-verify"),
    path("biometrics/fingerprints/identify", fingerprint.FingerprintIdentifyApi.as_view(),
         name="fingerprint-identify"),
    path("biometrics/fingerprints/searches/<int:pk>", fingerprint.FingerprintSearchDetailApi.as_view(),
         name="fingerprint-search"),
    path("biometrics/fingerprints/captures/<int:pk>", fingerprint.FingerprintCaptureDetailApi.as_view(),
         name="fingerprint-capture"),
]
