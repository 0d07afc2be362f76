"""Forms of the SLA screens: calendars (hours per weekday, exceptions) and policies.

Forms parse text into the shapes ``services/sla.py`` takes; the services validate. Per-day
problems (overlap, end before start) are reported on that day's field.
"""

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kefu.service.choices import (
    PriorityChoices,
    SlaExceptionKindChoices,
    SlaMetricChoices,
    SlaRecipientChoices,
    StatusCategoryChoices,
    TicketChannelChoices,
    TicketTypeChoices,
)
from kefu.service.models import BusinessCalendar, Queue
from kefu.service.services.sla import TARGET_FIELDS, calendar_validate

DAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _parse_spans(text: str) -> list[tuple[dt.time, dt.time]]:
    spans = []
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip().replace("–", "-")
        if not part:
            continue
        try:
            start, end = (dt.time.fromisoformat(x.strip()) for x in part.split("-"))
        except ValueError as exc:
            raise ValidationError(_("Write hours like 09:00-12:00, 13:30-18:00.")) from exc
        spans.append((start, end))
    return spans


class CalendarForm(forms.Form):
    key = forms.SlugField(label=_("key"), max_length=40)
    name = forms.CharField(label=_("name (English)"), max_length=100, required=False)
    name_zh_hans = forms.CharField(label=_("name (Chinese)"), max_length=100, required=False)
    time_zone = forms.CharField(label=_("time zone"), max_length=64, initial="Asia/Shanghai")
    is_24x7 = forms.BooleanField(label=_("24×7"), required=False)
    monday = forms.CharField(label=_("Monday"), required=False)
    tuesday = forms.CharField(label=_("Tuesday"), required=False)
    wednesday = forms.CharField(label=_("Wednesday"), required=False)
    thursday = forms.CharField(label=_("Thursday"), required=False)
    friday = forms.CharField(label=_("Friday"), required=False)
    saturday = forms.CharField(label=_("Saturday"), required=False)
    sunday = forms.CharField(label=_("Sunday"), required=False)
    exceptions = forms.CharField(
        label=_("Holidays and make-up workdays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line: 2026-10-01 holiday National Day, or 2026-10-10 workday."),
    )

    @classmethod
    def initial_for(cls, calendar: BusinessCalendar) -> dict:
        by_day: dict[int, list[str]] = {}
        for iv in calendar.intervals.all():
            by_day.setdefault(iv.weekday, []).append(f"{iv.start:%H:%M}-{iv.end:%H:%M}")
        initial = {
            "key": calendar.key,
            "name": calendar.name,
            "name_zh_hans": calendar.name_zh_hans,
            "time_zone": calendar.time_zone,
            "is_24x7": calendar.is_24x7,
            "exceptions": "\n".join(
                f"{e.date:%Y-%m-%d} {e.kind} {e.name}".strip() for e in calendar.exceptions.all()
            ),
        }
        for index, field in enumerate(DAY_FIELDS):
            initial[field] = ", ".join(by_day.get(index, []))
        return initial

    def clean(self):
        data = super().clean()
        intervals = []
        for index, field in enumerate(DAY_FIELDS):
            try:
                spans = _parse_spans(data.get(field, ""))
            except ValidationError as exc:
                self.add_error(field, exc)
                continue
            day = [(index, start, end) for start, end in spans]
            errors = calendar_validate(time_zone="UTC", is_24x7=True, intervals=day)
            for message in errors.get("intervals", []):
                self.add_error(field, message)
            intervals.extend(day)
        data["intervals"] = intervals
        exceptions = []
        kinds = set(SlaExceptionKindChoices.values)
        for number, line in enumerate((data.get("exceptions") or "").splitlines(), start=1):
            parts = line.split(None, 2)
            if not parts:
                continue
            try:
                day = dt.date.fromisoformat(parts[0])
            except ValueError:
                day = None
            kind = parts[1] if len(parts) > 1 else ""
            if day is None or kind not in kinds:
                self.add_error(
                    "exceptions",
                    _("Line %(number)s: write a date, then holiday or workday.")
                    % {"number": number},
                )
                continue
            exceptions.append((day, kind, parts[2] if len(parts) > 2 else ""))
        data["exception_rows"] = exceptions
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "key": data["key"],
            "name": data["name"],
            "name_zh_hans": data["name_zh_hans"],
            "time_zone": data["time_zone"].strip(),
            "is_24x7": data["is_24x7"],
            "intervals": data["intervals"],
            "exceptions": data["exception_rows"],
        }


