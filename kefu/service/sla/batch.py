"""The sweep's fast path: a whole claimed batch with a constant number of queries.

Levels that only notify (the warning, "mail the supervisors", "text the customer") are the
steady-state traffic. For them the batch is handled set-wise inside the sweep's transaction:
one read of the claimed clocks, one of their fired levels, one of their tickets, one of the
queues' supervisors; one ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` of the fired rows
(only rows this worker inserted get their notifications - exactly once even if two workers
raced); one ``bulk_update`` of the clocks' next action and lease. Clocks with a level that
changes the ticket (reassign, raise priority, followers) go through
``sweep.sla_clock_process`` one by one, because those effects run the desk's services.
"""

import datetime as dt
import json
from types import SimpleNamespace

from django.db import connection

from kefu.service.choices import SlaRecipientChoices
from kefu.service.sla import actions
from kefu.service.sla import policies as policy_lookup
from kefu.service.sla.cache import compiled_calendar
from kefu.service.sla.calendar import due_from_history, from_ts, to_ts
from kefu.service.sla.clocks import clock_refresh

Recipient = SlaRecipientChoices


def _has_ticket_effects(level) -> bool:
    return bool(level and (level.raise_priority or level.reassign_queue_id or level.add_followers))


def process_batch(*, ids, token: str, now: dt.datetime, policies: dict, load_policy) -> tuple:
    """Fire the notify-only levels of the claimed clocks ``ids``; return ``(fired, slow_ids)``.

    ``slow_ids``: claimed clocks with a ticket-changing level due, left for the caller.
    """
    from kefu.service.models import QueueMembership, SlaClock, SlaFiredLevel, Ticket

    clocks = list(SlaClock.objects.select_for_update().filter(pk__in=ids, claim_token=token))
    fired_rows: dict[int, set[int]] = {}
    for clock_id, cycle, level in SlaFiredLevel.objects.filter(clock_id__in=ids).values_list(
        "clock_id", "cycle", "level"
    ):
        fired_rows.setdefault(clock_id, set()).add((cycle, level))
    now_ts = to_ts(now)
    plans, slow, fast = [], [], []
    for clock in clocks:
        policy = load_policy(clock.policy_id, policies)
        done = {lv for cyc, lv in fired_rows.get(clock.pk, ()) if cyc == clock.cycle}
        due_levels = []
        if policy is not None and clock.stopped_at is None:
            calendar = compiled_calendar(clock.calendar_id, fresh=False)
            started = to_ts(clock.started_at)
            pauses = [(p[0], p[1]) for p in clock.pauses]
            levels = {lv.level: lv for lv in policy.levels.all() if lv.metric == clock.metric}
            for number, elapsed in policy_lookup.thresholds(
                policy, clock.metric, clock.target_seconds
            ):
                if number in done:
                    continue
                at = due_from_history(calendar, started, pauses, elapsed)
                if at is None or at > now_ts:
                    break
                due_levels.append((number, at, levels.get(number)))
        if any(_has_ticket_effects(level) for _n, _at, level in due_levels):
            slow.append(clock.pk)
            continue
        fast.append((clock, policy, done))
        plans.extend((clock, number, at, level) for number, at, level in due_levels)
    fired: set = set()
    if plans:
        fired = _fire(plans, now=now, ticket_model=Ticket, membership_model=QueueMembership)
    # Next actions: every planned level is now fired (by us or, on conflict, by someone else).
    planned: dict[int, set[int]] = {}
    for clock, number, _at, _level in plans:
        planned.setdefault(clock.pk, set()).add(number)
    for clock, policy, done in fast:
        if clock.stopped_at is None and clock.calendar_id:
            calendar = compiled_calendar(clock.calendar_id, fresh=False)
            clock_refresh(
                clock,
                policy=policy,
                calendar=calendar,
                now=now,
                fired=done | planned.get(clock.pk, set()),
            )
        clock.claim_token = ""
        clock.claimed_until = None
    if fast:
        _write_clocks([c for c, _p, _d in fast])
    return len(fired), slow


