from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.customers.tests.factories import AssetFactory, ContactFactory, ProductFactory
from kefu.service import routing
from kefu.service.models import QueueMembership, Ticket
from kefu.service.services import ticket_create, ticket_escalate
from kefu.service.tests.factories import CategoryFactory, QueueFactory, SkillFactory


def _queue(mode):
    return QueueFactory(assignment_mode=mode)


def test_round_robin_takes_turns(make_agent, make_ticket):
    queue = _queue("round_robin")
    first, second = make_agent(queue), make_agent(queue)
    picked = [make_ticket(queue_id=queue.pk).assignee_id for _ in range(4)]
    assert picked == [first.pk, second.pk, first.pk, second.pk]


def test_least_loaded_picks_agent_with_fewest_active_tickets(make_agent, make_ticket, admin_user):
    queue = _queue("least_loaded")
    busy, idle = make_agent(queue), make_agent(queue)
    for _ in range(3):
        ticket_create(actor=admin_user, subject="x", queue_id=queue.pk, assignee_id=busy.pk)
    assert make_ticket(queue_id=queue.pk).assignee_id == idle.pk


def test_resolved_tickets_do_not_count_as_load(make_agent, make_ticket, admin_user):
    queue = _queue("least_loaded")
    a, b = make_agent(queue), make_agent(queue)
    for _ in range(2):
        ticket_create(actor=admin_user, subject="x", queue_id=queue.pk, assignee_id=a.pk)
    Ticket.objects.filter(assignee=a).update(status_category="resolved")
    ticket_create(actor=admin_user, subject="x", queue_id=queue.pk, assignee_id=b.pk)
    assert make_ticket(queue_id=queue.pk).assignee_id == a.pk


def test_unavailable_and_full_agents_are_skipped(make_agent, make_ticket, admin_user):
    queue = _queue("least_loaded")
    make_agent(queue, availability="away")
    make_agent(queue, availability="out_of_office")
    full = make_agent(queue, capacity=1)
    ticket_create(actor=admin_user, subject="x", queue_id=queue.pk, assignee_id=full.pk)
    assert make_ticket(queue_id=queue.pk).assignee_id is None
    free = make_agent(queue)
    assert make_ticket(queue_id=queue.pk).assignee_id == free.pk


def test_skills_pick_best_proficiency_for_category_product_and_language(make_agent, make_ticket):
    queue = _queue("skills")
    hardware = CategoryFactory(key="hardware")
    printers = CategoryFactory(key="printers", parent=hardware)
    product = ProductFactory(sku="POS-9")
    contact = ContactFactory()
    asset = AssetFactory(product=product, organization=contact.primary_organization)
    generalist, printer_expert, pos_english = (
        make_agent(queue),
        make_agent(queue),
        make_agent(queue),
    )
    SkillFactory(user=generalist, kind="category", key="hardware", proficiency=2)
    SkillFactory(user=printer_expert, kind="category", key="printers", proficiency=5)
    SkillFactory(user=pos_english, kind="product", key="POS-9", proficiency=4)
    SkillFactory(user=pos_english, kind="language", key="en", proficiency=4)

    assert make_ticket(queue_id=queue.pk, category_id=printers.pk).assignee_id == printer_expert.pk
    assert (
        make_ticket(
            queue_id=queue.pk, requester_id=contact.pk, asset_id=asset.pk, language="en"
        ).assignee_id
        == pos_english.pk
    )


def test_skills_ties_go_to_the_least_loaded_then_the_longest_idle(make_agent, make_ticket):
    from datetime import timedelta

    from django.utils import timezone

    queue = _queue("skills")
    category = CategoryFactory(key="billing")
    busy, recent, idle = make_agent(queue), make_agent(queue), make_agent(queue)
    for agent in (busy, recent, idle):
        SkillFactory(user=agent, kind="category", key="billing", proficiency=3)
    make_ticket(queue_id=queue.pk, assignee_id=busy.pk)
    now = timezone.now()
    QueueMembership.objects.filter(user=recent).update(last_assigned_at=now)
    QueueMembership.objects.filter(user=idle).update(last_assigned_at=now - timedelta(hours=1))
    facts = routing.RoutingFacts(category_keys=(category.key,))

    first = routing.pick_member(queue, facts)
    assert (first.user_id, first.load, first.score) == (idle.pk, 0, 3)
    QueueMembership.objects.filter(user=idle).update(last_assigned_at=now + timedelta(minutes=1))
    assert routing.pick_member(queue, facts).user_id == recent.pk


def test_skills_ignore_offline_experts(make_agent, make_ticket):
    queue = _queue("skills")
    category = CategoryFactory(key="network")
    expert = make_agent(queue, availability="off")
    novice = make_agent(queue)
    SkillFactory(user=expert, kind="category", key="network", proficiency=5)
    SkillFactory(user=novice, kind="category", key="network", proficiency=1)
    assert make_ticket(queue_id=queue.pk, category_id=category.pk).assignee_id == novice.pk


