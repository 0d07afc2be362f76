"""The escalation sweep: claim due clocks, fire each warning/escalation level exactly once.

1. **Claim** (one autocommitted statement): ``UPDATE ... SET claim_token, claimed_until WHERE
   id IN (SELECT id ... WHERE next_action_at <= now AND lease free ORDER BY next_action_at
   LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING id``. Only ids come back - the sweep never loads
   all clocks, and workers running at once get disjoint batches (PostgreSQL skips rows another
   worker is claiming; SQLite serialises writers, and the outer ``WHERE`` re-checks the lease).
2. **Process** each claimed clock in its own transaction: re-read it under a row lock *with
   our token* (a worker whose lease expired finds the row re-claimed and backs off); for every
   level whose time has come, insert its :class:`SlaFiredLevel` row (unique per clock, cycle
   and level - a duplicate means another worker already fired it: skip) and run the level's
   database effects in the same transaction; mail and SMS are enqueued on commit (the outbox
   rows are written in the transaction). Then the next action time is recomputed and the
   lease released.

A worker killed between claim and commit leaves a lease that expires after
``LEASE_SECONDS``; nothing it did survived, so the next sweep fires the levels then. Levels
missed while no worker ran all fire on the next sweep, each once (catch-up).
"""

import datetime as dt
import logging
import secrets

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.service.sla import batch as batch_module
from kefu.service.sla import policies as policy_lookup
from kefu.service.sla.cache import compiled_calendar
from kefu.service.sla.calendar import due_from_history, from_ts, to_ts
from kefu.service.sla.clocks import clock_refresh, fired_levels

log = logging.getLogger(__name__)

LEASE_SECONDS = 120
BATCH = 200


def _table() -> str:
    from kefu.service.models import SlaClock

    return connection.ops.quote_name(SlaClock._meta.db_table)


def sla_claim(*, now: dt.datetime, token: str, limit: int = BATCH, lease: int = LEASE_SECONDS):
    """Claim up to ``limit`` clocks whose next action is due; return their ids."""
    table = _table()
    adapt = connection.ops.adapt_datetimefield_value
    until = now + dt.timedelta(seconds=lease)
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    free = "(claimed_until IS NULL OR claimed_until < %s)"
    # Only the quoted table name and fixed fragments are interpolated; values are parameters.
    sql = (
        f"UPDATE {table} SET claim_token = %s, claimed_until = %s "  # noqa: S608
        f"WHERE id IN (SELECT id FROM {table} WHERE next_action_at <= %s AND {free} "
        f"ORDER BY next_action_at LIMIT %s{lock}) AND {free} RETURNING id"
    )
    params = [token, adapt(until), adapt(now), adapt(now), int(limit), adapt(now)]
    # One statement, committed on its own in autocommit mode (no BEGIN/COMMIT round trips).
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def sla_sweep(
    *, now: dt.datetime | None = None, batch: int = BATCH, max_batches: int = 50
) -> dict[str, int]:
    """Claim and process due clocks in bounded batches; return counts (claimed, fired)."""
    now = now or timezone.now()
    totals = {"claimed": 0, "fired": 0}
    policies = _policies_current()
    for _round in range(max_batches):
        token = secrets.token_hex(8)
        ids = sla_claim(now=now, token=token, limit=batch)
        totals["claimed"] += len(ids)
        # One transaction per batch (one commit, not one per clock). Notify-only levels are
        # handled set-wise (``batch.py``); clocks with ticket-changing levels, or the whole
        # batch if the fast path fails, go one by one, each in a savepoint, so a broken clock
        # rolls back alone and is retried when its lease expires.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    fired, slow = batch_module.process_batch(
                        ids=ids, token=token, now=now, policies=policies, load_policy=_policy
                    )
                totals["fired"] += fired
            except Exception:
                log.exception("SLA batch failed; processing its clocks one by one")
                slow = ids
            for clock_id in slow:
                try:
                    totals["fired"] += sla_clock_process(
                        clock_id=clock_id, token=token, now=now, policies=policies
                    )
                except Exception:
                    log.exception("SLA clock %s failed", clock_id)
        if len(ids) < batch:
            break
    return totals