METRIC_LABELS = {
    "first_response_minutes": _("first response"),
    "next_response_minutes": _("next response"),
    "resolution_minutes": _("resolution"),
    "update_every_minutes": _("update every"),
}


def _queue_choices():
    return [(q.key, q.label) for q in Queue.objects.filter(is_active=True)]


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("name (English)"), max_length=100, required=False)
    name_zh_hans = forms.CharField(label=_("name (Chinese)"), max_length=100, required=False)
    calendar = forms.ModelChoiceField(label=_("calendar"), queryset=BusinessCalendar.objects.all())
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=32000, initial=100)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    tier_keys = forms.CharField(
        label=_("organization tiers (keys, comma-separated)"), required=False
    )
    service_levels = forms.CharField(
        label=_("contract service levels (comma-separated)"), required=False
    )
    priorities = forms.TypedMultipleChoiceField(
        label=_("priorities"), choices=PriorityChoices.choices, coerce=int, required=False
    )
    ticket_types = forms.MultipleChoiceField(
        label=_("ticket types"), choices=TicketTypeChoices.choices, required=False
    )
    queue_keys = forms.MultipleChoiceField(label=_("queues"), choices=(), required=False)
    channels = forms.MultipleChoiceField(
        label=_("channels"), choices=TicketChannelChoices.choices, required=False
    )
    pause_categories = forms.MultipleChoiceField(
        label=_("pausing status categories"),
        choices=[(StatusCategoryChoices.WAITING, StatusCategoryChoices.WAITING.label)],
        required=False,
        initial=["waiting"],
    )
    pause_status_keys = forms.CharField(
        label=_("pausing statuses (keys, comma-separated)"), required=False
    )
    warn_percent = forms.IntegerField(label=_("warn at % of target"), required=False)
    warn_minutes_before = forms.IntegerField(label=_("warn minutes before due"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue_keys"].choices = _queue_choices()
        for priority, label in PriorityChoices.choices:
            for field in TARGET_FIELDS:
                self.fields[f"target_{priority}_{field}"] = forms.IntegerField(
                    label=f"{label} · {METRIC_LABELS[field]}", required=False
                )

    @classmethod
    def initial_for(cls, policy) -> dict:
        initial = {
            "name": policy.name,
            "name_zh_hans": policy.name_zh_hans,
            "calendar": policy.calendar_id,
            "order": policy.order,
            "is_active": policy.is_active,
            "tier_keys": ", ".join(policy.tier_keys),
            "service_levels": ", ".join(policy.service_levels),
            "priorities": policy.priorities,
            "ticket_types": policy.ticket_types,
            "queue_keys": policy.queue_keys,
            "channels": policy.channels,
            "pause_categories": policy.pause_categories,
            "pause_status_keys": ", ".join(policy.pause_status_keys),
            "warn_percent": policy.warn_percent,
            "warn_minutes_before": policy.warn_minutes_before,
        }
        for target in policy.targets.all():
            for field in TARGET_FIELDS:
                initial[f"target_{target.priority}_{field}"] = getattr(target, field)
        return initial

    def service_values(self) -> dict:
        data = self.cleaned_data

        def words(text):
            return [w.strip() for w in (text or "").replace("，", ",").split(",") if w.strip()]

        targets = {}
        for priority in PriorityChoices.values:
            values = {f: data.get(f"target_{priority}_{f}") for f in TARGET_FIELDS}
            if any(v is not None for v in values.values()):
                targets[priority] = values
        return {
            "name": data["name"],
            "name_zh_hans": data["name_zh_hans"],
            "calendar_id": data["calendar"].pk,
            "order": data["order"],
            "is_active": data["is_active"],
            "conditions": {
                "tier_keys": words(data["tier_keys"]),
                "service_levels": words(data["service_levels"]),
                "priorities": data["priorities"],
                "ticket_types": data["ticket_types"],
                "queue_keys": data["queue_keys"],
                "channels": data["channels"],
            },
            "pause_categories": data["pause_categories"] or ["waiting"],
            "pause_status_keys": words(data["pause_status_keys"]),
            "warn_percent": data["warn_percent"],
            "warn_minutes_before": data["warn_minutes_before"],
            "targets": targets,
        }


class LevelForm(forms.Form):
    """One step of a policy's escalation chain (a row of the levels table)."""

    # An empty first choice: a blank extra row is then unchanged, and skipped.
    metric = forms.ChoiceField(
        label=_("metric"), choices=[("", "---------"), *SlaMetricChoices.choices]
    )
    level = forms.IntegerField(label=_("level"), min_value=1, max_value=9)
    offset_minutes = forms.IntegerField(
        label=_("minutes after due"),
        initial=0,
        min_value=-10_080,
        max_value=525_600,
        help_text=_("Business minutes after the target (0: at the breach)."),
    )
    notify_email = forms.BooleanField(label=_("email"), required=False, initial=True)
    notify_sms = forms.BooleanField(label=_("SMS"), required=False)
    recipients = forms.MultipleChoiceField(
        label=_("notify"),
        choices=SlaRecipientChoices.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    users = forms.ModelMultipleChoiceField(label=_("also notify"), queryset=None, required=False)
    reassign_queue = forms.ModelChoiceField(
        label=_("reassign to queue"), queryset=None, required=False
    )
    raise_priority = forms.BooleanField(label=_("raise priority"), required=False)
    add_followers = forms.BooleanField(label=_("add as followers"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = (
            get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
        )
        self.fields["reassign_queue"].queryset = Queue.objects.filter(is_active=True)

    @staticmethod
    def initial_for(level) -> dict:
        return {
            "metric": level.metric,
            "level": level.level,
            "offset_minutes": level.offset_minutes,
            "notify_email": level.notify_email,
            "notify_sms": level.notify_sms,
            "recipients": level.recipients,
            "users": [u.pk for u in level.users.all()],
            "reassign_queue": level.reassign_queue_id,
            "raise_priority": level.raise_priority,
            "add_followers": level.add_followers,
        }

    def service_value(self) -> dict:
        data = self.cleaned_data
        return {
            "metric": data["metric"],
            "level": data["level"],
            "offset_minutes": data["offset_minutes"] or 0,
            "notify_email": data["notify_email"],
            "notify_sms": data["notify_sms"],
            "recipients": list(data["recipients"]),
            "user_ids": [u.pk for u in data["users"]],
            "reassign_queue_id": data["reassign_queue"].pk if data["reassign_queue"] else None,
            "raise_priority": data["raise_priority"],
            "add_followers": data["add_followers"],
        }


class BaseLevelFormSet(forms.BaseFormSet):
    def kept_forms(self) -> list[LevelForm]:
        """The filled-in rows not marked for deletion, in order (what the service receives)."""
        return [
            form for form in self.forms if form.has_changed() and not self._should_delete_form(form)
        ]

    def service_values(self) -> list[dict]:
        return [form.service_value() for form in self.kept_forms()]


LevelFormSet = forms.formset_factory(
    LevelForm, formset=BaseLevelFormSet, extra=2, can_delete=True, max_num=30, validate_max=True
)


def level_formset(data=None, *, policy=None) -> BaseLevelFormSet:
    initial = [LevelForm.initial_for(lv) for lv in policy.levels.all()] if policy else []
    return LevelFormSet(data, initial=initial, prefix="levels")