def _write_clocks(clocks) -> None:
    """One ``UPDATE ... FROM (VALUES ...)`` for the batch's clocks (releases their leases).

    ``bulk_update`` would build a CASE per field and row - slower than the whole sweep.
    """
    from kefu.service.models import SlaClock

    table = connection.ops.quote_name(SlaClock._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    params = []
    for c in clocks:
        params += [
            c.pk,
            c.state,
            adapt(c.due_at),
            adapt(c.breached_at),
            c.elapsed_seconds,
            c.paused_seconds,
            adapt(c.running_since),
            adapt(c.next_action_at),
        ]
    if connection.vendor == "postgresql":
        row = "(%s::bigint, %s::varchar, %s::timestamptz, %s::timestamptz, %s::int, %s::int, "
        row += "%s::timestamptz, %s::timestamptz)"
        sql = (
            f"UPDATE {table} AS c SET state = v.state, due_at = v.due, breached_at = v.br, "  # noqa: S608
            "elapsed_seconds = v.el, paused_seconds = v.pa, running_since = v.rs, "
            "next_action_at = v.na, claim_token = '', claimed_until = NULL "
            f"FROM (VALUES {','.join([row] * len(clocks))}) AS v(id, state, due, br, el, pa, rs, na) "
            "WHERE c.id = v.id"
        )
    else:
        # SQLite plans UPDATE ... FROM (VALUES) as a table scan: update by primary key instead.
        sql = (
            f"UPDATE {table} SET state = %s, due_at = %s, breached_at = %s, "  # noqa: S608
            "elapsed_seconds = %s, paused_seconds = %s, running_since = %s, "
            "next_action_at = %s, claim_token = '', claimed_until = NULL WHERE id = %s"
        )
        rows = [[*params[k + 1 : k + 8], params[k]] for k in range(0, len(params), 8)]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _fire(plans, *, now, ticket_model, membership_model) -> set[tuple[int, int]]:
    """Insert the fired rows (skipping any another worker wrote), then notify for ours."""
    from kefu.service.sla.sweep import message_for

    ticket_ids = {clock.ticket_id for clock, _n, _a, _l in plans}
    tickets = {
        row["id"]: SimpleNamespace(**row)
        for row in ticket_model.objects.filter(pk__in=ticket_ids).values(
            "id", "number", "assignee_id", "queue_id", "organization_id", "requester_id"
        )
    }
    supervisors: dict[int, set[int]] = {}
    for queue_id, user_id in membership_model.objects.filter(
        queue_id__in={t.queue_id for t in tickets.values()}, is_supervisor=True
    ).values_list("queue_id", "user_id"):
        supervisors.setdefault(queue_id, set()).add(user_id)
    owners = _owners(plans, tickets)
    rows, sends = [], {}
    for clock, number, at, level in plans:
        ticket = tickets[clock.ticket_id]
        is_warning = number == 0 or level is None
        roles = (
            [Recipient.ASSIGNEE] if is_warning else list(level.recipients or [])
        )  # warning: the assignee, else the queue supervisors
        staff = set()
        if Recipient.ASSIGNEE in roles and ticket.assignee_id:
            staff.add(ticket.assignee_id)
        if Recipient.QUEUE_SUPERVISORS in roles or (is_warning and not staff):
            staff |= supervisors.get(ticket.queue_id, set())
        if Recipient.ACCOUNT_OWNER in roles and owners.get(ticket.organization_id):
            staff.add(owners[ticket.organization_id])
        if not is_warning:
            staff |= {u.pk for u in level.users.all()}
        done = {
            "level": number,
            "mailed": sorted(staff) if is_warning or level.notify_email else [],
        }
        rows.append((clock.pk, clock.cycle, number, at, json.dumps(done)))
        sends[(clock.pk, number)] = (clock, ticket, sorted(staff), is_warning, level, roles)
    inserted = _insert(rows, now)
    for key in inserted:
        clock, ticket, staff, is_warning, level, roles = sends[key]
        text = message_for(clock, is_warning=is_warning)
        ticket_obj = SimpleNamespace(
            pk=ticket.id, number=ticket.number, requester_id=ticket.requester_id
        )
        if is_warning or level.notify_email:
            actions._mail_staff(
                ticket_obj, staff, text, event="sla_warning" if is_warning else "sla_escalation"
            )
            if not is_warning and Recipient.REQUESTER in roles:
                actions._mail_requester(ticket_obj, actions.customer_text(ticket_obj))
        if not is_warning and level.notify_sms:
            actions._text(ticket_obj, staff, text, requester=Recipient.REQUESTER in roles)
    return inserted


def _owners(plans, tickets) -> dict[int, int]:
    wanted = {
        tickets[clock.ticket_id].organization_id
        for clock, number, _a, level in plans
        if number and level is not None and Recipient.ACCOUNT_OWNER in (level.recipients or [])
    } - {None}
    if not wanted:
        return {}
    from kefu.customers import facade as customers

    summaries = customers.organization_summaries(sorted(wanted))
    return {org_id: s.get("owner_id") for org_id, s in summaries.items() if s.get("owner_id")}


def _insert(rows, now) -> set[tuple[int, int]]:
    from kefu.service.models import SlaFiredLevel

    table = connection.ops.quote_name(SlaFiredLevel._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    values = ",".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params = []
    for clock_id, cycle, level, at, actions_json in rows:
        params += [clock_id, cycle, level, adapt(now), adapt(from_ts(at)), actions_json]
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    if cast:
        values = ",".join(["(%s, %s, %s, %s, %s, %s::jsonb)"] * len(rows))
    sql = (
        f"INSERT INTO {table} (clock_id, cycle, level, fired_at, due_at, actions) "  # noqa: S608
        f"VALUES {values} ON CONFLICT (clock_id, cycle, level) DO NOTHING "
        "RETURNING clock_id, level"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(row[0], row[1]) for row in cursor.fetchall()}
