"""The fast form renderer writes exactly what Django's widget templates write."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from kefu.core.forms_renderer import FastWidgetRenderer

HOSTILE = """<script>alert("x")</script> & 'quoted' 客服"""


class _Everything(forms.Form):
    text = forms.CharField(
        max_length=20, help_text="help", widget=forms.TextInput(attrs={"placeholder": HOSTILE})
    )
    number = forms.IntegerField(min_value=0, required=False)
    money = forms.DecimalField(decimal_places=2, required=False)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    moment = forms.DateTimeField(required=False)
    time = forms.TimeField(required=False)
    flag = forms.BooleanField(required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-x": True}))
    empty_body = forms.CharField(widget=forms.Textarea, required=False)
    upload = forms.FileField(required=False)
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "disabled": True}))
    off = forms.CharField(widget=forms.TextInput(attrs={"autofocus": False, "tabindex": 0}))
    safe = forms.CharField(widget=forms.TextInput(attrs={"title": mark_safe("<b>ok</b>")}))


CASES = [
    {},
    {
        "text": HOSTILE,
        "number": "12",
        "money": Decimal("3.50"),
        "email": "李@例子.cn",
        "url": "https://example.com/?a=1&b=2",
        "password": "p\"w'd",
        "hidden": HOSTILE,
        "day": datetime.date(2026, 10, 1),
        "moment": datetime.datetime(2026, 10, 1, 8, 30),
        "time": "08:30",
        "flag": True,
        "body": HOSTILE + "\n第二行",
        "empty_body": "",
        "search": "0",
        "off": "x",
        "safe": mark_safe("<i>safe</i>"),
    },
    {"text": "", "number": "not a number", "flag": False, "body": " "},
]


@pytest.mark.dbless
def test_it_is_the_default_form_renderer():
    assert isinstance(get_default_renderer(), FastWidgetRenderer)


@pytest.mark.dbless
@pytest.mark.parametrize("data", CASES)
@pytest.mark.parametrize("bound", [True, False])
def test_every_plain_widget_renders_as_django_templates_do(data, bound):
    fast, django = FastWidgetRenderer(), DjangoTemplates()
    form_fast = _Everything(data if bound else None, initial=data, renderer=fast)
    form_django = _Everything(data if bound else None, initial=data, renderer=django)
    if bound:
        form_fast.is_valid()
        form_django.is_valid()
    for name in _Everything.base_fields:
        assert str(form_fast[name]) == str(form_django[name]), name
    assert str(form_fast) == str(form_django)


@pytest.mark.dbless
def test_values_are_escaped():
    html = str(_Everything({"text": HOSTILE, "body": HOSTILE}, renderer=FastWidgetRenderer()))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27; 客服" in html
