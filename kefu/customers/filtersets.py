"""List filters, whitelisted sorting and capped pagination for the customer-master lists.

A filter form validates the query string; invalid values are ignored (a stale bookmark shows a
wider list, never a 500). Custom fields filter as ``cf_<key>`` through the core engine.
"""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kefu.apikit.pagination import capped_count
from kefu.core.customfields import filter_queryset, form_fields
from kefu.customers.choices import (
    AssetStatusChoices,
    IndustryChoices,
    OrganizationStatusChoices,
)
from kefu.customers.forms import LookupField, staff_users
from kefu.customers.models import (
    ContactIdentity,
    ContactMembership,
    Organization,
    OrganizationTier,
    Product,
    Site,
)

PAGE_SIZES = (25, 50, 100)
YES_NO = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]


def _blank(choices) -> list:
    return [("", _("Any")), *choices]


class FilterForm(forms.Form):
    """Base list filter: a free-text ``q`` plus the target's custom fields (``cf_<key>``)."""

    custom_field_target = ""

    q = forms.CharField(label=_("Search"), required=False)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data or {}, *args, **kwargs)
        if self.custom_field_target:
            for name, cf in form_fields(self.custom_field_target).items():
                cf.required = False
                if isinstance(cf, forms.MultipleChoiceField):
                    cf = forms.ChoiceField(
                        label=cf.label, choices=_blank(cf.choices), required=False
                    )
                elif isinstance(cf, forms.BooleanField):
                    cf = forms.ChoiceField(label=cf.label, choices=YES_NO, required=False)
                elif isinstance(cf, forms.ChoiceField) and not isinstance(
                    cf, forms.ModelChoiceField
                ):
                    cf.choices = _blank(cf.choices[1:])
                self.fields[name] = cf
        for bound in self.visible_fields():
            bound.field.widget.attrs.setdefault("class", "filter-input")

    def filter(self, queryset: QuerySet) -> QuerySet:
        self.is_valid()
        values = {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}
        queryset = self.apply(queryset, values)
        if self.custom_field_target:
            raw = {name: self.data.get(name) for name in self.fields if name.startswith("cf_")}
            raw = {k: ("true" if v == "1" else "false" if v == "0" else v) for k, v in raw.items()}
            queryset = filter_queryset(queryset, self.custom_field_target, raw)
        return queryset

    def apply(self, queryset: QuerySet, values: dict[str, Any]) -> QuerySet:
        return queryset

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


