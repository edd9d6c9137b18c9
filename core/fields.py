"""Model fields shared by the apps."""

from __future__ import annotations

from django.db import models


class ValuesJSONField(models.JSONField):
    """A JSONField that ``bulk_create`` inserts through ``VALUES`` rather than ``UNNEST``.

    Since Django 5.2, ``bulk_create`` on PostgreSQL sends each column as one array
    (``INSERT ... SELECT * FROM UNNEST(%s::jsonb[], ...)``, ticket #35936); psycopg builds the
    array literal in Python, escaping every quote of every JSON text with a regular expression.
    For documents of a kilobyte (a hit's explanation) that costs more than the insert itself:
    7 hits took ~3.5 ms against ~2 ms through ``VALUES``
    (measured on the 1,000,000-entry benchmark database, see bench/README.md). Django keeps the
    ``VALUES`` form for any field that defines ``get_placeholder``. Same column type as
    JSONField; nothing changes in the database."""

    def get_placeholder(self, value, compiler, connection):
        # The plain parameter, as for any field without this method: the method's presence is
        # what makes Django's PostgreSQL compiler keep VALUES (django/db/backends/postgresql/compiler.py).
        return "%s"
