"""How many times an address may try something per minute (public pages with secrets in them).

The count lives in the default cache, which every web process shares (settings.CACHES), so the
limit holds however many processes answer.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from accounts.client_address import client_address


def over_limit(request: HttpRequest, scope: str, per_minute: int) -> bool:
    """Count this attempt at `scope` from the request's address; True once it is one too many."""
    key = f"{scope}-attempts:{client_address(request)}"
    cache.add(key, 0, timeout=60)
    return cache.incr(key) > per_minute
