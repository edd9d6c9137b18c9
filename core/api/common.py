"""One JSON error body for the whole API: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.errors import Conflict


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF error detail (nested dicts/lists) → {"field.sub": ["message", ...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field_errors" if key in ("non_field_errors", "__all__") and not prefix else key
            out.update(flatten_errors(value, f"{prefix}.{name}" if prefix else str(name)))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    out.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        set_rollback()
        return Response(error_body(exc.conflict_code, exc.conflict_message, exc.conflict_fields), status=409)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        names = [name for name in fields if name != "non_field_errors"]
        if names:
            first = names[0]
            message = f"Invalid input: {first}: {fields[first][0]}"
        else:
            message = fields.get("non_field_errors", ["Invalid input."])[0]
        response.data = error_body("invalid", message, fields)
    else:
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else "Request failed."
        response.data = error_body(_code_of(exc), message)
    return response


def json_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False})


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable machine-readable error code.")
    message = serializers.CharField(help_text="A human-readable explanation.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field messages, keyed by the (dotted) field name.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
