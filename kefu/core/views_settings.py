"""Settings pages for administrators: custom-field definitions.

Each page is registered on the settings hub (``kefu.core.settings_registry``); writes go through
the definition services in ``kefu.core.customfields``.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.accounts.policy import require, staff_required
from kefu.core import customfields
from kefu.core.models import CustomFieldDefinition


def parse_choice_lines(text: str) -> list[dict]:
    """Parse ``value|English label|中文标签`` lines (labels optional) into choice dicts."""
    choices = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        value, _bar, rest = line.partition("|")
        label, _bar, label_zh = rest.partition("|")
        choices.append(
            {
                "value": value.strip(),
                "label": label.strip() or value.strip(),
                "label_zh_hans": label_zh.strip(),
            }
        )
    return choices


def choice_lines(choices: list[dict] | None) -> str:
    return "\n".join(
        "|".join([str(c.get("value", "")), c.get("label", ""), c.get("label_zh_hans", "")]).rstrip(
            "|"
        )
        for c in choices or []
    )


class CustomFieldForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "One choice per line: value|English label|中文标签. Only for choice fields."
        ),
    )

    class Meta:
        model = CustomFieldDefinition
        fields = [
            "target",
            "key",
            "label",
            "label_zh_hans",
            "help_text",
            "field_type",
            "is_required",
            "choices_text",
            "min_value",
            "max_value",
            "max_length",
            "regex",
            "order",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"] = forms.ChoiceField(
            label=self.fields["target"].label, choices=customfields.target_choices()
        )
        if self.instance.pk:
            for name in ("target", "key", "field_type"):
                self.fields[name].disabled = True
                self.fields[name].help_text = gettext_lazy("Fixed once the field exists.")
            if not self.is_bound:
                self.initial["choices_text"] = choice_lines(self.instance.choices)

    def _post_clean(self):
        # Validation is the service's (it reports duplicate keys and bad patterns per field).
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["choices"] = parse_choice_lines(data.pop("choices_text", ""))
        if self.instance.pk:
            for name in ("target", "key", "field_type"):
                data.pop(name, None)
        return data


def _apply_errors(exc: ValidationError, form: forms.Form) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.message_dict.items():
        name = "choices_text" if key == "choices" else key
        form.add_error(name if name in form.fields else None, errors)


@staff_required("core.change_customfielddefinition")
def customfield_list(request):
    definitions = CustomFieldDefinition.objects.order_by("target", "order", "key")
    labels = dict(customfields.target_choices())
    rows = [(d, labels.get(d.target, d.target)) for d in definitions]
    return render(request, "core/settings_customfields.html", {"rows": rows})


@staff_required("core.change_customfielddefinition")
def customfield_edit(request, pk=None):
    definition = get_object_or_404(CustomFieldDefinition, pk=pk) if pk else None
    if definition is None:
        require(request.user, "core.add_customfielddefinition")
    form = CustomFieldForm(request.POST or None, instance=definition)
    if request.method == "POST" and form.is_valid():
        try:
            if definition is None:
                customfields.customfield_definition_create(
                    actor=request.user, **form.service_fields()
                )
            else:
                customfields.customfield_definition_update(
                    actor=request.user, definition=definition, **form.service_fields()
                )
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("Custom field saved."))
            return redirect("core:customfield_list")
    context = {
        "title": _("New custom field")
        if definition is None
        else _("Edit custom field %(key)s") % {"key": definition.key},
        "form": form,
        "cancel_url": reverse("core:customfield_list"),
    }
    return render(request, "core/settings_form.html", context)


@staff_required("core.delete_customfielddefinition")
def customfield_delete(request, pk):
    definition = get_object_or_404(CustomFieldDefinition, pk=pk)
    if request.method == "POST":
        customfields.customfield_definition_delete(actor=request.user, definition=definition)
        messages.success(request, _("Custom field deleted."))
        return redirect("core:customfield_list")
    context = {"definition": definition, "cancel_url": reverse("core:customfield_list")}
    return render(request, "core/settings_customfield_delete.html", context)
