"""Routing decisions: which queue a new ticket goes to, and which agent gets it.

These are reads; ``services.tickets`` applies the decision. Agent selection is one indexed SQL
statement, so it stays fast with hundreds of agents.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection

from kefu.service.choices import (
    ACTIVE_CATEGORIES,
    AssignmentModeChoices,
    AvailabilityChoices,
    SkillKindChoices,
)
from kefu.service.models import (
    AgentProfile,
    AgentSkill,
    Queue,
    QueueMembership,
    RoutingRule,
    Ticket,
)

User = get_user_model()


@dataclass(frozen=True)
class RoutingFacts:
    """What routing rules and skills look at on a new ticket."""

    channel: str = ""
    category_keys: tuple[str, ...] = ()  # the ticket's category and its ancestors
    tier_key: str | None = None
    text: str = ""
    language: str = ""
    product_sku: str | None = None


def rule_matches(rule: RoutingRule, facts: RoutingFacts) -> bool:
    """Return whether every condition set on ``rule`` holds for ``facts``."""
    if rule.channels and facts.channel not in rule.channels:
        return False
    if rule.category_keys and not set(rule.category_keys) & set(facts.category_keys):
        return False
    if rule.tier_keys and facts.tier_key not in rule.tier_keys:
        return False
    if rule.languages and facts.language not in rule.languages:
        return False
    if rule.keywords:
        text = facts.text.casefold()
        if not any(str(word).casefold() in text for word in rule.keywords if str(word).strip()):
            return False
    return True


def queue_for(facts: RoutingFacts, *, config=None) -> Queue | None:
    """Return the queue of the first matching active rule, else the default queue.

    The rules and queues come from the desk's configuration snapshot (``config``, else the
    current one); the queue returned is the snapshot's, shared: do not change it.
    """
    from kefu.service.configuration import desk_config

    config = config or desk_config()
    for rule in config.routing_rules:
        if rule_matches(rule, facts):
            return rule.queue
    return config.default_queue


def _skill_condition(facts: RoutingFacts) -> tuple[str, list]:
    """SQL (and params) selecting the skills a ticket needs: its categories, product, language."""
    parts, params = [], []
    if facts.category_keys:
        marks = ", ".join(["%s"] * len(facts.category_keys))
        parts.append(f"(kind = %s AND key IN ({marks}))")
        params += [SkillKindChoices.CATEGORY, *facts.category_keys]
    if facts.product_sku:
        parts.append("(kind = %s AND key = %s)")
        params += [SkillKindChoices.PRODUCT, facts.product_sku]
    if facts.language:
        parts.append("(kind = %s AND key = %s)")
        params += [SkillKindChoices.LANGUAGE, facts.language]
    return (" OR ".join(parts) or "1 = 0"), params


@dataclass(frozen=True)
class Candidate:
    """The agent chosen for a ticket, with what the assignment modes compared."""

    membership_id: int
    user_id: int
    load: int
    score: int


# Never-assigned members first, then the one assigned longest ago (portable NULLS FIRST).
_IDLE_FIRST = "(m.last_assigned_at IS NOT NULL), m.last_assigned_at"
_ORDERINGS = {
    AssignmentModeChoices.ROUND_ROBIN: f"{_IDLE_FIRST}, m.id",
    AssignmentModeChoices.LEAST_LOADED: f"load, {_IDLE_FIRST}, m.id",
    AssignmentModeChoices.SKILLS: f"score DESC, load, {_IDLE_FIRST}, m.id",
}


def pick_member(queue: Queue, facts: RoutingFacts | None = None) -> Candidate | None:
    """Return the agent who should get the next ticket of ``queue`` (or None).

    Only members who are active staff, ``online`` and below their capacity are considered.
    Round-robin takes the member assigned longest ago; least-loaded the one with the fewest
    active tickets; skills-based the highest summed proficiency of the skills the ticket needs
    (category and its ancestors, product, language), then the least loaded. Manual queues pick
    nobody.

    One SQL statement over three indexes (memberships by queue, tickets by
    ``(assignee, status_category)``, skills by ``(kind, key, user)``). Written as SQL rather
    than ORM expressions because compiling the ORM version cost more than running it: 17 ms
    against 4 ms per decision with 500 agents on SQLite.
    """
    mode = queue.assignment_mode
    if mode not in _ORDERINGS:
        return None
    facts = facts or RoutingFacts()
    skills_sql, skill_params = (
        _skill_condition(facts) if mode == AssignmentModeChoices.SKILLS else ("1 = 0", [])
    )
    active = list(ACTIVE_CATEGORIES)
    active_marks = ", ".join(["%s"] * len(active))
    sql = f"""
        SELECT m.id, m.user_id, COALESCE(l.n, 0) AS load, COALESCE(s.score, 0) AS score
        FROM {QueueMembership._meta.db_table} m
        JOIN {User._meta.db_table} u ON u.id = m.user_id
        JOIN {AgentProfile._meta.db_table} p ON p.user_id = m.user_id
        LEFT JOIN (
            SELECT t.assignee_id, COUNT(*) AS n FROM {Ticket._meta.db_table} t
            WHERE t.status_category IN ({active_marks}) AND t.assignee_id IN (
                SELECT user_id FROM {QueueMembership._meta.db_table} WHERE queue_id = %s
            )
            GROUP BY t.assignee_id
        ) l ON l.assignee_id = m.user_id
        LEFT JOIN (
            SELECT user_id, SUM(proficiency) AS score FROM {AgentSkill._meta.db_table}
            WHERE {skills_sql}
            GROUP BY user_id
        ) s ON s.user_id = m.user_id
        WHERE m.queue_id = %s AND u.is_active = %s AND u.is_staff = %s
          AND p.availability = %s AND COALESCE(l.n, 0) < p.capacity
        ORDER BY {_ORDERINGS[mode]}
        LIMIT 1
    """  # noqa: S608  (identifiers come from model metadata, values are parameters)
    params = [*active, queue.pk, *skill_params, queue.pk, True, True, AvailabilityChoices.ONLINE]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return Candidate(*row) if row else None
