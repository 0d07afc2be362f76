"""Creating tickets, editing their properties, assignment and escalation."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.policy import is_staff
from kefu.core.configstamp import checked_once, pinned
from kefu.core.customfields import clean_custom_fields
from kefu.core.models import Tag
from kefu.core.search.indexing import flush as search_flush
from kefu.core.search.indexing import index_prepared
from kefu.customers import facade as customers
from kefu.service import configuration, events, routing, search, tasks
from kefu.service.choices import (
    ImpactChoices,
    PriorityChoices,
    TicketChannelChoices,
    TicketTypeChoices,
    UrgencyChoices,
)
from kefu.service.configuration import DeskConfig, desk_config
from kefu.service.errors import StaleTicket
from kefu.service.models import (
    Category,
    Queue,
    QueueMembership,
    Status,
    Ticket,
    TicketEntry,
)
from kefu.service.services._common import lock_ticket, save_ticket, staff_or_none
from kefu.service.services.conversation import attachment_check, save_attachments

CUSTOM_FIELD_TARGET = "service.ticket"
EDITABLE_FIELDS = {
    "subject",
    "description",
    "ticket_type",
    "category_id",
    "impact",
    "urgency",
    "priority",
    "organization_id",
    "site_id",
    "asset_id",
    "language",
    "source_ref",
    "custom_fields",
}


def priority_from_matrix(impact: int, urgency: int) -> int:
    """Return the priority the impact x urgency matrix gives (medium if the cell is missing)."""
    return desk_config().priority(impact, urgency)


def _check_choices(values: dict[str, Any]) -> None:
    checks = {
        "channel": TicketChannelChoices.values,
        "ticket_type": TicketTypeChoices.values,
        "impact": ImpactChoices.values,
        "urgency": UrgencyChoices.values,
        "priority": PriorityChoices.values,
        "language": ["en", "zh-hans"],
    }
    errors = {}
    for field, allowed in checks.items():
        if field in values and values[field] is not None and values[field] not in allowed:
            errors[field] = [_("“%(value)s” is not a valid choice.") % {"value": values[field]}]
    if "subject" in values:
        subject = (values["subject"] or "").strip()
        if not subject:
            errors["subject"] = [_("Give the ticket a subject.")]
        elif len(subject) > 300:
            errors["subject"] = [_("A subject has at most 300 characters.")]
    if errors:
        raise ValidationError(errors)


def _check_customer_refs(
    *,
    organization_id: int | None,
    site_id: int | None,
    asset_id: int | None,
    organization_exists: bool | None = None,
) -> None:
    """Refuse a site or asset that is unknown or belongs to another organization.

    ``organization_exists``: what the caller already knows of ``organization_id`` (None:
    look it up).
    """
    errors = {}
    if organization_id is not None:
        if organization_exists is None:
            organization_exists = customers.organization_get_summary(organization_id) is not None
        if not organization_exists:
            errors["organization_id"] = [_("No such organization.")]
    if site_id is not None:
        site = customers.site_get_summary(site_id)
        if site is None:
            errors["site_id"] = [_("No such site.")]
        elif organization_id is not None and site["organization_id"] != organization_id:
            errors["site_id"] = [_("This site belongs to another organization.")]
    if asset_id is not None:
        asset = customers.asset_get_summary(asset_id)
        if asset is None:
            errors["asset_id"] = [_("No such asset.")]
        elif organization_id is not None and asset["organization_id"] != organization_id:
            errors["asset_id"] = [_("This asset belongs to another organization.")]
    if errors:
        raise ValidationError(errors)


_UNKNOWN = object()


def _routing_facts(
    *, ticket: Ticket, config: DeskConfig | None = None, tier_key=_UNKNOWN
) -> routing.RoutingFacts:
    """What routing looks at; ``config`` and ``tier_key`` when the caller already has them."""
    category_keys: tuple[str, ...] = ()
    if ticket.category_id:
        if config is not None:
            category_keys = config.categories[ticket.category_id]
        else:
            category_keys = tuple(Category.objects.get(pk=ticket.category_id).ancestor_keys())
    if tier_key is _UNKNOWN:
        tier_key = None
        if ticket.organization_id:
            summary = customers.organization_get_summary(ticket.organization_id)
            tier_key = summary["tier_key"] if summary else None
    product_sku = None
    if ticket.asset_id:
        asset = customers.asset_get_summary(ticket.asset_id)
        product_sku = asset["product_sku"] if asset else None
    return routing.RoutingFacts(
        channel=ticket.channel,
        category_keys=category_keys,
        tier_key=tier_key,
        text=f"{ticket.subject}\n{ticket.description}",
        language=ticket.language,
        product_sku=product_sku,
    )


def _check_assignee(queue: Queue, assignee_id: int) -> None:
    user = get_user_model().objects.filter(pk=assignee_id).first()
    if user is None or not is_staff(user):
        raise ValidationError({"assignee_id": [_("Choose an active staff user.")]})
    if not QueueMembership.objects.filter(queue=queue, user_id=assignee_id).exists():
        raise ValidationError(
            {
                "assignee_id": [
                    _("%(user)s is not a member of queue %(queue)s.")
                    % {"user": user.display_name, "queue": queue.label}
                ]
            }
        )


def _auto_assign(ticket: Ticket, *, facts: routing.RoutingFacts) -> int | None:
    """Pick an agent per the queue's mode and stamp their membership; return the user id."""
    if ticket.queue.assignment_mode == "manual":
        return None
    # Lock the queue row so two tickets arriving together do not both take the same
    # "longest idle" member in round-robin.
    Queue.objects.select_for_update().filter(pk=ticket.queue_id).first()
    member = routing.pick_member(ticket.queue, facts)
    if member is None:
        return None
    QueueMembership.objects.filter(pk=member.membership_id).update(last_assigned_at=timezone.now())
    return member.user_id


