"""Forms of the agent workspace: they parse input; services do the work."""

from django import forms
from django.contrib.auth import get_user_model
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from kefu.core.fasthtml import esc
from kefu.service.choices import (
    AvailabilityChoices,
    CallDirectionChoices,
    CallOutcomeChoices,
    ImpactChoices,
    PriorityChoices,
    ResolutionCodeChoices,
    SkillKindChoices,
    TicketChannelChoices,
    TicketTypeChoices,
    UrgencyChoices,
)
from kefu.service.models import Category, Queue

# What an assignee picker needs of a user (``display_name``): no other column is read.
AGENT_COLUMNS = ("id", "first_name", "last_name", "username")


class FastSelect(forms.Select):
    """A ``<select>`` whose options are written in one pass, not one template each.

    Django renders every option through its own template include; a picker of 500 agents took
    tens of milliseconds of the ticket page that way. Same markup, attributes and selection.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        return format_html(
            "<select{}>{}</select>", flatatt(final), options_html(self.choices, selected)
        )


def options_html(choices, selected=frozenset()) -> SafeString:
    """``<option>``s for ``(value, label)`` pairs, every value and label escaped."""
    return mark_safe(  # noqa: S308  (every value and label goes through esc)
        "".join(
            f'<option value="{esc(v)}"{" selected" if str(v) in selected else ""}>'
            f"{esc(label)}</option>"
            for v, label in choices
        )
    )


def agent_choices(queryset) -> list[tuple[int, str]]:
    """``(id, display name)`` of the agents in ``queryset``, without model instances."""
    from kefu.accounts.models import display_name_of

    return [
        (pk, display_name_of(first, last, username))
        for pk, first, last, username in queryset.values_list(*AGENT_COLUMNS)
    ]


class _AgentChoices(forms.models.ModelChoiceIterator):
    """The agents as ``(id, display name)``: from the staff roster snapshot while the field
    lists every active staff user (``AgentChoiceField(roster=True)``), else read with
    ``values_list``. No model instances (500 agents cost the ticket page ~10 ms as instances;
    reading and naming them, another 5)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.roster:
            from kefu.accounts.roster import staff_choices

            yield from staff_choices()
        else:
            yield from agent_choices(self.queryset)


