"""Arabic pages: Django's Arabic date formats, and numbers written as on the English pages.

One number format for the whole system (docs/architecture.md, "Numbers"): Western digits, "." before
the decimals, "," between thousands where grouping is asked for. Django's own Arabic formats put
"," before the decimals and "." between thousands, which on an Iraqi booth screen read 0,91 as a
different number from the 0.91 of the MRZ, the API and the printed reports."""

from django.conf.locale.ar.formats import *  # noqa: F403 (dates, times: Django's Arabic formats)

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
