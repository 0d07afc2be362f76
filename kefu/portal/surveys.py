"""The satisfaction survey page: reached through the signed link mailed when a request is
resolved (no login needed: the token is the credential) or from the request's portal page.

A bad, altered or unknown token answers 404 and tells nothing. The page speaks the language
the survey was sent in, unless the visitor picked a language themselves.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from kefu.service import facade as service

RATING_CHOICES = [
    (5, _("5 — Very satisfied")),
    (4, _("4 — Satisfied")),
    (3, _("3 — Neither satisfied nor dissatisfied")),
    (2, _("2 — Dissatisfied")),
    (1, _("1 — Very dissatisfied")),
]


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the help you received?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _apply_errors(form: SurveyForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@never_cache
def survey(request, token: str):
    found = service.survey_by_token(token)
    if found is None:
        raise Http404
    language = None
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        language = found["language"]
    with translation.override(language or translation.get_language()):
        form = SurveyForm(request.POST or None)
        if request.method == "POST" and not found["is_answered"] and form.is_valid():
            try:
                service.survey_answer_by_token(
                    token=token,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return redirect("portal:survey", token=token)
            # Answered meanwhile (another tab): show the recorded answer, not the error.
            found = service.survey_by_token(token) or found
        response = render(request, "portal/survey.html", {"survey": found, "form": form})
    return response
