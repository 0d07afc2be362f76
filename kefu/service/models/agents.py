from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.service.choices import AvailabilityChoices, SkillKindChoices
from kefu.service.constants import DEFAULT_AGENT_CAPACITY


class AgentProfile(models.Model):
    """A staff user's service-desk state: availability and how many active tickets they can hold.

    Automatic assignment only picks agents who are ``online`` and below ``capacity``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    availability = models.CharField(
        _("availability"),
        max_length=20,
        choices=AvailabilityChoices.choices,
        default=AvailabilityChoices.OFF,
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=DEFAULT_AGENT_CAPACITY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["availability", "user"], name="service_agent_avail")]
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return f"{self.user_id} {self.availability}"


class AgentSkill(models.Model):
    """What an agent is good at: a category key, a product SKU or a language, rated 1-5.

    Skills-based assignment adds up the proficiency of the skills a ticket needs.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_skills"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SkillKindChoices.choices)
    key = models.CharField(
        _("key"),
        max_length=60,
        help_text=_("A category key, a product SKU or a language code."),
    )
    proficiency = models.PositiveSmallIntegerField(
        _("proficiency"), default=3, help_text=_("1 (basic) to 5 (expert).")
    )

    class Meta:
        ordering = ["user_id", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="service_skill_unique"),
            models.CheckConstraint(
                condition=models.Q(proficiency__gte=1, proficiency__lte=5),
                name="service_skill_proficiency",
            ),
        ]
        indexes = [models.Index(fields=["kind", "key", "user"], name="service_skill_lookup")]
        verbose_name = _("agent skill")
        verbose_name_plural = _("agent skills")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}:{self.key} ({self.proficiency})"


class AgentLoad(models.Model):
    """An agent's active (new, open, waiting) tickets, as of the last fold.

    Not written by Kefu's code: the database's triggers on ``service_ticket`` append each
    change of an agent's active tickets to :class:`AgentLoadChange`, and
    :func:`kefu.service.services.loads.agent_loads_fold` adds those to these totals. An agent's
    load is its total plus its unfolded changes (:func:`kefu.service.routing.agent_loads`).
    No foreign key constraint: the rows outlive a deleted user until the next fold drops them.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    active = models.IntegerField(_("active tickets"), default=0)

    class Meta:
        verbose_name = _("agent load")
        verbose_name_plural = _("agent loads")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.active}"


class AgentLoadChange(models.Model):
    """A change of an agent's active tickets (+n or -n), appended by the ticket table's triggers.

    Append-only, so concurrent ticket writes never wait on a shared counter row (a row per
    agent updated by every write would serialise, and could deadlock, two transactions that
    reassign tickets between the same agents). Folded into :class:`AgentLoad` every minute.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    delta = models.IntegerField(_("change"))

    class Meta:
        verbose_name = _("agent load change")
        verbose_name_plural = _("agent load changes")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.delta:+d}"
