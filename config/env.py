"""Read settings from the environment, refusing malformed values with a clear message."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of true/false, yes/no, on/off or 1/0; got {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(item == "" for item in items):
        raise ImproperlyConfigured(
            f"{name} must be a comma-separated list with no empty entries; got {value!r}."
        )
    return items


def require(name: str, value: str | list[str] | None, reason: str) -> None:
    if not value:
        raise ImproperlyConfigured(f"{name} must be set {reason}.")


def env_cache(name: str, *, table: str) -> dict[str, str]:
    """One cache every process shares: Redis when the URL names it, else the database table."""
    url = env_str(name)
    if url is None:
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(
        f"{name} must be a redis://, rediss:// or unix:// URL, or unset for the database "
        f"cache; got {url!r}."
    )
