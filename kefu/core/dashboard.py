"""Home-page tiles: each app contributes counts through a registry filled in ``AppConfig.ready``."""

from collections.abc import Callable

_TILE_PROVIDERS: list[Callable] = []


def register_tiles(provider: Callable) -> None:
    """``provider(user) -> [{"label", "value", "url"}]``; called for each home page view."""
    _TILE_PROVIDERS.append(provider)


def home_tiles(user) -> list[dict]:
    tiles = []
    for provider in _TILE_PROVIDERS:
        tiles.extend(provider(user))
    return tiles
