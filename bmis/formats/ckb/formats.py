"""Kurdish Sorani pages: Django's Central Kurdish date formats, and numbers written as on the English
and Arabic pages (docs/architecture.md, "Numbers"): Western digits, "." before the decimals, ","
between thousands where grouping is asked for. Django's ckb formats already use "." and ","; they are
stated here so that the three languages cannot drift apart, with the grouping the other two use."""

from django.conf.locale.ckb.formats import *  # noqa: F403 (dates, times: Django's Central Kurdish formats)

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
