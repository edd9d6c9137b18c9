from django.urls import path

from registrations import views

app_name = "registrations"

urlpatterns = [
    path("", views.registration_list, name="list"),
    path("new", views.apprehension_new, name="new"),
    path("groups/<int:group>/person", views.person_new, name="person-new"),
    path("groups/<int:pk>/", views.group_review, name="group"),
    path("groups/<int:pk>/finish", views.group_finish, name="group-finish"),
    path("groups/<int:pk>/done", views.group_done, name="group-done"),
    path("groups/<int:pk>/another", views.group_new, name="group-new"),
    path("<int:pk>/", views.registration_detail, name="detail"),
    path("<int:pk>/transition", views.registration_transition, name="transition"),
]
