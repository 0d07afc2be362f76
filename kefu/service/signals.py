"""One hook for everything that happens to a ticket.

``ticket_changed`` is sent by :mod:`kefu.service.events` inside the transaction of the change it
describes, after the change is saved. Receivers (SLA clocks, contract consumption, surveys) do their
own writes in the same transaction, so a failure rolls the whole change back and nothing is
half-written; anything that talks to the outside world must use ``transaction.on_commit``.

Arguments: ``ticket`` (saved), ``verb`` (``created``, ``status_changed``, ``replied``, ``updated``,
``assigned``, ``escalated``, ``merged``, ...), ``actor`` (a user or None) and ``data`` (the event's
payload: for ``status_changed`` the ``from``/``to`` status keys, for ``replied`` the ``entry`` and
``from_customer``, for ``updated`` the ``fields`` that changed). ``created`` may also carry
``requester``: the requester's customer-master summary (``contact_get_summary``'s shape), so a
receiver need not read it again.
"""

from django.dispatch import Signal

ticket_changed = Signal()
