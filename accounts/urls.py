from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/booth/", views.login_booth_view, name="login-booth"),
    path("login/code/", views.login_otp_view, name="login-otp"),
    path("logout/", views.logout_view, name="logout"),
]