class OrganizationFilterForm(FilterForm):
    custom_field_target = "customers.organization"

    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(OrganizationStatusChoices.choices), required=False
    )
    tier = forms.ModelChoiceField(
        label=_("Tier"),
        queryset=OrganizationTier.objects.all(),
        required=False,
        empty_label=_("Any"),
    )
    industry = forms.ChoiceField(
        label=_("Industry"), choices=_blank(IndustryChoices.choices), required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Account owner"), queryset=None, required=False, empty_label=_("Any")
    )
    tag = forms.CharField(label=_("Tag"), required=False)
    is_vendor = forms.ChoiceField(label=_("Vendor"), choices=YES_NO, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()

    def apply(self, queryset, values):
        if "q" in values:
            q = values["q"]
            queryset = queryset.filter(
                Q(name__icontains=q) | Q(alt_name__icontains=q) | Q(external_id=q)
            )
        if "status" in values:
            queryset = queryset.filter(status=values["status"])
        if "tier" in values:
            queryset = queryset.filter(tier=values["tier"])
        if "industry" in values:
            queryset = queryset.filter(industry=values["industry"])
        if "owner" in values:
            queryset = queryset.filter(owner=values["owner"])
        if "tag" in values:
            queryset = queryset.filter(tags__name=values["tag"])
        if "is_vendor" in values:
            queryset = queryset.filter(is_vendor=values["is_vendor"] == "1")
        return queryset


class ContactFilterForm(FilterForm):
    custom_field_target = "customers.contact"

    organization = LookupField(
        Organization.objects.all(),
        lookup="organization",
        label=_("Organization"),
        required=False,
        initial_options=0,
    )
    is_active = forms.ChoiceField(label=_("Active"), choices=YES_NO, required=False)

    def apply(self, queryset, values):
        if "q" in values:
            q = values["q"].strip()
            identity = ContactIdentity.objects.filter(
                contact_id=OuterRef("pk"), normalized__icontains=q.lower()
            )
            queryset = queryset.filter(
                Q(name__icontains=q) | Q(alt_name__icontains=q) | Exists(identity)
            )
        if "organization" in values:
            membership = ContactMembership.objects.filter(
                contact_id=OuterRef("pk"), organization=values["organization"]
            )
            queryset = queryset.filter(Exists(membership))
        if "is_active" in values:
            queryset = queryset.filter(is_active=values["is_active"] == "1")
        return queryset


class SiteFilterForm(FilterForm):
    custom_field_target = "customers.site"

    region = forms.CharField(label=_("Region / province"), required=False)
    is_active = forms.ChoiceField(label=_("Active"), choices=YES_NO, required=False)

    def apply(self, queryset, values):
        if "q" in values:
            q = values["q"]
            queryset = queryset.filter(
                Q(name__icontains=q)
                | Q(code__icontains=q)
                | Q(city__icontains=q)
                | Q(address__icontains=q)
            )
        if "region" in values:
            queryset = queryset.filter(region=values["region"])
        if "is_active" in values:
            queryset = queryset.filter(is_active=values["is_active"] == "1")
        return queryset


class ProductFilterForm(FilterForm):
    category = forms.CharField(label=_("Category"), required=False)
    is_active = forms.ChoiceField(label=_("Active"), choices=YES_NO, required=False)

    def apply(self, queryset, values):
        if "q" in values:
            q = values["q"]
            queryset = queryset.filter(
                Q(name__icontains=q) | Q(alt_name__icontains=q) | Q(sku__icontains=q)
            )
        if "category" in values:
            queryset = queryset.filter(category=values["category"])
        if "is_active" in values:
            queryset = queryset.filter(is_active=values["is_active"] == "1")
        return queryset


class AssetFilterForm(FilterForm):
    custom_field_target = "customers.asset"

    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(AssetStatusChoices.choices), required=False
    )
    organization = LookupField(
        Organization.objects.all(),
        lookup="organization",
        label=_("Organization"),
        required=False,
        initial_options=0,
    )
    site = LookupField(
        Site.objects.all(), lookup="site", label=_("Site"), required=False, initial_options=0
    )
    product = LookupField(
        Product.objects.all(),
        lookup="product",
        label=_("Product"),
        required=False,
        initial_options=0,
    )
    vendor = LookupField(
        Organization.objects.vendors(),
        lookup="vendor",
        label=_("Vendor"),
        required=False,
        initial_options=0,
    )

    def apply(self, queryset, values):
        if "q" in values:
            q = values["q"]
            queryset = queryset.filter(Q(serial_number__icontains=q) | Q(external_id=q))
        for name in ("status", "organization", "site", "product", "vendor"):
            if name in values:
                queryset = queryset.filter(**{name: values[name]})
        return queryset


@dataclass
class Column:
    """A list column; ``sort`` is the whitelisted ``order_by`` it sorts by (None: not sortable)."""

    key: str
    label: Any
    sort: tuple[str, ...] | None = None


def apply_sort(
    queryset: QuerySet, requested: str | None, columns: list[Column], default: str
) -> tuple[QuerySet, str]:
    """Order ``queryset`` by a whitelisted column (``name`` or ``-name``), else by ``default``."""
    sortable = {c.key: c.sort for c in columns if c.sort}
    key = (requested or "").strip()
    descending = key.startswith("-")
    if key.lstrip("-") not in sortable:
        key, descending = default, default.startswith("-")
    fields = sortable[key.lstrip("-")]
    order = [f"-{f}" if descending else f for f in fields]
    return queryset.order_by(*order, "-pk" if descending else "pk"), key


@dataclass
class Page:
    rows: list
    number: int
    per_page: int
    has_next: bool
    count: int
    count_is_exact: bool
    start: int = 0
    end: int = 0
    page_sizes: tuple[int, ...] = field(default=PAGE_SIZES)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def paginate(queryset: QuerySet, params, *, default_per_page: int = 25) -> Page:
    """One page of ``queryset`` with a capped total (no exact COUNT over huge tables)."""
    per_page = _int(params.get("per_page"), default_per_page)
    if per_page not in PAGE_SIZES:
        per_page = default_per_page
    number = max(1, _int(params.get("page"), 1))
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    count, exact = capped_count(queryset)
    return Page(
        rows=rows,
        number=number,
        per_page=per_page,
        has_next=has_next,
        count=count,
        count_is_exact=exact,
        start=offset + 1 if rows else 0,
        end=offset + len(rows),
    )
