"""Writes to the desk's configuration: queues and members, agents' availability and skills,
categories and routing rules. Administrators use these through the admin screens and API."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.service.choices import AssignmentModeChoices, AvailabilityChoices, SkillKindChoices
from kefu.service.models import (
    AgentProfile,
    AgentSkill,
    Category,
    Lifecycle,
    Queue,
    QueueMembership,
    RoutingRule,
)


@transaction.atomic
def queue_create(
    *,
    actor,
    key: str,
    name: str,
    name_zh_hans: str = "",
    lifecycle: Lifecycle | None = None,
    assignment_mode: str = AssignmentModeChoices.MANUAL,
    second_line: Queue | None = None,
    auto_close_days: int = 7,
) -> Queue:
    """Create a queue (on the standard lifecycle unless another is given)."""
    if assignment_mode not in AssignmentModeChoices.values:
        raise ValidationError({"assignment_mode": [_("Choose an assignment mode.")]})
    if Queue.objects.filter(key=key).exists():
        raise ValidationError({"key": [_("A queue with this key exists.")]})
    lifecycle = lifecycle or Lifecycle.objects.get(key="standard")
    queue = Queue(
        key=key,
        name=name,
        name_zh_hans=name_zh_hans,
        lifecycle=lifecycle,
        assignment_mode=assignment_mode,
        second_line=second_line,
        auto_close_days=auto_close_days,
    )
    queue.full_clean()
    queue.save()
    return queue


@transaction.atomic
def queue_member_add(*, actor, queue: Queue, user, is_supervisor: bool = False) -> QueueMembership:
    """Add a staff user to a queue (idempotent); they get an agent profile if they had none."""
    if not user.is_staff:
        raise ValidationError({"user": [_("Only staff users can work a queue.")]})
    membership, _created = QueueMembership.objects.update_or_create(
        queue=queue, user=user, defaults={"is_supervisor": is_supervisor}
    )
    AgentProfile.objects.get_or_create(user=user)
    return membership


@transaction.atomic
def queue_member_remove(*, actor, queue: Queue, user) -> None:
    QueueMembership.objects.filter(queue=queue, user=user).delete()


@transaction.atomic
def agent_profile_set(
    *, actor, user, availability: str | None = None, capacity: int | None = None
) -> AgentProfile:
    """Set an agent's availability and/or capacity (created on first use)."""
    if availability is not None and availability not in AvailabilityChoices.values:
        raise ValidationError({"availability": [_("Choose an availability.")]})
    if capacity is not None and not 0 <= capacity <= 1000:
        raise ValidationError({"capacity": [_("Capacity is between 0 and 1,000 tickets.")]})
    profile, _created = AgentProfile.objects.select_for_update().get_or_create(user=user)
    if availability is not None:
        profile.availability = availability
    if capacity is not None:
        profile.capacity = capacity
    profile.save()
    return profile


def agent_signed_out(sender=None, *, user=None, **kwargs) -> None:
    """An agent who signs out is no longer available: ``online`` or ``away`` becomes ``off``,
    so automatic assignment stops giving them tickets until they set themselves online again
    (``user_logged_out`` receiver; out of office stays as it is)."""
    if user is None or not getattr(user, "pk", None):
        return
    available = (AvailabilityChoices.ONLINE, AvailabilityChoices.AWAY)
    if AgentProfile.objects.filter(user=user, availability__in=available).exists():
        agent_profile_set(actor=user, user=user, availability=AvailabilityChoices.OFF)


def _skill_key_exists(kind: str, key: str) -> bool:
    """A skill names something a ticket can carry: a category, an interface language, or a
    product SKU (any non-empty SKU: products may be added to the catalogue later)."""
    from django.conf import settings

    if kind == SkillKindChoices.CATEGORY:
        return Category.objects.filter(key=key).exists()
    if kind == SkillKindChoices.LANGUAGE:
        return key in {code for code, _name in settings.LANGUAGES}
    return bool(key) and len(key) <= 60


@transaction.atomic
def agent_skill_set(*, actor, user, kind: str, key: str, proficiency: int) -> AgentSkill:
    """Give an agent a skill at ``proficiency`` 1-5 (0 removes it)."""
    if kind not in SkillKindChoices.values:
        raise ValidationError({"kind": [_("Choose category, product or language.")]})
    if not 0 <= proficiency <= 5:
        raise ValidationError({"proficiency": [_("Proficiency is from 1 to 5.")]})
    key = (key or "").strip()
    if proficiency and not _skill_key_exists(kind, key):
        raise ValidationError({"key": [_("No such category, language or product SKU.")]})
    if proficiency == 0:
        AgentSkill.objects.filter(user=user, kind=kind, key=key).delete()
        return None
    skill, _created = AgentSkill.objects.update_or_create(
        user=user, kind=kind, key=key, defaults={"proficiency": proficiency}
    )
    return skill


@transaction.atomic
def category_create(
    *, actor, key: str, name: str, name_zh_hans: str = "", parent: Category | None = None
) -> Category:
    """Add a node to the category tree."""
    if Category.objects.filter(key=key).exists():
        raise ValidationError({"key": [_("A category with this key exists.")]})
    category = Category(key=key, name=name, name_zh_hans=name_zh_hans, parent=parent)
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def routing_rule_create(*, actor, name: str, queue: Queue, order: int = 100, **conditions):
    """Add a routing rule; ``conditions`` are lists (channels, category_keys, tier_keys,
    keywords, languages)."""
    allowed = {"channels", "category_keys", "tier_keys", "keywords", "languages"}
    unknown = set(conditions) - allowed
    if unknown:
        raise ValidationError({name: [_("Unknown condition.")] for name in unknown})
    for field, value in conditions.items():
        if not isinstance(value, list):
            raise ValidationError({field: [_("Give a list.")]})
    return RoutingRule.objects.create(name=name, queue=queue, order=order, **conditions)
