"""Administration of staff users and teams (administrators only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts import forms, selectors, services
from kefu.accounts.models import Team, User
from kefu.accounts.policy import staff_required
from kefu.accounts.roles import Role, group_name, roles_of
from kefu.accounts.views.me import _apply_errors

USER_ADMIN_PERM = "accounts.change_user"
TEAM_ADMIN_PERM = "accounts.change_team"
PAGE_SIZE = 50


def _staff_user_or_404(pk: int) -> User:
    try:
        return selectors.staff_user_get(pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc


@staff_required(USER_ADMIN_PERM)
def user_list(request):
    status = request.GET.get("status") or "active"
    if status not in ("active", "inactive", "all"):
        status = "active"
    role = request.GET.get("role") or ""
    if role not in Role.values:
        role = ""
    team = request.GET.get("team") or ""
    team_id = int(team) if team.isdigit() else None
    query = (request.GET.get("q") or "").strip()
    users = selectors.user_list(query=query, role=role, team=team_id, status=status)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(Role.choices)
    prefix = len(group_name(""))
    for row in page:
        row.role_labels = [labels.get(g.name[prefix:], g.name) for g in row.groups.all()]
    context = {
        "page": page,
        "query": query,
        "status": status,
        "role": role,
        "team": team_id,
        "roles": Role.choices,
        "teams": Team.objects.order_by("name"),
    }
    return render(request, "accounts/user_list.html", context)


@staff_required(USER_ADMIN_PERM)
def user_create(request):
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        set_now = data["password_choice"] == forms.UserCreateForm.PASSWORD_SET
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                language=data["language"],
                time_zone=data["time_zone"],
                roles=data["roles"],
                teams=data["teams"],
                password=data["password"] if set_now else None,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            if not set_now:
                services.password_reset_mail_send(actor=request.user, user=user)
                messages.success(
                    request,
                    _("%(user)s was created and mailed a link to choose a password.")
                    % {"user": user.display_name},
                )
            else:
                messages.success(request, _("%(user)s was created.") % {"user": user.display_name})
            return redirect("accounts:user_edit", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "is_new": True})


@staff_required(USER_ADMIN_PERM)
def user_edit(request, pk: int):
    user = _staff_user_or_404(pk)
    initial = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "language": user.language,
        "time_zone": user.time_zone,
        "roles": roles_of(user),
        "teams": list(user.teams.all()),
    }
    form = forms.UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        roles = data.pop("roles")
        teams = data.pop("teams")
        try:
            services.user_update(actor=request.user, user=user, roles=roles, teams=teams, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("accounts:user_edit", pk=user.pk)
    context = {
        "form": form,
        "is_new": False,
        "subject": user,
        "password_form": forms.SetPasswordAdminForm(),
        "two_factor_on": services.totp_device_for(user) is not None,
    }
    return render(request, "accounts/user_form.html", context)


def _run(request, fn, success: str, **kwargs):
    try:
        fn(actor=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


@staff_required(USER_ADMIN_PERM)
@require_POST
def user_deactivate(request, pk: int):
    user = _staff_user_or_404(pk)
    _run(request, services.user_deactivate, _("The user was deactivated."), user=user)
    return redirect("accounts:user_edit", pk=pk)


@staff_required(USER_ADMIN_PERM)
@require_POST
def user_activate(request, pk: int):
    user = _staff_user_or_404(pk)
    _run(request, services.user_activate, _("The user was activated."), user=user)
    return redirect("accounts:user_edit", pk=pk)


@staff_required(USER_ADMIN_PERM)
@require_POST
def user_password(request, pk: int):
    """Set a user's password, or (with ``send_link``) mail them a reset link."""
    user = _staff_user_or_404(pk)
    if request.POST.get("send_link"):
        services.password_reset_mail_send(actor=request.user, user=user)
        messages.success(
            request, _("A password-reset link was mailed to %(email)s.") % {"email": user.email}
        )
        return redirect("accounts:user_edit", pk=pk)
    form = forms.SetPasswordAdminForm(request.POST)
    if form.is_valid():
        _run(
            request,
            services.user_password_set,
            _("The password was set."),
            user=user,
            password=form.cleaned_data["password"],
        )
    else:
        messages.error(request, _("Enter a password."))
    return redirect("accounts:user_edit", pk=pk)


@staff_required(USER_ADMIN_PERM)
@require_POST
def user_two_factor_reset(request, pk: int):
    """Turn off a user's two-factor (a lost phone); they can set it up again after logging in."""
    user = _staff_user_or_404(pk)
    _run(
        request,
        services.totp_device_remove,
        _("Two-factor authentication was turned off for this user."),
        user=user,
    )
    return redirect("accounts:user_edit", pk=pk)


@staff_required(TEAM_ADMIN_PERM)
def team_list(request):
    return render(request, "accounts/team_list.html", {"teams": selectors.team_list()})


def _team_data(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "description": data["description"],
        "lead": data["lead"],
        "members": list(data["members"]),
    }


@staff_required(TEAM_ADMIN_PERM)
def team_create(request):
    form = forms.TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=request.user, **_team_data(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The team %(name)s was created.") % {"name": team.name})
            return redirect("accounts:team_list")
    return render(request, "accounts/team_form.html", {"form": form, "is_new": True})


@staff_required(TEAM_ADMIN_PERM)
def team_edit(request, pk: int):
    team = get_object_or_404(Team, pk=pk)
    initial = {
        "name": team.name,
        "description": team.description,
        "lead": team.lead_id,
        "members": list(team.members.all()),
    }
    form = forms.TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(actor=request.user, team=team, **_team_data(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("accounts:team_list")
    return render(request, "accounts/team_form.html", {"form": form, "is_new": False, "team": team})


@staff_required(TEAM_ADMIN_PERM)
@require_POST
def team_delete(request, pk: int):
    team = get_object_or_404(Team, pk=pk)
    name = team.name
    services.team_delete(actor=request.user, team=team)
    messages.success(request, _("The team %(name)s was deleted.") % {"name": name})
    return redirect("accounts:team_list")
