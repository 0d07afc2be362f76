"""Every write of the service desk goes through these functions."""

from kefu.service.services.bulk import (
    tickets_bulk_assign,
    tickets_bulk_merge,
    tickets_bulk_set_priority,
    tickets_bulk_tag,
    tickets_bulk_transition,
)
from kefu.service.services.calls import call_record_create
from kefu.service.services.config import (
    agent_profile_set,
    agent_skill_set,
    category_create,
    queue_create,
    queue_member_add,
    queue_member_remove,
    routing_rule_create,
)
from kefu.service.services.conversation import (
    attachment_check,
    canned_response_render,
    ticket_attachment_add,
    ticket_note_add,
    ticket_reply_add,
)
from kefu.service.services.lifecycle import ticket_transition, tickets_autoclose
from kefu.service.services.relations import (
    ticket_link_add,
    ticket_merge,
    ticket_problem_link,
    ticket_split,
)
from kefu.service.services.saved_views import saved_view_create, saved_view_delete
from kefu.service.services.tickets import (
    priority_from_matrix,
    ticket_assign,
    ticket_create,
    ticket_escalate,
    ticket_update,
)

__all__ = [
    "agent_profile_set",
    "agent_skill_set",
    "attachment_check",
    "call_record_create",
    "canned_response_render",
    "category_create",
    "priority_from_matrix",
    "queue_create",
    "queue_member_add",
    "queue_member_remove",
    "routing_rule_create",
    "saved_view_create",
    "saved_view_delete",
    "ticket_assign",
    "ticket_attachment_add",
    "ticket_create",
    "ticket_escalate",
    "ticket_link_add",
    "ticket_merge",
    "ticket_note_add",
    "ticket_problem_link",
    "ticket_reply_add",
    "ticket_split",
    "ticket_transition",
    "ticket_update",
    "tickets_autoclose",
    "tickets_bulk_assign",
    "tickets_bulk_merge",
    "tickets_bulk_set_priority",
    "tickets_bulk_tag",
    "tickets_bulk_transition",
]
