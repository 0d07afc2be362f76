"""Links on the settings hub, contributed by apps: ``register_link(perm, label, url_name)``."""

from django.urls import reverse

from kefu.accounts.policy import can

_LINKS: list[tuple[str, object, str, object]] = []


def register_link(perm: str, label, url_name: str, description="") -> None:
    _LINKS.append((perm, label, url_name, description))


def settings_links(user) -> list[dict]:
    return [
        {"label": label, "url": reverse(url_name), "description": description}
        for perm, label, url_name, description in _LINKS
        if can(user, perm)
    ]
