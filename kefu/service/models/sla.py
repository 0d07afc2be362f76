"""SLA: business calendars, policies with targets and escalation chains, and per-ticket clocks.

A :class:`SlaPolicy` (matched in ``order`` by conditions) sets per-priority :class:`SlaTarget`
rows and measures them on a :class:`BusinessCalendar`. Each open ticket has one
:class:`SlaClock` per metric; the sweep (``kefu.service.sla.sweep``) fires the policy's warning
and :class:`SlaEscalationLevel` rows when a clock's ``next_action_at`` passes, recording each
in :class:`SlaFiredLevel` (unique per clock, cycle and level: exactly once).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel, TranslatedNameModel
from kefu.service.choices import (
    PriorityChoices,
    SlaClockStateChoices,
    SlaExceptionKindChoices,
    SlaMetricChoices,
    SlaRecipientChoices,
    WeekdayChoices,
)


class BusinessCalendar(TimeStampedModel, TranslatedNameModel):
    """When the service desk works: weekday intervals, dated exceptions and a time zone.

    ``intervals`` hold the working hours of each weekday (several per day, e.g. a lunch break);
    ``exceptions`` mark a date a holiday or a make-up workday (调休, worked with the hours of a
    normal workday). ``is_24x7`` ignores both. ``revision`` is bumped on every change so the
    compiled in-memory calendar (``kefu.service.sla.calendar``) is rebuilt.
    ``source`` ``chinese_calendar`` marks a calendar whose exceptions ``kefu sla_sync_holidays``
    refreshes from the ``chinesecalendar`` library.
    """

    key = models.SlugField(_("key"), max_length=40, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    is_24x7 = models.BooleanField(_("24×7"), default=False)
    source = models.CharField(_("source"), max_length=30, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")


class BusinessCalendarInterval(models.Model):
    """Working hours on one weekday of a calendar, ``start`` to ``end`` in local wall time."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WeekdayChoices.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        ordering = ["calendar_id", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="sla_iv_order"
            )
        ]
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class BusinessCalendarException(models.Model):
    """A dated exception: a holiday (no work) or a make-up workday (normal workday hours)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=SlaExceptionKindChoices.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["calendar_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_exception_date")
        ]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class SlaPolicy(TimeStampedModel, TranslatedNameModel):
    """A promise: targets per priority on a calendar, for the tickets its conditions match.

    Policies are tried in ``order``; the first active one whose every non-empty condition holds
    wins. Empty condition lists match anything. ``pause_categories``/``pause_status_keys`` name
    the statuses in which clocks stop (default: the waiting category). The warning fires at
    ``warn_percent`` of the target or ``warn_minutes_before`` it, whichever comes first.
    """

    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    tier_keys = models.JSONField(_("organization tiers"), default=list, blank=True)
    service_levels = models.JSONField(_("contract service levels"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    ticket_types = models.JSONField(_("ticket types"), default=list, blank=True)
    queue_keys = models.JSONField(_("queues"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    pause_categories = models.JSONField(_("pausing status categories"), default=list, blank=True)
    pause_status_keys = models.JSONField(_("pausing statuses"), default=list, blank=True)
    warn_percent = models.PositiveSmallIntegerField(_("warn at % of target"), null=True, blank=True)
    warn_minutes_before = models.PositiveIntegerField(
        _("warn minutes before due"), null=True, blank=True
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")


class SlaTarget(models.Model):
    """The targets of one priority under a policy, in business minutes of its calendar."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(_("priority"), choices=PriorityChoices.choices)
    first_response_minutes = models.PositiveIntegerField(
        _("first response (minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (minutes)"), null=True, blank=True
    )
    update_every_minutes = models.PositiveIntegerField(
        _("update the customer every (minutes)"), null=True, blank=True
    )

    class Meta:
        ordering = ["policy_id", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="sla_target_priority")
        ]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")

    def __str__(self) -> str:
        return f"{self.policy_id}:P{self.priority}"

    def minutes_for(self, metric: str) -> int | None:
        """The target of ``metric`` in business minutes (None: not measured)."""
        field = "update_every_minutes" if metric == "update" else f"{metric}_minutes"
        return getattr(self, field)