def _notify_assignee(ticket: Ticket, *, actor) -> None:
    if ticket.assignee_id and ticket.assignee_id != getattr(actor, "pk", None):
        ticket_id, user_id = ticket.pk, ticket.assignee_id
        transaction.on_commit(lambda: tasks.ticket_notify(ticket_id, "assigned", [user_id]))


def _reserve_ticket_id() -> int:
    """Return a fresh primary key for a ticket (inside the creating transaction).

    PostgreSQL: ``nextval`` of the table's sequence, so concurrent creators never collide.
    SQLite: the next number after the highest id ever used (``AUTOINCREMENT`` remembers deleted
    ones in ``sqlite_sequence``); safe because Kefu opens SQLite transactions with ``BEGIN
    IMMEDIATE``: the write lock is held from the first statement, so no other writer can take
    the same number before this transaction commits.
    """
    table, column = Ticket._meta.db_table, Ticket._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [table, column])
        else:
            quote = connection.ops.quote_name
            # Names come from the model's metadata, never from input.
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT MAX({quote(column)}) FROM {quote(table)}), 0),"  # noqa: S608
                " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0)) + 1",
                [table],
            )
        return int(cursor.fetchone()[0])


def _tags(names: list[str]) -> list[Tag]:
    tags = []
    for name in dict.fromkeys(n.strip()[:60] for n in names if n and n.strip()):
        tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    return tags


