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


def _load_permissions(user) -> None:
    """Fill ``user._perm_cache`` (ModelBackend's per-object cache) with one query.

    ``ModelBackend`` reads the user's own and their groups' permissions with two ORM queries the
    first time ``has_perm`` is asked on a user object; an API token loads a fresh user object on
    every request, so that was two queries (and most of their cost, building the SQL) per call.
    Here both sets come from one plain UNION; ``has_perm`` then answers from the cache as usual
    for the rest of the request. Nothing outlives the user object, so role changes apply to the
    next request.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections, router

    user_model = get_user_model()
    user_perms = user_model.user_permissions.through._meta
    user_groups = user_model.groups.through._meta
    group_perms = Group.permissions.through._meta
    permission = Permission._meta
    content_type = ContentType._meta
    sql = (
        f"SELECT ct.app_label, p.codename FROM {permission.db_table} p "  # noqa: S608
        f"JOIN {content_type.db_table} ct ON ct.id = p.content_type_id "
        f"WHERE p.id IN (SELECT up.permission_id FROM {user_perms.db_table} up "
        f"WHERE up.{user_perms.get_field('user').column} = %s "
        f"UNION SELECT gp.permission_id FROM {group_perms.db_table} gp "
        f"JOIN {user_groups.db_table} ug "
        f"ON ug.{user_groups.get_field('group').column} = gp.{group_perms.get_field('group').column} "
        f"WHERE ug.{user_groups.get_field('user').column} = %s)"
    )
    with connections[router.db_for_read(Permission)].cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk])
        user._perm_cache = {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}


def can(user, perm: str, obj: Model | None = None) -> bool:
    """Return whether ``user`` holds ``perm`` (``"app.codename"``), on ``obj`` if given."""
    if not is_staff(user):
        return False
    if not user.is_superuser and not hasattr(user, "_perm_cache"):
        _load_permissions(user)
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
