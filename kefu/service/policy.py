"""Who sees and touches which tickets, and what each role may do in the service desk.

Agents see the tickets of the queues they are members of (plus those assigned to them);
holders of ``service.view_all_tickets`` (supervisors, administrators) see every ticket.
"""

from django.db.models import Q, QuerySet

from kefu.accounts import policy, roles

ALL_TICKETS = "service.view_all_tickets"


def sees_all_tickets(user) -> bool:
    """Supervisors and administrators (``service.view_all_tickets``) see every ticket."""
    return user.is_superuser or user.has_perm(ALL_TICKETS)


def ticket_scope(user, queryset: QuerySet) -> QuerySet:
    """Narrow tickets to those ``user`` may see."""
    if sees_all_tickets(user):
        return queryset
    from kefu.service.models import QueueMembership

    # The user's queues as a subquery, not a join: a join repeats no ticket here, but needs
    # DISTINCT to prove it, and DISTINCT makes the database read every visible ticket before
    # it can return the newest page of them.
    my_queues = QueueMembership.objects.filter(user=user).values("queue_id")
    return queryset.filter(Q(queue_id__in=my_queues) | Q(assignee=user))


def ticket_rule(user, perm: str, ticket) -> bool:
    """Allow ``perm`` on ``ticket`` when the user sees all tickets or works its queue."""
    if sees_all_tickets(user):
        return True
    from kefu.service.models import QueueMembership

    if ticket.assignee_id == user.pk:
        return True
    return QueueMembership.objects.filter(queue_id=ticket.queue_id, user=user).exists()


def register() -> None:
    from kefu.service.models import Ticket

    policy.register_scope(Ticket, ticket_scope)
    policy.register_object_rule(Ticket, ticket_rule)

    work = [
        "service.view_ticket",
        "service.add_ticket",
        "service.change_ticket",
        "service.view_ticketentry",
        "service.add_ticketentry",
        "service.view_ticketattachment",
        "service.add_ticketattachment",
        "service.view_ticketlink",
        "service.add_ticketlink",
        "service.view_queue",
        "service.view_category",
        "service.view_cannedresponse",
        "service.view_callrecord",
        "service.add_callrecord",
        "service.view_agentprofile",
        "service.view_agentskill",
        "service.view_status",
        "service.view_lifecycle",
        "service.view_savedview",
        "service.add_savedview",
        "service.delete_savedview",
    ]
    roles.grant(roles.Role.ADMIN, ["service.*"])
    roles.grant(roles.Role.SUPERVISOR, ["service.*"])
    roles.grant(roles.Role.AGENT, work)
    roles.grant(roles.Role.TECHNICIAN, ["service.view_ticket", "service.view_ticketentry"])
