"""Writes of the watchlists app. Import from here: `from watchlists.services import hit_raise`."""

from watchlists.services.hits import hit_adjudicate, hit_raise

__all__ = ["hit_adjudicate", "hit_raise"]
