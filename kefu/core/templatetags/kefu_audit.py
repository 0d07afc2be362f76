"""``{% audit_history obj %}``: the field-level change history of a record, read-only.

Shown only to users holding ``auditlog.view_logentry``; everyone else gets nothing (not even an
empty panel), so the tag can sit on every detail page.
"""

from auditlog.models import LogEntry
from django import template

from kefu.accounts.policy import can

register = template.Library()


def _content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


HISTORY_LIMIT = 50


def _subject(entry) -> str:
    model = entry.content_type.model_class()
    name = model._meta.verbose_name if model else entry.content_type.model
    return f"{name}: {entry.object_repr}"


@register.inclusion_tag("core/_audit_history.html", takes_context=True)
def audit_history(context, obj, *related, limit: int = HISTORY_LIMIT):
    """History of ``obj``, merged with that of the ``related`` querysets (a contact's identities).

    A related row deleted since cannot be traced back to its parent, so its deletion is not shown.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or not can(user, "auditlog.view_logentry"):
        return {"allowed": False}
    sources = [LogEntry.objects.get_for_object(obj)]
    sources.extend(LogEntry.objects.get_for_objects(queryset) for queryset in related)
    entries = []
    for source in sources:
        newest = source.select_related("actor", "content_type").order_by("-timestamp", "-pk")
        entries.extend(newest[: limit + 1])
    entries.sort(key=lambda entry: (entry.timestamp, entry.pk), reverse=True)
    own_type = _content_type_id(obj)
    rows = []
    for entry in entries[:limit]:
        try:
            changes = entry.changes_display_dict
        except Exception:
            # A field removed since the entry was written: fall back to the raw names.
            changes = entry.changes_dict
        rows.append(
            {
                "entry": entry,
                "source": (entry.additional_data or {}).get("source", ""),
                "subject": "" if entry.content_type_id == own_type else _subject(entry),
                "changes": [(field, values) for field, values in changes.items()],
            }
        )
    return {"allowed": True, "rows": rows, "truncated": len(entries) > limit}
