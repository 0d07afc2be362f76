from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class RequestForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}))
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories]
        # Suggestions while typing: htmx asks the portal for matching articles.
        self.fields["subject"].widget.attrs.update(
            {
                "autocomplete": "off",
                "hx-get": reverse("portal:kb_suggest"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#suggestions",
            }
        )


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class MagicLinkForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
