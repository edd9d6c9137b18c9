"""Modules each installed app may contribute by name (`<app>.nav`, `<app>.demo`), found without
the collector importing the apps: the apps plug in, the layers stay as they are."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> list[ModuleType]:
    """`<app>.<name>` of every installed app that has one, in INSTALLED_APPS order (an import
    error inside such a module is raised, not taken for its absence)."""
    modules = []
    for config in apps.get_app_configs():
        dotted = f"{config.name}.{name}"
        try:
            modules.append(import_module(dotted))
        except ModuleNotFoundError as exc:
            if exc.name != dotted:
                raise
    return modules
