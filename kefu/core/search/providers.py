"""Global search: each app registers a provider that finds its records for a user.

``provider(user, query, limit) -> {"key", "label", "results": [{"title", "subtitle", "url"}]}``
or None when the user may not see that kind of record.
"""

from collections.abc import Callable

_PROVIDERS: list[Callable] = []


def register_provider(provider: Callable) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def global_search(user, query: str, *, limit: int = 10) -> list[dict]:
    groups = []
    for provider in _PROVIDERS:
        group = provider(user, query, limit)
        if group is not None:
            groups.append(group)
    return groups
