"""The address a request came from, as throttles count it (sign-in lockout, /verify/)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the right-most entry of the trusted proxy's header when one is configured.

    Only the right-most entry is the proxy's own: everything left of it came from the client and
    could be forged, so a configured header is trusted for its last address alone.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        forwarded = [entry.strip() for entry in request.META.get(header, "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR") or "unknown"
