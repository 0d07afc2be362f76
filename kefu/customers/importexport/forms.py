from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.customers.models.imports import ImportKindChoices


class ImportUploadForm(forms.Form):
    """Upload a CSV to check; the import itself waits for the user to confirm the report."""

    kind = forms.ChoiceField(label=_("The file contains"), choices=ImportKindChoices.choices)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("The first line names the columns; download a template below."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        choices=[
            ("auto", _("Detect (UTF-8 or GBK/GB18030)")),
            ("utf-8", _("UTF-8")),
            ("gb18030", _("GBK / GB18030 (Excel in Chinese)")),
        ],
        initial="auto",
    )
