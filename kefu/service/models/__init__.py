from kefu.service.models.agents import AgentLoad, AgentLoadChange, AgentProfile, AgentSkill
from kefu.service.models.calls import CallRecord
from kefu.service.models.catalog import CannedResponse, Category, PriorityMatrixEntry
from kefu.service.models.contracts import Contract, ContractConsumption, ContractThresholdNotice
from kefu.service.models.queues import (
    Lifecycle,
    Queue,
    QueueMembership,
    Status,
    StatusTransition,
)
from kefu.service.models.routing import RoutingRule
from kefu.service.models.saved_views import SavedView
from kefu.service.models.sla import (
    BusinessCalendar,
    BusinessCalendarException,
    BusinessCalendarInterval,
    SlaClock,
    SlaEscalationLevel,
    SlaFiredLevel,
    SlaPolicy,
    SlaTarget,
)
from kefu.service.models.surveys import Survey
from kefu.service.models.tickets import Ticket, TicketAttachment, TicketEntry, TicketLink
from kefu.service.models.vendors import UnderpinningContract, VendorDispatch

__all__ = [
    "AgentLoad",
    "AgentLoadChange",
    "AgentProfile",
    "AgentSkill",
    "BusinessCalendar",
    "BusinessCalendarException",
    "BusinessCalendarInterval",
    "CallRecord",
    "CannedResponse",
    "Category",
    "Contract",
    "ContractConsumption",
    "ContractThresholdNotice",
    "Lifecycle",
    "PriorityMatrixEntry",
    "Queue",
    "QueueMembership",
    "RoutingRule",
    "SavedView",
    "SlaClock",
    "SlaEscalationLevel",
    "SlaFiredLevel",
    "SlaPolicy",
    "SlaTarget",
    "Status",
    "StatusTransition",
    "Survey",
    "Ticket",
    "TicketAttachment",
    "TicketEntry",
    "TicketLink",
    "UnderpinningContract",
    "VendorDispatch",
]
