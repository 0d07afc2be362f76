"""Who has a ticket open right now: a short-lived note in the cache, refreshed by the page.

The cache is shared by every web process (Redis in production, the database cache on one
machine), so agents on different servers see each other. Entries expire on their own; nothing
is written to the database.
"""

import time

from django.core.cache import cache

WINDOW_SECONDS = 90


def _key(ticket_id: int) -> str:
    return f"service:viewers:{ticket_id}"


def ticket_viewers_touch(*, ticket_id: int, user) -> list[str]:
    """Record that ``user`` is looking at the ticket; return the names of the others."""
    now = time.time()
    viewers = {
        int(uid): (name, seen)
        for uid, (name, seen) in (cache.get(_key(ticket_id)) or {}).items()
        if now - seen < WINDOW_SECONDS
    }
    viewers[user.pk] = (user.display_name, now)
    cache.set(_key(ticket_id), viewers, WINDOW_SECONDS)
    return sorted(name for uid, (name, _seen) in viewers.items() if uid != user.pk)