@transaction.atomic
def sla_clock_process(
    *, clock_id: int, token: str, now: dt.datetime, policies: dict | None = None
) -> int:
    """Fire the claimed clock's due levels once each, then set its next action; return fired.

    Locks the clock row; does nothing if the claim is no longer ``token`` (lease lost).
    ``policies`` caches policies across one sweep.
    """
    from kefu.service.models import SlaClock, SlaFiredLevel

    policies = {} if policies is None else policies
    clock = SlaClock.objects.select_for_update().filter(pk=clock_id, claim_token=token).first()
    if clock is None:
        return 0
    policy = _policy(clock.policy_id, policies)
    fired_count = 0
    changed_ticket = False
    done: set[int] = set()
    if policy is not None and clock.stopped_at is None:
        calendar = compiled_calendar(clock.calendar_id, fresh=False)
        started = to_ts(clock.started_at)
        pauses = [(p[0], p[1]) for p in clock.pauses]
        done = fired_levels(clock)
        levels = {lv.level: lv for lv in policy.levels.all() if lv.metric == clock.metric}
        for level, elapsed in policy_lookup.thresholds(policy, clock.metric, clock.target_seconds):
            if level in done:
                continue
            at = due_from_history(calendar, started, pauses, elapsed)
            if at is None or at > to_ts(now):
                break
            try:
                with transaction.atomic():
                    SlaFiredLevel.objects.create(
                        clock=clock,
                        cycle=clock.cycle,
                        level=level,
                        fired_at=now,
                        due_at=from_ts(at),
                    )
            except IntegrityError:
                done.add(level)
                continue  # another worker fired it
            actions = _run_level(clock, level=levels.get(level), is_warning=level == 0)
            SlaFiredLevel.objects.filter(clock=clock, cycle=clock.cycle, level=level).update(
                actions=actions
            )
            fired_count += 1
            done.add(level)
    if changed_ticket:
        # A priority raise or a new queue re-saved the clock (targets recomputed): re-read it.
        clock.refresh_from_db()
        policies.pop(clock.policy_id, None)
        policy = _policy(clock.policy_id, policies)
        done = fired_levels(clock)
    if clock.stopped_at is None and clock.calendar_id:
        calendar = compiled_calendar(clock.calendar_id, fresh=False)
        clock_refresh(clock, policy=policy, calendar=calendar, now=now, fired=done)
    clock.claim_token = ""
    clock.claimed_until = None
    clock.save(update_fields=CLOCK_FIELDS)
    return fired_count


CLOCK_FIELDS = [
    "state",
    "due_at",
    "breached_at",
    "elapsed_seconds",
    "paused_seconds",
    "running_since",
    "next_action_at",
    "claim_token",
    "claimed_until",
]


def _policy(policy_id, cache: dict):
    from kefu.service.models import SlaPolicy

    if policy_id is None:
        return None
    if policy_id not in cache:
        policy = (
            SlaPolicy.objects.prefetch_related("targets", "levels__users")
            .filter(pk=policy_id)
            .first()
        )
        cache[policy_id] = policy
        if policy is not None:
            _POLICIES[policy_id] = (policy.revision, policy)
    return cache[policy_id]


# Policies with their targets and levels, kept across sweeps while their revision holds
# (every policy write bumps it): a steady-state sweep reads one small column instead.
_POLICIES: dict[int, tuple[int, object]] = {}


def _policies_current() -> dict:
    from kefu.service.models import SlaPolicy

    revisions = dict(SlaPolicy.objects.values_list("pk", "revision"))
    for pk in list(_POLICIES):
        if revisions.get(pk) != _POLICIES[pk][0]:
            del _POLICIES[pk]
    return {pk: policy for pk, (_revision, policy) in _POLICIES.items()}


# --- actions -------------------------------------------------------------------------------------
def _run_level(clock, *, level, is_warning: bool) -> dict:
    """The level's effects, in the caller's transaction; returns what was done (for the row)."""
    from kefu.service.sla import actions

    return actions.run(clock, level=level, is_warning=is_warning)


def message_for(clock, *, is_warning: bool) -> str:
    metric = clock.get_metric_display()
    due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock.due_at else "-"
    if is_warning:
        return _("SLA warning: %(metric)s is due at %(due)s.") % {"metric": metric, "due": due}
    return _("SLA escalation: %(metric)s was due at %(due)s.") % {"metric": metric, "due": due}
