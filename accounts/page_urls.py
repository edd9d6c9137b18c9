"""URL patterns of `accounts.pages`, under the namespaces of the apps they show (bmis/urls.py
mounts them): `core:home`, `core:post-list`, `audit:event-list`."""

from django.urls import path

from accounts import pages

core_patterns = ([
    path("", pages.home, name="home"),
    path("posts/", pages.post_list, name="post-list"),
], "core")

audit_patterns = ([
    path("", pages.audit_event_list, name="event-list"),
], "audit")
