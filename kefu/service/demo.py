"""Demo tickets and a maintenance contract for ``kefu seed --demo`` (see ``kefu.core.demo``).

Everything goes through the desk's services, so the demo tickets have their events, timeline
rows, SLA clocks, contract consumption, survey and search documents like real ones.
"""

import datetime

from django.utils import timezone

from kefu.customers import facade as customers

# subject, description, channel, type, urgency, what happens next
DEMO_TICKETS = [
    (
        "收银机无法打印小票",
        "浦东店 3 号收银机从今天上午开始打印小票时报错“纸张未就绪”，已经换过纸卷。",
        "portal",
        "incident",
        1,
        "replied",
    ),
    (
        "Please add two POS terminals at the Pudong store",
        "We are opening a second checkout line next month and need two more terminals set up.",
        "email",
        "service_request",
        2,
        "new",
    ),
    (
        "会员积分同步延迟",
        "顾客在门店消费后，会员积分要第二天才显示在小程序里。",
        "phone",
        "question",
        2,
        "resolved",
    ),
]


def load_demo(*, users: dict, stdout=None) -> None:
    from kefu.service.models import Queue
    from kefu.service.services.config import queue_member_add
    from kefu.service.services.contracts import contract_create
    from kefu.service.services.conversation import ticket_note_add, ticket_reply_add
    from kefu.service.services.lifecycle import ticket_transition
    from kefu.service.services.tickets import ticket_create

    admin, agent, customer = users["admin"], users["agent"], users.get("customer")
    supervisor = users.get("supervisor")
    # The demo agent works the default queue; the supervisor leads it.
    queue = Queue.objects.filter(is_default=True).first()
    if queue is not None:
        if not queue.memberships.filter(user=agent).exists():
            queue_member_add(actor=admin, queue=queue, user=agent)
        if supervisor is not None and not queue.memberships.filter(user=supervisor).exists():
            queue_member_add(actor=admin, queue=queue, user=supervisor, is_supervisor=True)
    contact_id = customers.contact_for_user(customer.pk) if customer is not None else None
    if contact_id is None:
        return
    organization_ids = customers.contact_organization_ids(contact_id)
    organization_id = organization_ids[0] if organization_ids else None
    today = timezone.localdate()
    if organization_id is not None:
        contract_create(
            actor=admin,
            organization_id=organization_id,
            number="DEMO-2026-001",
            name="年度维保服务 Annual support plan",
            start_date=today - datetime.timedelta(days=300),
            end_date=today + datetime.timedelta(days=65),
            service_level="gold",
            coverage="both",
            hours="business",
            allowance_unit="tickets",
            allowance=4,
            consume_on="created",
            ticket_types=["incident", "question", "service_request"],
            thresholds=[80, 100],
            notes="",
        )
    for subject, description, channel, ticket_type, urgency, then in DEMO_TICKETS:
        ticket = ticket_create(
            actor=admin,
            subject=subject,
            description=description,
            requester_id=contact_id,
            organization_id=organization_id,
            channel=channel,
            ticket_type=ticket_type,
            urgency=urgency,
            assignee_id=None if then == "new" else agent.pk,
        )
        if then in ("replied", "resolved"):
            ticket_note_add(
                actor=agent,
                ticket=ticket,
                body="已远程查看日志，问题可以复现。 Reproduced from the remote logs.",
                time_spent_minutes=15,
            )
            ticket_reply_add(
                actor=agent,
                ticket=ticket,
                body="您好，我们已收到并正在处理，稍后给您回复处理结果。",
                time_spent_minutes=5,
            )
        if then == "resolved":
            ticket.refresh_from_db()
            ticket_transition(
                actor=agent, ticket=ticket, status_key="resolved", resolution_code="fixed"
            )
    if stdout is not None:
        stdout.write(f"demo: a contract and {len(DEMO_TICKETS)} tickets")
