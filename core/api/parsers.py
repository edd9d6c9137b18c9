"""The API's JSON parser: a body nested deeper than ``BMIS_API_MAX_JSON_DEPTH`` is a 400.

Python's ``json`` module parses recursively: about a thousand nested arrays raise
``RecursionError`` (a 500), and a few hundred parse but then overflow whatever walks the data
(serializers, error flattening). The depth is counted on the raw text before parsing, without
recursion, so no body can reach the parser's or the serializers' recursion limit.
"""

from __future__ import annotations

import codecs
import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json as drf_json


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether arrays and objects in ``text`` nest deeper than ``limit`` (strings skipped)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError:
            raise ParseError(_("The JSON body is not valid %(encoding)s text.") % {"encoding": encoding}) from None
        limit = settings.BMIS_API_MAX_JSON_DEPTH
        if json_depth_exceeds(text, limit):
            raise ParseError(_("The JSON body is nested more than %(limit)d levels deep.") % {"limit": limit})
        try:
            return json.loads(text, parse_constant=drf_json.strict_constant if self.strict else None)
        except RecursionError:  # pragma: no cover - the depth check above comes first
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        except ValueError as exc:
            raise ParseError(_("The JSON body is not valid: %(problem)s") % {"problem": exc}) from None
