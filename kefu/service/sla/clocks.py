"""SLA clocks driven by ticket events: start, pause/resume, meet, restart and recompute.

A clock's truth is its history: ``started_at``, ``pauses`` (``[[start, end-or-null], ...]`` in
POSIX seconds) and ``stopped_at``. :func:`clock_refresh` replays it on the compiled calendar
to derive ``due_at``, ``state``, ``breached_at``, ``elapsed_seconds``, ``paused_seconds`` and
``next_action_at``, so a priority or policy change mid-life recomputes everything from the
ticket's history rather than adjusting a stored due time.

Metrics: *first response* (from creation, met by the first public agent reply), *next
response* (starts at each customer reply once the first response is done, met by the next
public agent reply), *resolution* (from creation; stops at resolved/closed, resumes on reopen
with the resolved time as a pause) and *update* (the customer hears from us every N minutes:
restarts at each public agent reply). All run only on the policy's calendar and stop in the
policy's pausing statuses (default: the waiting category).

Everything here runs inside the ticket change's transaction (the ``ticket_changed`` receiver)
with the ticket row already locked by the service that made the change.
"""

import datetime as dt

from django.db.models import Q

from kefu.service.choices import DONE_CATEGORIES, SlaClockStateChoices, SlaMetricChoices
from kefu.service.sla import policies as policy_lookup
from kefu.service.sla.cache import compiled_calendar
from kefu.service.sla.calendar import (
    due_from_history,
    elapsed_from_history,
    from_ts,
    to_ts,
)

Metric = SlaMetricChoices
State = SlaClockStateChoices
START_ON_CREATE = (Metric.FIRST_RESPONSE, Metric.RESOLUTION)


def status_pauses(policy, ticket) -> bool:
    """Whether the ticket's current status stops the clocks under ``policy``."""
    categories = policy.pause_categories or ["waiting"]
    return ticket.status_category in categories or (
        bool(policy.pause_status_keys) and ticket.status.key in policy.pause_status_keys
    )


# --- the replay --------------------------------------------------------------------------------
def clock_refresh(clock, *, policy, calendar, now: dt.datetime, fired: set[int] | None = None):
    """Derive the clock's due time, state and next action from its history (no save)."""
    now_ts = to_ts(now)
    started = to_ts(clock.started_at)
    pauses = [(p[0], p[1]) for p in clock.pauses]
    stopped = to_ts(clock.stopped_at) if clock.stopped_at else None
    horizon = stopped if stopped is not None else now_ts
    due = due_from_history(calendar, started, pauses, clock.target_seconds)
    clock.due_at = from_ts(due) if due is not None else None
    clock.elapsed_seconds = elapsed_from_history(calendar, started, pauses, horizon)
    clock.paused_seconds = sum(
        max(0, min(end if end is not None else horizon, horizon) - begin)
        for begin, end in pauses
        if begin < horizon
    )
    is_paused = bool(pauses) and pauses[-1][1] is None
    if stopped is not None:
        breached = due is not None and due < stopped
    else:
        breached = due is not None and due <= now_ts
    if breached:
        clock.state = State.BREACHED
        clock.breached_at = clock.due_at
    else:
        clock.breached_at = None
        if stopped is not None:
            clock.state = State.MET
        else:
            clock.state = State.PAUSED if is_paused else State.RUNNING
    clock.running_since = None if stopped is not None or is_paused else now
    clock.next_action_at = None
    if stopped is None and policy is not None:
        fired = fired or set()
        for level, elapsed in policy_lookup.thresholds(policy, clock.metric, clock.target_seconds):
            if level in fired:
                continue
            at = due_from_history(calendar, started, pauses, elapsed)
            clock.next_action_at = from_ts(at) if at is not None else None
            break
    return clock


def fired_levels(clock) -> set[int]:
    from kefu.service.models import SlaFiredLevel

    if clock.pk is None:
        return set()
    return set(
        SlaFiredLevel.objects.filter(clock=clock, cycle=clock.cycle).values_list("level", flat=True)
    )


def _save(clock, *, policy, now, calendar=None):
    if calendar is None or calendar.key[0] != clock.calendar_id:
        calendar = compiled_calendar(clock.calendar_id)
    clock_refresh(clock, policy=policy, calendar=calendar, now=now, fired=fired_levels(clock))
    clock.save()
    return clock


# --- events -------------------------------------------------------------------------------------
def _clock_new(ticket, *, policy, metric, now, target):
    from kefu.service.models import SlaClock

    clock = SlaClock(
        ticket=ticket,
        metric=metric,
        policy=policy,
        calendar_id=policy.calendar_id,
        target_seconds=target,
        started_at=now,
        pauses=[[to_ts(now), None]] if status_pauses(policy, ticket) else [],
    )
    return clock


def _restart(ticket, *, policy, metric, now, clocks, calendar=None):
    """Start ``metric`` now (a new cycle if the clock exists); no-op without a target."""
    target = policy_lookup.target_seconds(policy, ticket.priority, metric)
    if not target:
        return
    clock = clocks.get(metric)
    if clock is None:
        clock = _clock_new(ticket, policy=policy, metric=metric, now=now, target=target)
    else:
        clock.cycle += 1
        clock.started_at = now
        clock.stopped_at = None
        clock.target_seconds = target
        clock.pauses = [[to_ts(now), None]] if status_pauses(policy, ticket) else []
    clocks[metric] = _save(clock, policy=policy, now=now, calendar=calendar)