@checked_once()  # one stamp read for the desk configuration, the calendars and custom fields
def ticket_create(
    *,
    actor,
    subject: str,
    description: str = "",
    requester_id: int | None = None,
    requester_email: str | None = None,
    requester_phone: str | None = None,
    requester_name: str = "",
    organization_id: int | None = None,
    site_id: int | None = None,
    asset_id: int | None = None,
    channel: str = TicketChannelChoices.INTERNAL,
    ticket_type: str = TicketTypeChoices.QUESTION,
    category_id: int | None = None,
    impact: int = ImpactChoices.MEDIUM,
    urgency: int = UrgencyChoices.MEDIUM,
    priority: int | None = None,
    queue_id: int | None = None,
    assignee_id: int | None = None,
    tags: list[str] | None = None,
    custom_fields: dict[str, Any] | None = None,
    language: str | None = None,
    source_ref: str = "",
    message_id: str = "",
    parent_id: int | None = None,
    problem_id: int | None = None,
    first_entry: bool = True,
    attachments=None,
) -> Ticket:
    """Create a ticket with its first message, routed, assigned and on the customer's timeline.

    The requester is ``requester_id`` or is resolved (created if new) from an email or phone
    through the customer master. Without ``queue_id`` the routing rules pick the queue (else the
    default queue). Priority comes from the impact x urgency matrix unless given. The assignee is
    ``assignee_id`` (who must work the queue) or is picked per the queue's assignment mode.
    ``attachments``: files of the first message (attached to it; checked, like a reply's,
    before anything is written). Raises ``ValidationError`` for unknown queues, categories,
    customers, refused files and bad choices; nothing is written then. Notifications go out
    after commit.

    The desk configuration (queues, rules, matrix, categories, custom fields, SLA policies)
    comes from the process's snapshot (``kefu.service.configuration``: one query) and is
    checked, with the text segmented for search, before the write transaction begins: on
    SQLite that transaction holds the database's one write lock from BEGIN to COMMIT. The
    snapshot is pinned for the change, so the event receivers use it too; the search document
    is written in the same transaction (one commit per ticket).
    """
    _check_choices(
        {
            "subject": subject,
            "channel": channel,
            "ticket_type": ticket_type,
            "impact": impact,
            "urgency": urgency,
            "priority": priority,
            "language": language,
        }
    )
    config = desk_config()
    if category_id is not None and category_id not in config.categories:
        raise ValidationError({"category_id": [_("No such category.")]})
    cleaned_custom = clean_custom_fields(
        CUSTOM_FIELD_TARGET, custom_fields, definitions=list(config.ticket_custom_fields)
    )
    queue = None
    if queue_id is not None:
        queue = config.queues.get(queue_id)
        if queue is None:
            raise ValidationError({"queue_id": [_("No such queue.")]})
    subject = subject.strip()
    description = description or ""
    first_body = description if first_entry and description.strip() else None
    attachments = list(attachments or [])
    for upload in attachments:  # all checked before anything is written
        attachment_check(name=upload.name, size=upload.size)
    # Segment the conversation for search now, outside the write transaction.
    body_tokens = search.ticket_document(
        None, None, subject, description, None, None, [first_body] if first_body else []
    ).body_tokens()
    with pinned(configuration.SNAPSHOT, config), transaction.atomic():
        ticket = _ticket_insert(
            config,
            actor=actor,
            subject=subject,
            description=description,
            requester_id=requester_id,
            requester_email=requester_email,
            requester_phone=requester_phone,
            requester_name=requester_name,
            organization_id=organization_id,
            site_id=site_id,
            asset_id=asset_id,
            channel=channel,
            ticket_type=ticket_type,
            category_id=category_id,
            impact=impact,
            urgency=urgency,
            priority=priority,
            queue=queue,
            assignee_id=assignee_id,
            custom_fields=cleaned_custom,
            language=language,
            source_ref=source_ref,
            message_id=message_id,
            parent_id=parent_id,
            problem_id=problem_id,
        )
        if tags:
            ticket.tags.set(_tags(tags))
        entry = None
        if first_body is not None:
            staff = staff_or_none(actor)
            entry = TicketEntry.objects.create(
                ticket=ticket,
                kind="reply",
                author=staff,
                author_contact_id=None if staff else ticket.requester_id,
                body=first_body,
                message_id=(message_id or "")[:255],
            )
        ticket.first_entry_id = entry.pk if entry is not None else None
        if attachments:
            save_attachments(ticket, entry, attachments, actor=actor, public=True)
        events.ticket_created_event(ticket, actor=actor, requester=ticket.requester_summary)
        _notify_assignee(ticket, actor=actor)
        document = search.ticket_document(
            ticket.pk,
            ticket.number,
            ticket.subject,
            ticket.description,
            ticket.organization_id,
            ticket.queue_id,
            [first_body] if first_body else [],
        )
        document.prepared = (document.title_tokens(), body_tokens)
        index_prepared([document])
        search_flush()
    return ticket


