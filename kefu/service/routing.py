"""Routing decisions: which queue a new ticket goes to, and which agent gets it.

These are reads; ``services.tickets`` applies the decision. Agent selection is one or two
indexed SQL statements, so it stays fast with hundreds of agents.
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


def _eligible(queue: Queue, mode: str, facts: RoutingFacts) -> list[tuple]:
    """The rows of :func:`_eligible_sql`."""
    sql, params = _eligible_sql(queue, mode, facts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _capped_load_sql(user_column: str, limit_sql: str, active_marks: str) -> str:
    """A member's active tickets, counted no further than ``limit_sql`` (a capacity): enough
    to tell who is below capacity and how far, and the same few index entries per member
    however many tickets an agent has (at 1M tickets the uncapped counts of 500 agents' open
    tickets took 12 ms)."""
    return f"""(SELECT COUNT(*) FROM (
            SELECT 1 FROM {Ticket._meta.db_table} t
            WHERE t.assignee_id = {user_column} AND t.status_category IN ({active_marks})
            LIMIT {limit_sql}
        ) capped)"""  # noqa: S608  (identifiers come from model metadata and this module)


def _best_with_loads(queue: Queue, facts: RoutingFacts) -> list[tuple]:
    """The eligible members of the best skill score only, each with its active tickets up to
    the group's largest capacity: ``(membership id, user id, last assigned, capacity, score,
    load)``, in one statement (the 500 members' rows stay in the database; only the best few,
    often a handful, come back)."""
    eligible, params = _eligible_sql(queue, AssignmentModeChoices.SKILLS, facts)
    active_marks = ", ".join(["%s"] * len(ACTIVE_CATEGORIES))
    load = _capped_load_sql("b.user_id", "(SELECT MAX(capacity) FROM best)", active_marks)
    sql = f"""
        WITH eligible AS ({eligible}),
        best AS (SELECT * FROM eligible WHERE score = (SELECT MAX(score) FROM eligible))
        SELECT b.id, b.user_id, b.last_assigned_at, b.capacity, b.score, {load}
        FROM best b
    """  # noqa: S608  (identifiers come from model metadata, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ACTIVE_CATEGORIES])
        return cursor.fetchall()


def _loads(user_ids: list[int], cap: int) -> dict[int, int]:
    """Active (new, open, waiting) tickets assigned to each of ``user_ids``, counted up to
    ``cap`` (the largest capacity among them)."""
    marks = ", ".join(["%s"] * len(user_ids))
    active_marks = ", ".join(["%s"] * len(ACTIVE_CATEGORIES))
    load = _capped_load_sql("u.id", "%s", active_marks)
    sql = f"""
        SELECT u.id, {load} FROM {User._meta.db_table} u WHERE u.id IN ({marks})
    """  # noqa: S608  (identifiers come from model metadata, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ACTIVE_CATEGORIES, int(cap), *user_ids])
        return dict(cursor.fetchall())


def _idle_first(last_assigned_at) -> tuple:
    # Never-assigned members first, then the one assigned longest ago.
    return (last_assigned_at is not None, last_assigned_at or "")


# How the open members of one score compare: (load, membership id, user id, last assigned).
def _longest_idle(row) -> tuple:
    return (_idle_first(row[3]), row[1])


def _least_loaded(row) -> tuple:
    return (row[0], _idle_first(row[3]), row[1])


def pick_member(queue: Queue, facts: RoutingFacts | None = None) -> Candidate | None:
    """Return the agent who should get the next ticket of ``queue`` (or None).

    Only members who are active staff, ``online`` and below their capacity are considered.
    Round-robin takes the member assigned longest ago; least-loaded the one with the fewest
    active tickets; skills-based the highest summed proficiency of the skills the ticket needs
    (category and its ancestors, product, language), then the least loaded. Ties go to the
    member assigned longest ago, then the oldest membership. Manual queues pick nobody.

    Skills-based: one statement returns the best-scoring eligible members with their loads
    (:func:`_best_with_loads`); only when all of them are at capacity are the scores walked
    down, as the other modes do: the eligible members, then all their loads in one statement.
    Loads are counted only up to the capacity (a full agent's thousands of open tickets are
    not counted). Counting every member's open tickets cost 3 ms of the 5 a decision took
    with 500 agents on SQLite; the skills usually narrow it to a handful. Written as SQL
    rather than ORM expressions because compiling the ORM version cost more than running it.
    """
    mode = queue.assignment_mode
    if mode not in _MODES:
        return None
    facts = facts or RoutingFacts()
    if mode == AssignmentModeChoices.SKILLS:
        best = [row for row in _best_with_loads(queue, facts) if row[5] < row[3]]
        if best:
            membership_id, user_id, _last, _capacity, score, load = min(
                best, key=lambda row: (row[5], _idle_first(row[2]), row[0])
            )
            return Candidate(membership_id, user_id, load, int(score))
    members = _eligible(queue, mode, facts)
    if not members:
        return None
    by_score: dict[int, list[tuple]] = {}
    for member in members:
        by_score.setdefault(int(member[4]), []).append(member)
    # Every member's load in one statement (capped, so bounded by members x capacity): one
    # statement per score group cost PostgreSQL a plan each, 43 ms when all were full.
    loads = _loads([member[1] for member in members], max(member[3] for member in members))
    for score in sorted(by_score, reverse=True):
        group = by_score[score]
        open_ = [
            (loads.get(user_id, 0), membership_id, user_id, last_assigned_at)
            for membership_id, user_id, last_assigned_at, capacity, _score in group
            if loads.get(user_id, 0) < capacity
        ]
        if not open_:
            continue
        order = _longest_idle if mode == AssignmentModeChoices.ROUND_ROBIN else _least_loaded
        load, membership_id, user_id, _last = min(open_, key=order)
        return Candidate(membership_id, user_id, load, score)
    return None