class _SnapshotChoices(forms.models.ModelChoiceIterator):
    """The choices from the desk's configuration snapshot (no query while nothing changed);
    the field still validates a submitted value against its queryset."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.snapshot_rows():
            yield (obj.pk, obj.label)


class CategoryChoiceField(forms.ModelChoiceField):
    """The active categories, listed from the configuration snapshot."""

    iterator = _SnapshotChoices
    widget = FastSelect

    def snapshot_rows(self):
        from kefu.service.configuration import desk_config

        return desk_config().active_categories


class QueueChoiceField(forms.ModelChoiceField):
    """The active queues, listed from the configuration snapshot."""

    iterator = _SnapshotChoices
    widget = FastSelect

    def snapshot_rows(self):
        from kefu.service.configuration import desk_config

        return desk_config().queues.values()


class AgentChoiceField(forms.ModelChoiceField):
    """An assignee picker: validates against the agents' queryset, lists them cheaply.

    ``roster=True`` (the queryset is :func:`agent_queryset`, every active staff user) lists
    the staff roster snapshot; giving the field another queryset turns that off.
    """

    iterator = _AgentChoices
    widget = FastSelect

    def __init__(self, *args, roster: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = roster

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.roster = False

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def __deepcopy__(self, memo):
        roster = self.roster
        result = super().__deepcopy__(memo)  # sets the queryset again
        result.roster = roster
        return result


def agent_queryset():
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .only(*AGENT_COLUMNS)
        .order_by("first_name", "username")
    )


class TicketCreateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    requester_email = forms.EmailField(label=_("Requester email"), required=False)
    requester_phone = forms.CharField(label=_("Requester phone"), max_length=40, required=False)
    requester_name = forms.CharField(label=_("Requester name"), max_length=200, required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=TicketChannelChoices.choices, initial="phone"
    )
    ticket_type = forms.ChoiceField(label=_("Type"), choices=TicketTypeChoices.choices)
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"), choices=ImpactChoices.choices, coerce=int, initial=2
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), choices=UrgencyChoices.choices, coerce=int, initial=2
    )
    queue = QueueChoiceField(
        label=_("Queue"),
        queryset=Queue.objects.filter(is_active=True),
        required=False,
        help_text=_("Empty: the routing rules choose."),
    )


class EntryForm(forms.Form):
    KIND_CHOICES = [("reply", _("Public reply")), ("note", _("Internal note"))]

    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, initial="reply", widget=FastSelect
    )
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))
    time_spent_minutes = forms.IntegerField(
        label=_("Time spent (minutes)"), min_value=0, max_value=1440, initial=0, required=False
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)


class PropertiesForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    ticket_type = forms.ChoiceField(
        label=_("Type"), choices=TicketTypeChoices.choices, widget=FastSelect
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"), choices=ImpactChoices.choices, coerce=int, widget=FastSelect
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), choices=UrgencyChoices.choices, coerce=int, widget=FastSelect
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=PriorityChoices.choices, coerce=int, widget=FastSelect
    )


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    status = forms.CharField(label=_("Status"))
    resolution_code = forms.ChoiceField(
        label=_("Resolution"),
        choices=[("", "—"), *ResolutionCodeChoices.choices],
        required=False,
    )


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    assignee = AgentChoiceField(
        label=_("Assignee"), queryset=agent_queryset(), required=False, roster=True
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class EscalateForm(forms.Form):
    queue = QueueChoiceField(
        label=_("Queue"),
        queryset=Queue.objects.filter(is_active=True),
        required=False,
        widget=FastSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class MergeForm(forms.Form):
    target_number = forms.CharField(label=_("Merge into ticket number"), max_length=20)


class BulkForm(forms.Form):
    ACTIONS = [
        ("assign", _("Assign")),
        ("status", _("Change status")),
        ("priority", _("Set priority")),
        ("tag", _("Add tag")),
        ("merge", _("Merge into the oldest")),
    ]

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    ticket_ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    assignee = AgentChoiceField(
        label=_("Assignee"), queryset=agent_queryset(), required=False, roster=True
    )
    status = forms.CharField(label=_("Status"), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=PriorityChoices.choices, coerce=int, required=False
    )
    tag = forms.CharField(label=_("Tag"), max_length=60, required=False)
    resolution_code = forms.ChoiceField(
        label=_("Resolution"),
        choices=[("", "—"), *ResolutionCodeChoices.choices],
        required=False,
    )

    def __init__(self, *args, ticket_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket_ids"].choices = [(pk, pk) for pk in ticket_ids]


class CallForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=CallDirectionChoices.choices)
    number = forms.CharField(label=_("Number"), max_length=40, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallOutcomeChoices.choices)
    wait_seconds = forms.IntegerField(label=_("Wait (seconds)"), min_value=0, initial=0)
    talk_seconds = forms.IntegerField(label=_("Talk (seconds)"), min_value=0, initial=0)
    ticket_number = forms.CharField(label=_("Add to ticket number"), max_length=20, required=False)
    create_ticket = forms.BooleanField(label=_("Open a new ticket"), required=False)
    subject = forms.CharField(label=_("New ticket subject"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class AvailabilityForm(forms.Form):
    """An agent's own availability (the workspace's switch)."""

    availability = forms.ChoiceField(label=_("Availability"), choices=AvailabilityChoices.choices)


class AgentProfileForm(AvailabilityForm):
    """A supervisor's change to an agent on the team board."""

    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=0,
        max_value=1000,
        help_text=_("The most active tickets automatic assignment gives this agent."),
    )


class SkillForm(forms.Form):
    """Give an agent a skill (a category or language from the list, or a product SKU) at a
    proficiency; the same skill again changes its proficiency."""

    skill = forms.ChoiceField(label=_("Category or language"), required=False)
    product_sku = forms.CharField(label=_("or a product SKU"), max_length=60, required=False)
    proficiency = forms.TypedChoiceField(
        label=_("Proficiency"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        initial=3,
        help_text=_("1 (basic) to 5 (expert)."),
    )

    def __init__(self, *args, skill_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", "—"), *skill_choices]

    def clean(self):
        data = super().clean()
        skill, sku = data.get("skill"), (data.get("product_sku") or "").strip()
        if bool(skill) == bool(sku):
            raise forms.ValidationError(_("Choose a category or language, or type a product SKU."))
        if sku:
            data["kind"], data["key"] = SkillKindChoices.PRODUCT, sku
        else:
            data["kind"], data["key"] = skill.split(":", 1)
        return data
