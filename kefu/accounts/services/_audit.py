"""Attribute audit-log entries written by a service to the acting user."""

import functools

from kefu.core.audit import audit_context, current_source


def audited(fn):
    """Run ``fn`` inside an audit context naming its ``actor`` keyword (keeps the current source).

    The request middleware already names the logged-in user; this makes jobs, commands and API
    token calls name the actor the caller passed, whatever ``request.user`` says.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        actor = kwargs.get("actor")
        if actor is None or not getattr(actor, "is_authenticated", False):
            return fn(*args, **kwargs)
        with audit_context(source=current_source(), actor=actor):
            return fn(*args, **kwargs)

    return wrapper
