from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kefu.knowledge.choices import ArticleLanguageChoices, ArticleVisibilityChoices
from kefu.knowledge.models import Category


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=ArticleLanguageChoices.choices)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=ArticleVisibilityChoices.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    tags = forms.CharField(
        label=_("Tags"), max_length=300, required=False, help_text=_("Separated by commas.")
    )
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        help_text=_("Markdown: headings, lists, links, images, tables."),
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty to publish as soon as it is approved."),
    )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "visibility": data["visibility"],
            "category_id": data["category"].pk if data["category"] else None,
            "tags": data["tags"],
            "publish_at": data["publish_at"],
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when sending back."),
    )


def apply_errors(exc: ValidationError, form: forms.Form) -> None:
    """Show a service's ``ValidationError`` on the form's fields (or the form)."""
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
