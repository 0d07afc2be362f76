"""Forms of the customer-master UI.

Forms only parse and validate input; views hand ``cleaned_data`` to the services, whose
``ValidationError`` keys (``tier_id``, ``custom_fields.size``, ``identities.1.value``) are mapped
back onto the right field or formset row by :func:`apply_service_errors`.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.core.customfields import form_fields, initial_for_form, values_from_form
from kefu.customers.choices import (
    CallDirectionChoices,
    ChannelChoices,
    IdentityKindChoices,
)
from kefu.customers.models import (
    Asset,
    Contact,
    Organization,
    OrganizationTier,
    Product,
    Site,
)

LOOKUP_INITIAL_OPTIONS = 30


class LookupSelect(forms.Select):
    """A select that never renders a whole big table: the chosen row, the first few, and a search box.

    Typing in the search box fetches matching ``<option>`` rows from the lookup view (htmx), so an
    organization can be picked among a million without sending them all.
    """

    template_name = "customers/widgets/lookup_select.html"

    def __init__(self, lookup: str, attrs=None, initial_options: int = LOOKUP_INITIAL_OPTIONS):
        super().__init__(attrs)
        self.lookup = lookup
        self.queryset = None
        self.initial_options = initial_options

    def get_context(self, name, value, attrs):
        if self.queryset is not None:
            rows = []
            selected = [v for v in (value if isinstance(value, list | tuple) else [value]) if v]
            if selected:
                rows.extend(self.queryset.filter(pk__in=selected))
            if self.initial_options:
                rows.extend(self.queryset.exclude(pk__in=selected)[: self.initial_options])
            self.choices = [("", "---------"), *((obj.pk, str(obj)) for obj in rows)]
        context = super().get_context(name, value, attrs)
        context["widget"]["lookup_url"] = reverse("customers:lookup", args=[self.lookup])
        return context


class LookupField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` rendered with :class:`LookupSelect` (validation looks up one pk)."""

    def __init__(
        self, queryset, *, lookup: str, initial_options: int = LOOKUP_INITIAL_OPTIONS, **kwargs
    ):
        kwargs.setdefault("widget", LookupSelect(lookup, initial_options=initial_options))
        super().__init__(queryset, **kwargs)
        self.widget.queryset = queryset

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        if isinstance(self.widget, LookupSelect):
            self.widget.queryset = queryset


def staff_users():
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")


def _map_error_key(key: str, form: forms.Form) -> str | None:
    if key in form.fields:
        return key
    if key.endswith("_id") and key[:-3] in form.fields:
        return key[:-3]
    if key.startswith("custom_fields."):
        name = "cf_" + key.split(".", 1)[1]
        return name if name in form.fields else None
    return None


