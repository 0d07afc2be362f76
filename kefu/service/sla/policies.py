"""Which SLA policy a ticket falls under, and the contract hook.

Policies are tried in ``order``; every non-empty condition list must contain the ticket's
value. The contract service level comes from providers registered with
:func:`register_service_level_provider` (the contracts module registers one in
``AppConfig.ready``); with none registered, or when all answer None, it is None and only
policies without a service-level condition match.
"""

from collections.abc import Callable
from dataclasses import dataclass

_PROVIDERS: list[Callable] = []


def register_service_level_provider(provider: Callable) -> None:
    """Add ``provider(ticket) -> str | None`` (a contract's service level for the ticket)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def service_level_for(ticket) -> str | None:
    """The first service level a provider gives for ``ticket`` (None: no contract says)."""
    for provider in _PROVIDERS:
        level = provider(ticket)
        if level:
            return str(level)
    return None


@dataclass(frozen=True)
class TicketFacts:
    tier_key: str | None
    service_level: str | None
    priority: int
    ticket_type: str
    queue_key: str | None
    channel: str


def ticket_facts(ticket) -> TicketFacts:
    """What policies match on, read with at most two small queries."""
    from kefu.customers import facade as customers

    tier_key = None
    # ticket_create leaves (organization id, tier key) on a new ticket: no second read.
    known = getattr(ticket, "organization_tier", None)
    if known is not None and known[0] == ticket.organization_id:
        tier_key = known[1]
    elif ticket.organization_id:
        summary = customers.organization_get_summary(ticket.organization_id)
        tier_key = (summary or {}).get("tier_key")
    queue_key = ticket.queue.key if ticket.queue_id else None
    return TicketFacts(
        tier_key=tier_key,
        service_level=service_level_for(ticket),
        priority=int(ticket.priority),
        ticket_type=ticket.ticket_type,
        queue_key=queue_key,
        channel=ticket.channel,
    )


def policy_matches(policy, facts: TicketFacts) -> bool:
    checks = (
        (policy.tier_keys, facts.tier_key),
        (policy.service_levels, facts.service_level),
        (policy.priorities, facts.priority),
        (policy.ticket_types, facts.ticket_type),
        (policy.queue_keys, facts.queue_key),
        (policy.channels, facts.channel),
    )
    return all(not wanted or value in wanted for wanted, value in checks)


def policy_for(ticket):
    """The first active matching policy (with targets and levels prefetched), or None.

    Policies come from the desk's configuration snapshot (shared: do not change them).
    """
    from kefu.service.configuration import desk_config

    policies = desk_config().sla_policies
    facts = ticket_facts(ticket)
    return next((p for p in policies if policy_matches(p, facts)), None)


def target_seconds(policy, priority: int, metric: str) -> int | None:
    """The policy's target for ``metric`` at ``priority`` in seconds (None: not measured)."""
    for target in policy.targets.all():
        if target.priority == priority:
            minutes = target.minutes_for(metric)
            return minutes * 60 if minutes else None
    return None


def thresholds(policy, metric: str, target: int) -> list[tuple[int, int]]:
    """``(level, elapsed seconds)`` at which the warning (level 0) and each level fire, sorted.

    The warning fires at ``warn_percent`` of the target or ``warn_minutes_before`` the due
    time, whichever is earlier; levels at the target plus their offset (business time).
    """
    result = []
    warn = []
    if policy.warn_percent:
        warn.append(target * policy.warn_percent // 100)
    if policy.warn_minutes_before:
        warn.append(target - policy.warn_minutes_before * 60)
    if warn:
        result.append((0, max(0, min(warn))))
    for level in policy.levels.all():
        if level.metric == metric:
            result.append((level.level, max(0, target + level.offset_minutes * 60)))
    result.sort(key=lambda pair: (pair[1], pair[0]))
    return result
