from django.urls import path

from devices.api import views

urlpatterns = [
    path("devices/heartbeat", views.HeartbeatApi.as_view(), name="api-device-heartbeat"),
    path("devices/documents", views.DocumentReadApi.as_view(), name="api-device-documents"),
    path("devices/captures", views.CaptureApi.as_view(), name="api-device-captures"),
    path("devices/detections", views.DetectionApi.as_view(), name="api-device-detections"),
    path("devices/detections/batch", views.DetectionBatchApi.as_view(), name="api-device-detections-batch"),
    path("devices/positions", views.PositionApi.as_view(), name="api-device-positions"),
]