def apply_service_errors(
    exc: ValidationError,
    form: forms.Form,
    formsets: dict[str, tuple[forms.BaseFormSet, list[int]]] | None = None,
) -> None:
    """Show a service's ``ValidationError`` on the form fields and formset rows it names.

    ``formsets`` maps a service list name (``"identities"``) to the formset and the formset row
    index of each item that was sent (empty rows are not sent, so the indexes differ).
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.message_dict.items():
        head, _dot, rest = key.partition(".")
        if formsets and head in formsets and rest:
            formset, rows = formsets[head]
            index_text, _dot, field = rest.partition(".")
            try:
                row = formset.forms[rows[int(index_text)]]
            except (ValueError, IndexError):
                form.add_error(None, errors)
                continue
            name = _map_error_key(field, row)
            row.add_error(name, errors)
            continue
        name = _map_error_key(key, form)
        if name is None:
            form.add_error(None, [f"{key}: {message}" for message in errors])
        else:
            form.add_error(name, errors)


class CustomFieldsMixin:
    """Adds the active custom fields of ``custom_field_target`` as ``cf_<key>`` form fields."""

    custom_field_target = ""

    def add_custom_fields(self, values: dict | None) -> None:
        for name, field in form_fields(self.custom_field_target).items():
            self.fields[name] = field
        if values and not self.is_bound:
            self.initial.update(initial_for_form(values))

    def custom_field_values(self) -> dict:
        return values_from_form(self.cleaned_data)

    def custom_field_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith("cf_")]


class ServiceModelForm(CustomFieldsMixin, forms.ModelForm):
    """A model form used for its fields only: saving is the service's job."""

    def __init__(self, *args, custom_fields: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.custom_field_target:
            self.add_custom_fields(custom_fields)

    def _post_clean(self):
        # The services run the model validation (and report it per field); running it here too
        # would validate a half-built instance and mutate the instance being edited.
        pass

    def service_fields(self) -> dict:
        """``cleaned_data`` as service keyword arguments: FKs as ``<name>_id``, no custom fields."""
        data = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("cf_") or name in getattr(self, "extra_names", ()):
                continue
            field = self._meta.model._meta.get_field(name)
            if field.is_relation and field.many_to_one:
                data[f"{name}_id"] = value.pk if value is not None else None
            else:
                data[name] = value
        return data


class OrganizationForm(ServiceModelForm):
    custom_field_target = "customers.organization"
    extra_names = ("tags",)

    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas."),
    )

    website = forms.URLField(
        label=_("website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "alt_name",
            "status",
            "tier",
            "industry",
            "owner",
            "parent",
            "is_vendor",
            "website",
            "phone",
            "email_domains",
            "external_id",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()
        self.fields["tier"].queryset = OrganizationTier.objects.all()
        parent_qs = Organization.objects.all()
        if self.instance.pk:
            parent_qs = parent_qs.exclude(pk=self.instance.pk)
        self.fields["parent"] = LookupField(
            parent_qs,
            lookup="organization",
            required=False,
            label=self.fields["parent"].label,
        )
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())

    def tag_names(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class SiteForm(ServiceModelForm):
    custom_field_target = "customers.site"

    class Meta:
        model = Site
        fields = [
            "name",
            "code",
            "address",
            "city",
            "region",
            "postal_code",
            "country",
            "time_zone",
            "contact_person",
            "is_active",
            "external_id",
        ]

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_person"] = LookupField(
            Contact.objects.filter(memberships__organization=organization),
            lookup="contact",
            required=False,
            label=self.fields["contact_person"].label,
        )


class ContactForm(ServiceModelForm):
    custom_field_target = "customers.contact"

    class Meta:
        model = Contact
        fields = [
            "name",
            "alt_name",
            "title",
            "preferred_language",
            "preferred_channel",
            "is_active",
            "external_id",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentityKindChoices.choices)
    value = forms.CharField(label=_("Value"), max_length=254, required=False)
    label = forms.CharField(label=_("Label"), max_length=50, required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)


class MembershipForm(forms.Form):
    organization = LookupField(
        Organization.objects.all(), lookup="organization", label=_("Organization"), required=False
    )
    title = forms.CharField(label=_("Title / role"), max_length=100, required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)
    is_admin = forms.BooleanField(label=_("Organization administrator"), required=False)


IdentityFormSet = forms.formset_factory(IdentityForm, extra=0, can_delete=True)
MembershipFormSet = forms.formset_factory(MembershipForm, extra=0, can_delete=True)


def identity_rows(formset) -> tuple[list[dict], list[int]]:
    """The identities a formset describes (filled, not deleted) and their row indexes."""
    items, rows = [], []
    for index, row in enumerate(formset.forms):
        data = getattr(row, "cleaned_data", None) or {}
        if data.get("DELETE") or not (data.get("value") or "").strip():
            continue
        items.append(
            {
                "kind": data["kind"],
                "value": data["value"],
                "label": data.get("label", ""),
                "is_primary": data.get("is_primary", False),
            }
        )
        rows.append(index)
    return items, rows


def membership_rows(formset) -> tuple[list[dict], list[int]]:
    items, rows = [], []
    for index, row in enumerate(formset.forms):
        data = getattr(row, "cleaned_data", None) or {}
        if data.get("DELETE") or data.get("organization") is None:
            continue
        items.append(
            {
                "organization_id": data["organization"].pk,
                "title": data.get("title", ""),
                "is_primary": data.get("is_primary", False),
                "is_admin": data.get("is_admin", False),
            }
        )
        rows.append(index)
    return items, rows


class ProductForm(ServiceModelForm):
    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "alt_name",
            "category",
            "list_price",
            "currency",
            "is_active",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AssetForm(ServiceModelForm):
    custom_field_target = "customers.asset"

    class Meta:
        model = Asset
        fields = [
            "product",
            "serial_number",
            "organization",
            "site",
            "install_date",
            "warranty_end",
            "status",
            "vendor",
            "external_id",
            "notes",
        ]
        widgets = {
            "install_date": forms.DateInput(attrs={"type": "date"}),
            "warranty_end": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset, lookup in (
            ("product", Product.objects.all(), "product"),
            ("organization", Organization.objects.all(), "organization"),
            ("site", Site.objects.select_related("organization"), "site"),
            ("vendor", Organization.objects.vendors(), "vendor"),
        ):
            model_field = self.fields[name]
            self.fields[name] = LookupField(
                queryset, lookup=lookup, required=model_field.required, label=model_field.label
            )


class TierForm(forms.ModelForm):
    class Meta:
        model = OrganizationTier
        fields = ["key", "name", "name_zh_hans", "rank", "color"]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}

    def _post_clean(self):
        pass


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Write a note…")}),
        required=False,
    )


class CallForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=CallDirectionChoices.choices)
    number = forms.CharField(label=_("Phone number"), max_length=40, required=False)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ChannelChoices.choices)
    is_granted = forms.TypedChoiceField(
        label=_("Consent"),
        choices=[("1", _("Granted")), ("0", _("Withdrawn"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
