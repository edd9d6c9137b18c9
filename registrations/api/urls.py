from django.urls import path

from registrations.api import views

urlpatterns = [
    path("registrations", views.RegistrationCreateApi.as_view(), name="api-registrations"),
    path("registrations/<int:pk>", views.RegistrationDetailApi.as_view(), name="api-registration"),
]