def test_manual_queue_assigns_nobody(make_agent, make_ticket):
    queue = _queue("manual")
    make_agent(queue)
    assert make_ticket(queue_id=queue.pk).assignee_id is None


def test_escalate_moves_to_second_line_and_reassigns(make_agent, make_ticket, admin_user):
    second = _queue("least_loaded")
    first = QueueFactory(second_line=second)
    expert = make_agent(second)
    ticket = make_ticket(queue_id=first.pk)

    ticket = ticket_escalate(actor=admin_user, ticket=ticket, reason="需要二线支持")

    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.queue == second
    assert stored.assignee == expert
    event = stored.entries.get(data__event="escalated")
    assert event.data["reason"] == "需要二线支持"


def test_skills_decision_with_500_agents_is_one_statement(make_user, desk):
    """One statement whatever the number of agents and tickets (the speed itself is
    ``make bench``'s ``service.assignment``)."""
    from kefu.accounts.models import User
    from kefu.service.models import AgentProfile, AgentSkill

    queue = _queue("skills")
    users = User.objects.bulk_create(
        [User(username=f"bulk-agent-{i}", is_staff=True) for i in range(500)]
    )
    QueueMembership.objects.bulk_create([QueueMembership(queue=queue, user=u) for u in users])
    AgentProfile.objects.bulk_create(
        [AgentProfile(user=u, availability="online", capacity=30) for u in users]
    )
    AgentSkill.objects.bulk_create(
        [
            AgentSkill(user=u, kind="category", key=f"c{i % 50}", proficiency=1 + i % 5)
            for i, u in enumerate(users)
        ]
        + [AgentSkill(user=u, kind="language", key="zh-hans", proficiency=3) for u in users[::3]]
    )
    facts = routing.RoutingFacts(category_keys=("c7", "c3"), language="zh-hans")
    with CaptureQueriesContext(connection) as queries:
        member = routing.pick_member(queue, facts)
    assert len(queries) == 1
    assert AgentSkill.objects.filter(user_id=member.user_id, key__in=["c7", "c3"]).exists()
    # Agent i holds c{i % 50} at proficiency 1 + i % 5, and Chinese (3) when i % 3 == 0: the
    # best score, c3 (4) + Chinese (3), is held by agents 3, 153, 303 and 453 only.
    assert member.score == 7
    assert member.user_id in {users[i].pk for i in (3, 153, 303, 453)}


def test_skills_decision_falls_back_when_the_best_are_at_capacity(make_agent, make_ticket):
    queue = _queue("skills")
    expert = make_agent(queue, capacity=1)
    plain = make_agent(queue)
    category = CategoryFactory(key="printers")
    SkillFactory(user=expert, kind="category", key="printers", proficiency=5)
    make_ticket(queue_id=queue.pk, assignee_id=expert.pk)

    member = routing.pick_member(queue, routing.RoutingFacts(category_keys=(category.key,)))

    assert member.user_id == plain.pk
    assert member.score == 0


def test_full_best_scorers_give_way_to_the_least_loaded_of_the_next_score(make_agent, make_ticket):
    """Everyone of the best score at capacity: the next score's least loaded member, with
    its exact load (loads are the maintained totals, not counts capped at the capacity)."""
    queue = _queue("skills")
    experts = [make_agent(queue, capacity=2) for _ in range(2)]
    busy, light = make_agent(queue, capacity=9), make_agent(queue, capacity=9)
    CategoryFactory(key="scanners")
    for expert in experts:
        SkillFactory(user=expert, kind="category", key="scanners", proficiency=5)
    for agent in (busy, light):
        SkillFactory(user=agent, kind="category", key="scanners", proficiency=2)
    for agent, count in ((experts[0], 3), (experts[1], 2), (busy, 4), (light, 1)):
        for _ in range(count):
            make_ticket(queue_id=queue.pk, assignee_id=agent.pk)

    assert routing.agent_loads([*(e.pk for e in experts), busy.pk, light.pk]) == {
        experts[0].pk: 3,
        experts[1].pk: 2,
        busy.pk: 4,
        light.pk: 1,
    }
    member = routing.pick_member(queue, routing.RoutingFacts(category_keys=("scanners",)))
    assert (member.user_id, member.load, member.score) == (light.pk, 1, 2)
    Ticket.objects.filter(assignee=experts[1]).update(status_category="resolved")
    member = routing.pick_member(queue, routing.RoutingFacts(category_keys=("scanners",)))
    assert (member.user_id, member.load, member.score) == (experts[1].pk, 0, 5)