def _stop(clock, *, policy, now):
    if clock.stopped_at is None:
        clock.stopped_at = now
        _close_pause(clock, now)
        _save(clock, policy=policy, now=now)


def _close_pause(clock, now):
    if clock.pauses and clock.pauses[-1][1] is None:
        clock.pauses[-1][1] = max(clock.pauses[-1][0], to_ts(now))


def _clocks_of(ticket):
    from kefu.service.models import SlaClock

    return {c.metric: c for c in SlaClock.objects.filter(ticket=ticket).select_for_update()}


def on_created(ticket, *, now):
    policy = policy_lookup.policy_for(ticket)
    if policy is None:
        return
    # Both clocks run on the policy's calendar, and are written with one INSERT.
    calendar = compiled_calendar(policy.calendar_id)
    new = []
    for metric in START_ON_CREATE:
        target = policy_lookup.target_seconds(policy, ticket.priority, metric)
        if not target:
            continue
        clock = _clock_new(ticket, policy=policy, metric=metric, now=now, target=target)
        new.append(clock_refresh(clock, policy=policy, calendar=calendar, now=now, fired=set()))
    if new:
        from kefu.service.models import SlaClock

        SlaClock.objects.bulk_create(new)


def on_status_changed(ticket, *, now):
    """Pause, resume, stop (resolved/closed) or reopen the live clocks."""
    clocks = _clocks_of(ticket)
    if not clocks:
        return
    policy = _policy_of(clocks)
    if policy is None:
        return
    done = ticket.status_category in DONE_CATEGORIES
    pausing = status_pauses(policy, ticket)
    for clock in clocks.values():
        if done:
            _stop(clock, policy=policy, now=now)
            continue
        if clock.stopped_at is not None:
            # Reopened: only the resolution clock resumes; the resolved time is a pause.
            if clock.metric != Metric.RESOLUTION:
                continue
            clock.pauses.append([to_ts(clock.stopped_at), None if pausing else to_ts(now)])
            clock.stopped_at = None
            _save(clock, policy=policy, now=now)
            continue
        is_paused = bool(clock.pauses) and clock.pauses[-1][1] is None
        if pausing and not is_paused:
            clock.pauses.append([to_ts(now), None])
        elif not pausing and is_paused:
            _close_pause(clock, now)
        else:
            continue
        _save(clock, policy=policy, now=now)


def on_replied(ticket, *, now, from_customer: bool, entry):
    clocks = _clocks_of(ticket)
    policy = _policy_of(clocks) or (policy_lookup.policy_for(ticket) if not clocks else None)
    if policy is None:
        return
    first = clocks.get(Metric.FIRST_RESPONSE)
    if from_customer:
        first_done = first is None or first.stopped_at is not None
        nxt = clocks.get(Metric.NEXT_RESPONSE)
        if first_done and (nxt is None or nxt.stopped_at is not None):
            _restart(ticket, policy=policy, metric=Metric.NEXT_RESPONSE, now=now, clocks=clocks)
        return
    if getattr(entry, "kind", "reply") != "reply":
        return
    for metric in (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE):
        clock = clocks.get(metric)
        if clock is not None:
            _stop(clock, policy=policy, now=now)
    if ticket.status_category not in DONE_CATEGORIES:
        _restart(ticket, policy=policy, metric=Metric.UPDATE, now=now, clocks=clocks)


def on_recompute(ticket, *, now):
    """Priority, queue, type or organization changed: re-match the policy, replay the history.

    A new policy may pause in other statuses: the current status is re-evaluated (earlier
    pauses stay as recorded). Metrics the new policy does not measure are stopped.
    """
    clocks = _clocks_of(ticket)
    policy = policy_lookup.policy_for(ticket)
    if not clocks:
        if policy is not None and ticket.status_category not in DONE_CATEGORIES:
            on_created(ticket, now=now)
        return
    for clock in clocks.values():
        target = (
            policy_lookup.target_seconds(policy, ticket.priority, clock.metric) if policy else None
        )
        if not target:
            if clock.stopped_at is None:
                clock.stopped_at = now
                _close_pause(clock, now)
                clock.next_action_at = None
                clock.state = State.MET if clock.state != State.BREACHED else clock.state
                clock.save()
            continue
        changed_policy = clock.policy_id != policy.pk
        clock.policy = policy
        clock.calendar_id = policy.calendar_id
        clock.target_seconds = target
        if changed_policy and clock.stopped_at is None:
            is_paused = bool(clock.pauses) and clock.pauses[-1][1] is None
            pausing = status_pauses(policy, ticket)
            if pausing and not is_paused:
                clock.pauses.append([to_ts(now), None])
            elif not pausing and is_paused:
                _close_pause(clock, now)
        _save(clock, policy=policy, now=now)


def _policy_of(clocks):
    from kefu.service.configuration import desk_config
    from kefu.service.models import SlaPolicy

    ids = {c.policy_id for c in clocks.values() if c.policy_id}
    if not ids:
        return None
    # The active policies are in the configuration snapshot (in their order); a clock may
    # still run on a policy deactivated since: then read them.
    active = [p for p in desk_config().sla_policies if p.pk in ids]
    if len(active) == len(ids):
        return active[0]
    return SlaPolicy.objects.prefetch_related("targets", "levels").filter(pk__in=ids).first()


def live_clocks_q() -> Q:
    return Q(stopped_at__isnull=True)
