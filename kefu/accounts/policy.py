"""The permission policy every view and API operation goes through.

Three questions, one place:

* ``can(user, perm)`` / ``require(user, perm)``: may this *staff* user do this kind of thing at all?
  Portal customers hold no staff permission, whatever groups they are put in.
* ``can(user, perm, obj)``: may they do it to this record? Apps register object rules
  (``register_object_rule``), e.g. "agents only touch tickets in their queues".
* ``scope(user, queryset)``: which rows may they see? Apps register scopes per model
  (``register_scope``); without one, a staff user holding the model's view permission sees all.

Views use ``StaffRequiredMixin``/``staff_required``; API handlers call ``require``.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

ScopeFn = Callable[[object, QuerySet], QuerySet]
ObjectRule = Callable[[object, str, Model], bool]

_SCOPES: dict[type, ScopeFn] = {}
_OBJECT_RULES: dict[type, ObjectRule] = {}


def register_scope(model: type[Model], fn: ScopeFn) -> None:
    _SCOPES[model] = fn


def register_object_rule(model: type[Model], fn: ObjectRule) -> None:
    _OBJECT_RULES[model] = fn


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def is_portal_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and not user.is_staff)


def can(user, perm: str, obj: Model | None = None) -> bool:
    """Return whether ``user`` holds ``perm`` (``"app.codename"``), on ``obj`` if given."""
    if not is_staff(user):
        return False
    if not (user.is_superuser or user.has_perm(perm)):
        return False
    if obj is not None:
        rule = _OBJECT_RULES.get(type(obj))
        if rule is not None and not user.is_superuser:
            return rule(user, perm, obj)
    return True


def require(user, perm: str, obj: Model | None = None) -> None:
    """Raise ``PermissionDenied`` unless :func:`can` allows it."""
    if not can(user, perm, obj):
        raise PermissionDenied


def scope(user, queryset: QuerySet, perm: str | None = None) -> QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may see (nothing for non-staff)."""
    model = queryset.model
    perm = perm or f"{model._meta.app_label}.view_{model._meta.model_name}"
    if not can(user, perm):
        return queryset.none()
    fn = _SCOPES.get(model)
    if fn is None or user.is_superuser:
        return queryset
    return fn(user, queryset)


class StaffRequiredMixin(AccessMixin):
    """Class-based view guard: logged in, staff, and holding ``permission_required`` (if set).

    Anonymous users go to the login page; logged-in users without the right get 403.
    """

    permission_required: str | tuple[str, ...] | None = None

    def get_permission_required(self) -> tuple[str, ...]:
        perm = self.permission_required
        if perm is None:
            return ()
        return (perm,) if isinstance(perm, str) else tuple(perm)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff(request.user):
            raise PermissionDenied
        for perm in self.get_permission_required():
            require(request.user, perm)
        return super().dispatch(request, *args, **kwargs)


def staff_required(perm: str | None = None):
    """Function-view guard with the same rules as :class:`StaffRequiredMixin`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_staff(request.user):
                raise PermissionDenied
            if perm:
                require(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def require_staff(user) -> None:
    """Raise ``PermissionDenied`` unless ``user`` is an active staff user (portal users never are)."""
    if not is_staff(user):
        raise PermissionDenied