def _ticket_insert(
    config: DeskConfig,
    *,
    actor,
    requester_id,
    requester_email,
    requester_phone,
    requester_name,
    organization_id,
    site_id,
    asset_id,
    queue,
    assignee_id,
    language,
    source_ref,
    message_id,
    parent_id,
    problem_id,
    impact,
    urgency,
    priority,
    **fields,
) -> Ticket:
    """Resolve the customer, route, insert and number the ticket (in the caller's transaction).

    The new ticket carries what was learnt on the way for the event receivers and callers,
    so they need not read it again: ``requester_summary`` (the contact's facade summary, or
    None) and ``organization_tier`` (``(organization id, tier key)``); ``ticket_create`` adds
    ``first_entry_id`` (the first message's entry, or None).
    """
    if requester_id is None and (requester_email or requester_phone):
        requester_id = customers.contact_resolve_or_create(
            actor=staff_or_none(actor),
            email=requester_email,
            phone=requester_phone,
            name=requester_name,
        )
    contact = organization = None
    if requester_id is not None:
        contact, organization = customers.contact_and_organization_summaries(
            requester_id, organization_id=organization_id
        )
        if contact is None:
            raise ValidationError({"requester_id": [_("No such contact.")]})
        if organization_id is None:
            organization_id = contact["organization_id"]
    if site_id is not None and organization_id is None:
        site = customers.site_get_summary(site_id)
        organization_id = site["organization_id"] if site else None
    if organization_id is not None and (organization or {}).get("id") != organization_id:
        organization = customers.organization_get_summary(organization_id)
    _check_customer_refs(
        organization_id=organization_id,
        site_id=site_id,
        asset_id=asset_id,
        organization_exists=organization is not None,
    )
    for field, pk in (("parent_id", parent_id), ("problem_id", problem_id)):
        if pk is not None and not Ticket.objects.filter(pk=pk).exists():
            raise ValidationError({field: [_("No such ticket.")]})
    if (
        problem_id is not None
        and not Ticket.objects.filter(pk=problem_id, ticket_type=TicketTypeChoices.PROBLEM).exists()
    ):
        raise ValidationError({"problem_id": [_("Link incidents to a problem ticket.")]})
    if not language:
        language = (contact or {}).get("preferred_language") or "zh-hans"

    ticket = Ticket(
        requester_id=requester_id,
        organization_id=organization_id,
        site_id=site_id,
        asset_id=asset_id,
        impact=impact,
        urgency=urgency,
        priority=priority or config.priority(impact, urgency),
        language=language,
        source_ref=(source_ref or message_id or "")[:255],
        parent_id=parent_id,
        problem_id=problem_id,
        created_by=staff_or_none(actor),
        **fields,
    )
    tier_key = organization["tier_key"] if organization else None
    facts = _routing_facts(ticket=ticket, config=config, tier_key=tier_key)
    if queue is None:
        queue = routing.queue_for(facts, config=config)
        if queue is None:
            raise ValidationError(
                {"queue_id": [_("No queue matches and no default queue is set.")]}
            )
    initial = config.initial_statuses.get(queue.lifecycle_id)
    if initial is None:
        raise ValidationError({"queue_id": [_("The queue's lifecycle has no initial status.")]})
    ticket.queue = queue
    ticket.status = initial
    ticket.status_category = initial.category
    ticket.last_activity_at = timezone.now()
    if assignee_id is not None:
        _check_assignee(queue, assignee_id)
        ticket.assignee_id = assignee_id
    else:
        ticket.assignee_id = _auto_assign(ticket, facts=facts)
    # The number comes from the primary key: unique without a shared counter row to contend on.
    # The key is reserved first, so the row goes in complete (one INSERT, no UPDATE after it)
    # and its audit entry already names the ticket.
    ticket.pk = _reserve_ticket_id()
    ticket.number = Ticket.format_number(ticket.pk)
    ticket.save(force_insert=True)
    ticket.requester_summary = contact
    ticket.organization_tier = (organization_id, tier_key)
    return ticket


