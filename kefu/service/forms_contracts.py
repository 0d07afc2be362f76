"""Forms of the contract and vendor screens: they parse input; the services validate it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.customers import facade as customers
from kefu.service.choices import TicketTypeChoices
from kefu.service.forms import FastSelect
from kefu.service.models.contracts import (
    ContractAllowanceUnitChoices,
    ContractConsumeOnChoices,
    ContractCoverageChoices,
    ContractHoursChoices,
)


def _ids(text: str) -> list[int]:
    try:
        return [int(part) for part in (text or "").replace("，", ",").split(",") if part.strip()]
    except ValueError:
        raise forms.ValidationError(_("Enter numbers separated by commas.")) from None


def _scope_field(label, help_text) -> forms.TypedMultipleChoiceField:
    """Ticks among the organization's sites or assets (choices set by the form)."""
    return forms.TypedMultipleChoiceField(
        label=label,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "scope-choices"}),
        help_text=help_text,
    )


class ContractForm(forms.Form):
    organization = forms.IntegerField(label=_("Organization"), min_value=1)  # see __init__
    number = forms.CharField(label=_("Number"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    start_date = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    service_level = forms.CharField(
        label=_("Service level"), max_length=30, help_text=_("E.g. gold, standard.")
    )
    coverage = forms.ChoiceField(label=_("Coverage"), choices=ContractCoverageChoices.choices)
    hours = forms.ChoiceField(label=_("Support hours"), choices=ContractHoursChoices.choices)
    allowance_unit = forms.ChoiceField(
        label=_("Allowance"), choices=ContractAllowanceUnitChoices.choices
    )
    allowance = forms.DecimalField(
        label=_("Prepaid tickets or hours"), required=False, decimal_places=2, max_digits=10
    )
    consume_on = forms.ChoiceField(label=_("Consume"), choices=ContractConsumeOnChoices.choices)
    ticket_types = forms.MultipleChoiceField(
        label=_("Consuming ticket types"),
        choices=TicketTypeChoices.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every type consumes."),
    )
    thresholds = forms.CharField(
        label=_("Notify at (percent used)"), initial="80,100", required=False, max_length=50
    )
    sites = _scope_field(_("Limited to sites"), _("None ticked: every site of the organization."))
    assets = _scope_field(
        _("Limited to assets"), _("None ticked: every asset of the organization.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = customers.organization_choice_field(label=_("Organization"))
        organization_id = self.organization_id()
        if organization_id is None:
            for name in ("sites", "assets"):
                self.fields[name].help_text = _("Choose the organization first.")
        else:
            self.fields["sites"].choices = customers.organization_site_choices(organization_id)
            self.fields["assets"].choices = customers.organization_asset_choices(organization_id)

    def organization_id(self) -> int | None:
        """The organization chosen (in the data sent) or being edited: its sites and assets are
        the ones to pick from."""
        raw = self.data.get("organization") if self.is_bound else self.initial.get("organization")
        try:
            return int(raw) if raw else None
        except (TypeError, ValueError):
            return None

    def clean_thresholds(self):
        return _ids(self.cleaned_data["thresholds"])

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "organization_id": data["organization"],
            "number": data["number"],
            "name": data["name"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "service_level": data["service_level"],
            "coverage": data["coverage"],
            "hours": data["hours"],
            "allowance_unit": data["allowance_unit"],
            "allowance": data["allowance"] if data["allowance"] is not None else 0,
            "consume_on": data["consume_on"],
            "ticket_types": data["ticket_types"],
            "thresholds": data["thresholds"],
            "site_ids": data["sites"],
            "asset_ids": data["assets"],
            "notes": data["notes"],
        }

    @staticmethod
    def initial_for(contract) -> dict:
        return {
            "organization": contract.organization_id,
            "number": contract.number,
            "name": contract.name,
            "start_date": contract.start_date,
            "end_date": contract.end_date,
            "service_level": contract.service_level,
            "coverage": contract.coverage,
            "hours": contract.hours,
            "allowance_unit": contract.allowance_unit,
            "allowance": contract.allowance_display if not contract.is_unlimited else None,
            "consume_on": contract.consume_on,
            "ticket_types": contract.ticket_types,
            "thresholds": ",".join(str(t) for t in contract.thresholds),
            "sites": list(contract.sites.values_list("pk", flat=True)),
            "assets": list(contract.assets.values_list("pk", flat=True)),
            "notes": contract.notes,
        }


class UnderpinningContractForm(forms.Form):
    vendor = forms.TypedChoiceField(label=_("Vendor"), coerce=int)
    number = forms.CharField(label=_("Number"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    start_date = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    response_minutes = forms.IntegerField(label=_("Response target (minutes)"))
    resolution_minutes = forms.IntegerField(label=_("Resolution target (minutes)"))
    calendar = forms.TypedChoiceField(
        label=_("Calendar"), coerce=int, required=False, empty_value=None
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)

    def __init__(self, *args, vendors=(), calendars=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].choices = [(v["id"], v["name"]) for v in vendors]
        self.fields["calendar"].choices = [("", _("24x7 (no calendar)"))] + [
            (c.pk, str(c)) for c in calendars
        ]

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "vendor_id": data["vendor"],
            "number": data["number"],
            "name": data["name"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "response_minutes": data["response_minutes"],
            "resolution_minutes": data["resolution_minutes"],
            "calendar_id": data["calendar"],
            "notes": data["notes"],
        }


class DispatchForm(forms.Form):
    vendor = forms.TypedChoiceField(
        label=_("Vendor"), coerce=int, required=False, empty_value=None, widget=FastSelect
    )
    vendor_reference = forms.CharField(label=_("Vendor reference"), required=False, max_length=100)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, vendors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].choices = [("", _("The asset's vendor"))] + [
            (v["id"], v["name"]) for v in vendors
        ]


class DispatchOutcomeForm(forms.Form):
    note = forms.CharField(label=_("Vendor's answer"), required=False, widget=forms.Textarea)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period cannot end before it starts."))
        return data
