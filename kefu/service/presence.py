"""Who has a ticket open right now: a short-lived note in the cache, refreshed by the page.

The cache is shared by every web process (Redis in production, the database cache on one
machine), so agents on different servers see each other. Entries expire on their own; nothing
is written to the database.
"""

import time

from django.core.cache import cache
from django.utils.translation import gettext as _

WINDOW_SECONDS = 90


def _key(ticket_id: int) -> str:
    return f"service:viewers:{ticket_id}"


def ticket_viewers_touch(*, ticket_id: int, user, editing: bool = False) -> list[str]:
    """Record that ``user`` is looking at the ticket; return the names of the others.

    ``editing`` (the agent has started a reply or note) is kept with the name, and shown to the
    others as "(replying)", until the agent's next poll says otherwise.
    """
    now = time.time()
    viewers = {}
    for uid, value in (cache.get(_key(ticket_id)) or {}).items():
        name, seen, *rest = value
        if now - seen < WINDOW_SECONDS:
            viewers[int(uid)] = (name, seen, bool(rest and rest[0]))
    viewers[user.pk] = (user.display_name, now, editing)
    cache.set(_key(ticket_id), viewers, WINDOW_SECONDS)
    return sorted(
        _("%(name)s (replying)") % {"name": name} if is_editing else name
        for uid, (name, _seen, is_editing) in viewers.items()
        if uid != user.pk
    )