@transaction.atomic
def ticket_update(*, actor, ticket: Ticket, version: int, **fields: Any) -> Ticket:
    """Change a ticket's properties if nobody changed it since ``version`` was read.

    The write is one conditional ``UPDATE ... WHERE version = <version>``; a stale version
    raises ``StaleTicket`` (409) and writes nothing. Changing impact or urgency recomputes the
    priority from the matrix unless ``priority`` is given too. ``tags`` (names) replace the
    ticket's tags. Unknown fields are refused.
    """
    tags = fields.pop("tags", None)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    _check_choices(fields)
    current = Ticket.objects.get(pk=ticket.pk)
    if current.version != version:
        raise StaleTicket(number=current.number or str(current.pk), current_version=current.version)
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "subject":
            value = value.strip()
        if name == "custom_fields":
            value = clean_custom_fields(
                CUSTOM_FIELD_TARGET, value, existing=current.custom_fields, partial=True
            )
        if getattr(current, name) != value:
            changes[name] = value
    organization_id = changes.get("organization_id", current.organization_id)
    if {"organization_id", "site_id", "asset_id"} & set(changes):
        _check_customer_refs(
            organization_id=organization_id,
            site_id=changes.get("site_id", current.site_id),
            asset_id=changes.get("asset_id", current.asset_id),
        )
    new_category = changes.get("category_id")
    if new_category is not None and not Category.objects.filter(pk=new_category).exists():
        raise ValidationError({"category_id": [_("No such category.")]})
    if ({"impact", "urgency"} & set(changes)) and "priority" not in fields:
        priority = priority_from_matrix(
            changes.get("impact", current.impact), changes.get("urgency", current.urgency)
        )
        if priority != current.priority:
            changes["priority"] = priority
    if not changes and tags is None:
        return current
    save_ticket(current, changes)
    if tags is not None:
        current.tags.set(_tags(list(tags)))
        changes["tags"] = tags
    events.ticket_updated_event(current, actor=actor, changed=sorted(changes))
    return current


@transaction.atomic
def ticket_assign(
    *,
    actor,
    ticket: Ticket,
    assignee_id: int | None,
    reason: str = "",
    version: int | None = None,
) -> Ticket:
    """Give the ticket to ``assignee_id`` (a member of its queue), or unassign with ``None``.

    Takes the ticket's row lock; a stale ``version`` raises ``StaleTicket``. The previous and
    new assignee and the reason are recorded; the new assignee is mailed after commit.
    """
    ticket = lock_ticket(ticket, version=version)
    if assignee_id is not None:
        _check_assignee(ticket.queue, assignee_id)
    old = ticket.assignee_id
    if old == assignee_id:
        return ticket
    save_ticket(ticket, {"assignee_id": assignee_id})
    events.ticket_assigned_event(ticket, actor=actor, old_assignee_id=old, reason=reason.strip())
    _notify_assignee(ticket, actor=actor)
    return ticket


@transaction.atomic
def ticket_escalate(
    *,
    actor,
    ticket: Ticket,
    reason: str,
    queue_id: int | None = None,
    version: int | None = None,
) -> Ticket:
    """Move the ticket to another queue (its queue's second line by default), with a reason.

    The ticket keeps its status if the new queue's lifecycle has one with the same key, else it
    starts at the new lifecycle's initial status. The assignee is dropped and the new queue's
    assignment mode picks one. Raises ``ValidationError`` without a reason or a target queue.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the ticket is escalated.")]})
    ticket = lock_ticket(ticket, version=version)
    target_id = queue_id or ticket.queue.second_line_id
    if target_id is None:
        raise ValidationError({"queue_id": [_("This queue has no second-line queue; choose one.")]})
    target = Queue.objects.filter(pk=target_id, is_active=True).first()
    if target is None:
        raise ValidationError({"queue_id": [_("No such queue.")]})
    if target.pk == ticket.queue_id:
        raise ValidationError({"queue_id": [_("The ticket is already in this queue.")]})
    status = ticket.status
    if target.lifecycle_id != ticket.queue.lifecycle_id:
        status = Status.objects.filter(
            lifecycle_id=target.lifecycle_id, key=ticket.status.key
        ).first() or Status.objects.get(lifecycle_id=target.lifecycle_id, is_initial=True)
    old_queue_id = ticket.queue_id
    ticket.queue = target
    save_ticket(
        ticket,
        {
            "queue_id": target.pk,
            "status_id": status.pk,
            "status_category": status.category,
            "assignee_id": None,
        },
    )
    ticket.status = status
    chosen = _auto_assign(ticket, facts=_routing_facts(ticket=ticket))
    if chosen is not None:
        Ticket.objects.filter(pk=ticket.pk).update(assignee_id=chosen)
        ticket.assignee_id = chosen
    events.ticket_escalated_event(ticket, actor=actor, old_queue_id=old_queue_id, reason=reason)
    _notify_assignee(ticket, actor=actor)
    return ticket