class SlaEscalationLevel(models.Model):
    """One step of a policy's escalation chain for a metric.

    Fires when the clock's business time elapsed reaches the target plus ``offset_minutes``
    (negative: before the breach, e.g. the customer's SMS warning). Its actions: mail and/or
    text the ``recipients`` (roles) and ``users``, move the ticket to ``reassign_queue``,
    raise the priority one step, add ``users`` as followers.
    """

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="levels")
    metric = models.CharField(_("metric"), max_length=20, choices=SlaMetricChoices.choices)
    level = models.PositiveSmallIntegerField(_("level"))
    offset_minutes = models.IntegerField(_("minutes after the breach"), default=0)
    notify_email = models.BooleanField(_("notify by email"), default=True)
    notify_sms = models.BooleanField(_("notify by SMS"), default=False)
    recipients = models.JSONField(
        _("recipients"), default=list, blank=True, help_text=str(SlaRecipientChoices.values)
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("users"), blank=True, related_name="+"
    )
    reassign_queue = models.ForeignKey(
        "service.Queue",
        verbose_name=_("reassign to queue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raise_priority = models.BooleanField(_("raise priority"), default=False)
    add_followers = models.BooleanField(_("add the users as followers"), default=False)

    class Meta:
        ordering = ["policy_id", "metric", "level"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "metric", "level"], name="sla_level_unique")
        ]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")

    def __str__(self) -> str:
        return f"{self.policy_id}:{self.metric}:{self.level}"


class SlaClock(models.Model):
    """One metric's clock on one ticket (first response, next response, resolution, update).

    ``started_at`` and ``pauses`` (``[[start, end-or-null], ...]`` ISO times) are the history the
    due time is replayed from; ``elapsed_seconds`` is business time counted up to
    ``running_since`` (null while paused or stopped). ``cycle`` counts restarts (next response
    restarts at each customer reply). ``next_action_at`` is the earliest unfired warning or
    escalation; the sweep claims rows by it with ``claim_token``/``claimed_until`` (a lease).
    """

    ticket = models.ForeignKey(
        "service.Ticket", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    metric = models.CharField(_("metric"), max_length=20, choices=SlaMetricChoices.choices)
    policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks"
    )
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks"
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=SlaClockStateChoices.choices,
        default=SlaClockStateChoices.RUNNING,
    )
    cycle = models.PositiveIntegerField(default=1)
    target_seconds = models.PositiveIntegerField(_("target (seconds)"))
    started_at = models.DateTimeField(_("started"))
    running_since = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.PositiveIntegerField(_("elapsed (business seconds)"), default=0)
    paused_seconds = models.PositiveIntegerField(_("paused (seconds)"), default=0)
    pauses = models.JSONField(default=list, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    next_action_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="sla_clock_metric")
        ]
        indexes = [
            models.Index(fields=["due_at"], name="sla_clock_due"),
            models.Index(fields=["next_action_at"], name="sla_clock_next_action"),
        ]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.metric}:{self.state}"


class SlaFiredLevel(models.Model):
    """A warning (level 0) or escalation level that has run for one cycle of a clock.

    Written in the same transaction as the level's effects; the unique constraint makes a
    second sweep (or a sweep after a crash) skip it.
    """

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="fired")
    cycle = models.PositiveIntegerField()
    level = models.PositiveSmallIntegerField()
    fired_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="When the level was due (catch-up shows the gap).")
    actions = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clock", "cycle", "level"], name="sla_fired_once")
        ]
        verbose_name = _("fired escalation")
        verbose_name_plural = _("fired escalations")

    def __str__(self) -> str:
        return f"{self.clock_id}:{self.cycle}:{self.level}"
