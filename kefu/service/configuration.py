"""The desk's configuration as one in-memory snapshot per process (see ``kefu.core.configstamp``).

Creating a ticket consults queues, initial statuses, routing rules, the priority matrix, the
category tree, the ticket custom fields and the SLA policies. :func:`desk_config` returns them
all for the cost of one one-row query; any save or delete of those rows (through the admin
screens, the services, fixtures) gives the configuration a new token in its own transaction,
so the next ticket in every process sees the change.

The objects in a snapshot are shared by every request of the process: read them, never change
or save them.
"""

from dataclasses import dataclass

from kefu.core.configstamp import register_models, snapshot
from kefu.service.choices import PriorityChoices

SNAPSHOT = "service.desk"
TICKET_CUSTOM_FIELDS = "service.ticket"


@dataclass(frozen=True)
class DeskConfig:
    """What a new ticket is routed, prioritised and timed by."""

    queues: dict  # active queues by id
    default_queue: object | None  # the active default queue
    initial_statuses: dict  # lifecycle id -> its initial Status
    routing_rules: tuple  # active rules on active queues, in order, with their queue
    matrix: dict  # (impact, urgency) -> priority
    categories: dict  # category id -> its key and its ancestors' keys, nearest first
    ticket_custom_fields: tuple  # active CustomFieldDefinitions of tickets, in order
    sla_policies: tuple  # active SlaPolicies in order, targets and levels prefetched
    statuses: dict  # lifecycle id -> its Statuses in order (the ticket page's status panel)
    active_categories: tuple  # active Categories in order (the category pickers)

    def priority(self, impact: int, urgency: int) -> int:
        """The priority the impact x urgency matrix gives (medium if the cell is missing)."""
        return self.matrix.get((impact, urgency)) or PriorityChoices.MEDIUM


def _build() -> DeskConfig:
    from kefu.core.customfields import load_definitions
    from kefu.service.models import (
        Category,
        PriorityMatrixEntry,
        Queue,
        RoutingRule,
        SlaPolicy,
        Status,
    )

    queues = {q.pk: q for q in Queue.objects.filter(is_active=True)}
    default = next((q for q in queues.values() if q.is_default), None)
    initial: dict = {}
    statuses: dict = {}
    for status in Status.objects.order_by("lifecycle_id", "order", "id"):
        statuses.setdefault(status.lifecycle_id, []).append(status)
        if status.is_initial:
            initial.setdefault(status.lifecycle_id, status)
    rules = []
    for rule in RoutingRule.objects.filter(is_active=True).order_by("order", "id"):
        if rule.queue_id in queues:
            rule.queue = queues[rule.queue_id]
            rules.append(rule)
    parents = {
        pk: (key, parent)
        for pk, key, parent in Category.objects.values_list("pk", "key", "parent_id")
    }
    categories = {}
    for pk in parents:
        keys, node, seen = [], pk, set()
        while node is not None and node not in seen and node in parents:
            seen.add(node)
            keys.append(parents[node][0])
            node = parents[node][1]
        categories[pk] = tuple(keys)
    policies = SlaPolicy.objects.filter(is_active=True).prefetch_related("targets", "levels")
    return DeskConfig(
        queues=queues,
        default_queue=default,
        initial_statuses=initial,
        routing_rules=tuple(rules),
        matrix={
            (impact, urgency): priority
            for impact, urgency, priority in PriorityMatrixEntry.objects.values_list(
                "impact", "urgency", "priority"
            )
        },
        categories=categories,
        ticket_custom_fields=tuple(load_definitions(TICKET_CUSTOM_FIELDS)),
        sla_policies=tuple(policies.order_by("order", "id")),
        statuses={lifecycle: tuple(rows) for lifecycle, rows in statuses.items()},
        active_categories=tuple(Category.objects.filter(is_active=True)),
    )


def desk_config() -> DeskConfig:
    """The current desk configuration (one query while nothing changed)."""
    return snapshot(SNAPSHOT, _build)


def register() -> None:
    """Give the configuration a new token whenever one of its rows changes (``ready``)."""
    from kefu.service import models as m

    register_models(
        m.Queue,
        m.Lifecycle,
        m.Status,
        m.RoutingRule,
        m.PriorityMatrixEntry,
        m.Category,
        m.SlaPolicy,
        m.SlaTarget,
        m.SlaEscalationLevel,
        # Compiled business calendars (``sla.cache``) are snapshots too. Their hours and
        # exceptions are written in bulk by the calendar services, which bump the stamp once
        # (a receiver per row would write it hundreds of times for a holiday sync).
        m.BusinessCalendar,
    )
