"""The API schema tells the truth: for every operation, the request body it documents is a
serializer the view validates the request with, and each success body it documents is a serializer
the view answers with. Read from the code itself: the serializers a view method (and the helpers of
its own app that it calls) constructs, with `data=` for input and without for output. A view that
documents one body and uses another (an `extend_schema` on a method shared by several views: the
last one decorated wins) fails here. Every operation also has a summary."""

from __future__ import annotations

import ast
import inspect
import textwrap
from functools import cache

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import generics
from rest_framework.serializers import BaseSerializer, ListSerializer

WRITE = ("POST", "PUT", "PATCH")
# Operations whose success answer is a body built by hand, checked against its documented
# serializer by the app's own tests instead (named here, with the test that does).
HAND_BUILT = {
    # watchlists/tests/test_api.py checks each screening answer against ScreeningOutput.
    ("POST", "/api/v1/screening/persons"), ("POST", "/api/v1/screening/documents"),
    ("POST", "/api/v1/screening/vehicles"),
}


_GENERATOR = SchemaGenerator()  # kept alive: the views it makes hold weak references into it


@cache
def _endpoints():
    generator = _GENERATOR
    generator._initialise_endpoints()
    endpoints = []
    for path, regex, method, view in generator._get_paths_and_endpoints():
        if not path.startswith("/api/v1/") or path.startswith(("/api/v1/schema", "/api/v1/docs")):
            continue
        endpoints.append((path, regex, method, view))
    return endpoints


def _schema(path, regex, method, view):
    """The view's schema inspector, bound to this operation (a view class shares one inspector)."""
    schema = view.schema
    schema.path, schema.path_regex, schema.method = path, regex, method
    return schema


def _class(serializer):
    if serializer is None:
        return None
    if isinstance(serializer, ListSerializer):
        serializer = serializer.child
    return serializer if isinstance(serializer, type) else type(serializer)


def _resolve(node, namespace: dict, view_cls):
    """The object an expression names (a Name, an attribute chain, self.x), or None."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            return getattr(view_cls, node.attr, None)
        base = _resolve(node.value, namespace, view_cls)
        return getattr(base, node.attr, None) if base is not None else None
    return None


def _api_module(obj) -> bool:
    """A function of an app's API package (views and their helpers), where bodies are built."""
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] in _PROJECT and ".api" in module


def _used(func, view_cls, seen=None) -> dict[str, set]:
    """The serializer classes `func` constructs, as input (with data=) and as output, following
    the functions and methods of the API package it calls (the view's helpers)."""
    seen = seen if seen is not None else set()
    found = {"input": set(), "output": set()}
    func = inspect.unwrap(func)
    if func in seen or not hasattr(func, "__code__"):
        return found
    seen.add(func)
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = _resolve(node.func, func.__globals__, view_cls)
        if isinstance(target, type) and issubclass(target, BaseSerializer):
            kind = "input" if any(k.arg == "data" for k in node.keywords) else "output"
            found[kind].add(target)
        elif callable(target) and not isinstance(target, type) and _api_module(target):
            inner = _used(target, view_cls, seen)
            found["input"] |= inner["input"]
            found["output"] |= inner["output"]
    return found


_PROJECT = {"core", "accounts", "audit", "travelers", "watchlists", "biometrics", "devices", "incidents"}


def _operations():
    return [(method, path, (path, regex, method, view)) for path, regex, method, view in _endpoints()]


OPERATIONS = _operations()


def test_the_schema_has_operations():
    assert len(OPERATIONS) > 40


@pytest.mark.parametrize(("method", "path", "view"), OPERATIONS, ids=[f"{m} {p}" for m, p, _v in OPERATIONS])
def test_documented_bodies_are_the_serializers_the_view_uses(method, path, view):
    schema = _schema(*view)
    view = view[3]
    handler = getattr(type(view), getattr(view, "action", None) or method.lower())
    used = _used(handler, type(view))
    if isinstance(view, generics.GenericAPIView):
        # generic list and detail views serialize with their serializer class
        used["output"].add(view.get_serializer_class())
    if method in WRITE:
        documented = schema.get_request_serializer()
        if isinstance(documented, dict):  # per content type
            documented = next(iter(documented.values()))
        documented = _class(documented)
        if documented is not None:
            assert documented in used["input"], (
                f"{method} {path} documents {documented.__name__} as its request body but validates with "
                f"{sorted(c.__name__ for c in used['input'])}")
    responses = schema.get_response_serializers()
    if not isinstance(responses, dict):
        responses = {"200": responses}
    for status, documented in responses.items():
        documented = _class(getattr(documented, "response", documented))
        if documented is None or not str(status).startswith("2") or not issubclass(documented, BaseSerializer):
            continue
        if (method, path) in HAND_BUILT:
            continue
        assert documented in used["output"], (
            f"{method} {path} documents {documented.__name__} as its {status} answer but answers with "
            f"{sorted(c.__name__ for c in used['output'])}")


@pytest.mark.parametrize(("method", "path", "view"), OPERATIONS, ids=[f"{m} {p}" for m, p, _v in OPERATIONS])
def test_every_operation_has_a_summary(method, path, view):
    assert _schema(*view).get_summary(), f"{method} {path} has no summary (give its view or method a docstring)"
