"""Routing decisions: which queue a new ticket goes to, and which agent gets it.

These are reads; ``services.tickets`` applies the decision. Agent selection is one indexed SQL
statement over the queue's members and their maintained loads, so it stays fast with hundreds
of agents and millions of tickets.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection

from kefu.service.choices import (
    AssignmentModeChoices,
    AvailabilityChoices,
    SkillKindChoices,
)
from kefu.service.models import (
    AgentLoad,
    AgentLoadChange,
    AgentProfile,
    AgentSkill,
    Queue,
    QueueMembership,
    RoutingRule,
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


_MODES = (
    AssignmentModeChoices.ROUND_ROBIN,
    AssignmentModeChoices.LEAST_LOADED,
    AssignmentModeChoices.SKILLS,
)


def _eligible_sql(queue: Queue, mode: str, facts: RoutingFacts) -> tuple[str, list]:
    """SQL (and params) of ``(membership id, user id, last assigned, capacity, score)`` of the
    members who may get a ticket now: active staff, ``online``. The score is the summed
    proficiency of the skills the ticket needs (0 outside skills-based queues)."""
    score_sql, score_join, score_params = "0", "", []
    if mode == AssignmentModeChoices.SKILLS:
        # The matching skills summed per agent once, joined to the members: a correlated
        # subquery per member cost PostgreSQL a subplan each (1 ms over 500 members).
        skills_sql, score_params = _skill_condition(facts)
        score_sql = "COALESCE(s.score, 0)"
        score_join = f"""LEFT JOIN (
            SELECT k.user_id, SUM(k.proficiency) AS score FROM {AgentSkill._meta.db_table} k
            WHERE {skills_sql} GROUP BY k.user_id
        ) s ON s.user_id = m.user_id"""  # noqa: S608  (identifiers from model metadata, values are parameters)
    sql = f"""
        SELECT m.id AS id, m.user_id AS user_id, m.last_assigned_at AS last_assigned_at,
               p.capacity AS capacity, {score_sql} AS score
        FROM {QueueMembership._meta.db_table} m
        JOIN {User._meta.db_table} u ON u.id = m.user_id
        JOIN {AgentProfile._meta.db_table} p ON p.user_id = m.user_id
        {score_join}
        WHERE m.queue_id = %s AND u.is_active = %s AND u.is_staff = %s
          AND p.availability = %s AND p.capacity > 0
    """  # noqa: S608  (identifiers come from model metadata, values are parameters)
    return sql, [*score_params, queue.pk, True, True, AvailabilityChoices.ONLINE]


def load_sql(user_column: str) -> tuple[str, str]:
    """The load of the user in ``user_column`` (its total plus its unfolded changes): the
    expression and the joins it needs. Both are maintained by the ticket table's triggers
    (:mod:`kefu.service.services.loads`), so a load is a few index entries whatever the
    number of tickets an agent holds."""
    loads, changes = AgentLoad._meta.db_table, AgentLoadChange._meta.db_table
    joins = f"""LEFT JOIN {loads} l ON l.user_id = {user_column}
        LEFT JOIN (
            SELECT user_id, SUM(delta) AS delta FROM {changes} GROUP BY user_id
        ) c ON c.user_id = {user_column}"""  # noqa: S608  (identifiers from model metadata)
    return "COALESCE(l.active, 0) + COALESCE(c.delta, 0)", joins


def agent_loads(user_ids) -> dict[int, int]:
    """Active (new, open, waiting) tickets assigned to each of ``user_ids``, exact."""
    user_ids = [int(pk) for pk in user_ids]
    if not user_ids:
        return {}
    load, joins = load_sql("u.id")
    marks = ", ".join(["%s"] * len(user_ids))
    sql = f"""
        SELECT u.id, {load} FROM {User._meta.db_table} u {joins} WHERE u.id IN ({marks})
    """  # noqa: S608  (identifiers come from model metadata, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, user_ids)
        return dict(cursor.fetchall())


def pick_member(queue: Queue, facts: RoutingFacts | None = None) -> Candidate | None:
    """Return the agent who should get the next ticket of ``queue`` (or None).

    Only members who are active staff, ``online`` and below their capacity are considered.
    Round-robin takes the member assigned longest ago; least-loaded the one with the fewest
    active tickets; skills-based the highest summed proficiency of the skills the ticket needs
    (category and its ancestors, product, language), then the least loaded. Ties go to the
    member assigned longest ago, then the oldest membership. Manual queues pick nobody.

    One statement: the eligible members with their scores and their maintained loads,
    ordered, the first below capacity. Its cost grows with the queue's members, not with the
    tickets: counting the members' open tickets instead (even capped at their capacity) read
    members x capacity index entries when everyone was full, 21 ms at 1M tickets on
    PostgreSQL. Written as SQL rather than ORM expressions because compiling the ORM version
    cost more than running it.
    """
    mode = queue.assignment_mode
    if mode not in _MODES:
        return None
    eligible, params = _eligible_sql(queue, mode, facts or RoutingFacts())
    load, joins = load_sql("e.user_id")
    by_load = "" if mode == AssignmentModeChoices.ROUND_ROBIN else "load, "
    # Never-assigned members first, then the one assigned longest ago.
    sql = f"""
        SELECT id, user_id, load, score FROM (
            SELECT e.id AS id, e.user_id AS user_id, e.last_assigned_at AS last_assigned_at,
                   e.capacity AS capacity, e.score AS score, {load} AS load
            FROM ({eligible}) e {joins}
        ) members
        WHERE load < capacity
        ORDER BY score DESC, {by_load}(last_assigned_at IS NOT NULL), last_assigned_at, id
        LIMIT 1
    """  # noqa: S608  (identifiers come from model metadata and this module)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    membership_id, user_id, load_now, score = row
    return Candidate(membership_id, user_id, int(load_now), int(score))
