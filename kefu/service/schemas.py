"""API input and output schemas of the service desk."""

from datetime import datetime

from ninja import Field, Schema

from kefu.service.choices import (
    CallDirectionChoices,
    CallOutcomeChoices,
    EntryKindChoices,
    LinkKindChoices,
    TicketChannelChoices,
    TicketTypeChoices,
)


class TicketOut(Schema):
    id: int
    number: str | None
    subject: str
    description: str
    requester_id: int | None
    organization_id: int | None
    site_id: int | None
    asset_id: int | None
    channel: str
    ticket_type: str
    category_id: int | None
    impact: int
    urgency: int
    priority: int
    queue_id: int
    status: str = Field(..., alias="status.key")
    status_category: str
    assignee_id: int | None
    language: str
    source_ref: str
    custom_fields: dict
    version: int
    resolution_code: str
    resolved_at: datetime | None
    closed_at: datetime | None
    merged_into_id: int | None
    parent_id: int | None
    problem_id: int | None
    contract_id: int | None
    billable: bool
    created_at: datetime
    updated_at: datetime


class TicketIn(Schema):
    subject: str
    description: str = ""
    requester_id: int | None = None
    requester_email: str | None = None
    requester_phone: str | None = None
    requester_name: str = ""
    organization_id: int | None = None
    site_id: int | None = None
    asset_id: int | None = None
    channel: TicketChannelChoices = TicketChannelChoices.API
    ticket_type: TicketTypeChoices = TicketTypeChoices.QUESTION
    category_id: int | None = None
    impact: int = 2
    urgency: int = 2
    priority: int | None = None
    queue_id: int | None = None
    assignee_id: int | None = None
    tags: list[str] = []
    custom_fields: dict = {}
    language: str | None = None
    source_ref: str = ""
    parent_id: int | None = None
    problem_id: int | None = None


class TicketPatch(Schema):
    version: int = Field(..., description="The version you read; a stale one answers 409.")
    subject: str | None = None
    description: str | None = None
    ticket_type: TicketTypeChoices | None = None
    category_id: int | None = None
    impact: int | None = None
    urgency: int | None = None
    priority: int | None = None
    site_id: int | None = None
    asset_id: int | None = None
    language: str | None = None
    custom_fields: dict | None = None
    tags: list[str] | None = None


class EntryIn(Schema):
    body: str
    time_spent_minutes: int = 0
    author_contact_id: int | None = Field(
        None, description="Record a reply written by this customer contact (e.g. by phone)."
    )


class NoteIn(Schema):
    body: str
    time_spent_minutes: int = 0


class EntryOut(Schema):
    id: int
    ticket_id: int
    kind: EntryKindChoices
    author_id: int | None
    author_contact_id: int | None
    body: str
    time_spent_minutes: int
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    ticket_id: int
    entry_id: int | None
    filename: str
    content_type: str
    size: int
    is_public: bool
    url: str
    created_at: datetime

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class AssignIn(Schema):
    assignee_id: int | None
    reason: str = ""
    version: int | None = None


class TransitionIn(Schema):
    status: str = Field(..., description="The key of a status of the ticket's lifecycle.")
    resolution_code: str = ""
    version: int | None = None


class EscalateIn(Schema):
    reason: str
    queue_id: int | None = None
    version: int | None = None


class MergeIn(Schema):
    target_id: int = Field(..., description="The ticket this one is merged into.")


class LinkIn(Schema):
    other_id: int
    kind: LinkKindChoices = LinkKindChoices.RELATED


class LinkOut(Schema):
    id: int
    from_ticket_id: int
    to_ticket_id: int
    kind: str
    created_at: datetime


class CallIn(Schema):
    direction: CallDirectionChoices
    number: str = ""
    started_at: datetime | None = None
    wait_seconds: int = 0
    talk_seconds: int = 0
    outcome: CallOutcomeChoices = CallOutcomeChoices.ANSWERED
    contact_id: int | None = None
    ticket_id: int | None = None
    create_ticket: bool = False
    subject: str = ""
    notes: str = ""
    queue_id: int | None = None


class CallOut(Schema):
    id: int
    direction: str
    number: str
    started_at: datetime
    wait_seconds: int
    talk_seconds: int
    outcome: str
    agent_id: int | None
    contact_id: int | None
    organization_id: int | None
    ticket_id: int | None
    notes: str


class LookupTicketOut(Schema):
    id: int
    number: str | None
    subject: str
    status: str = Field(..., alias="status.key")
    status_category: str
    priority: int
    queue_id: int


class LookupOut(Schema):
    number: str | None
    contacts: list[dict]
    organizations: list[dict]
    open_tickets: list[LookupTicketOut]


class SavedViewIn(Schema):
    name: str
    view: str = "all"
    filters: dict[str, str] = {}
    is_shared: bool = False


class SavedViewOut(Schema):
    id: int
    name: str
    owner_id: int
    is_shared: bool
    view: str
    filters: dict
    created_at: datetime


class SurveyOut(Schema):
    id: int
    ticket_id: int
    ticket_number: str | None = Field(None, alias="ticket.number")
    contact_id: int | None
    organization_id: int | None
    queue_id: int | None
    agent_id: int | None
    language: str
    rating: int | None
    comment: str
    created_at: datetime
    mailed_at: datetime | None
    answered_at: datetime | None


class TicketDetailOut(TicketOut):
    survey: SurveyOut | None = None

    @staticmethod
    def resolve_survey(obj):
        # A missing one-to-one row raises an AttributeError subclass: getattr's default covers it.
        return getattr(obj, "survey", None)


class SurveyResultOut(Schema):
    id: int | None = None
    label: str
    sent: int
    answered: int
    average: float | None
    response_rate: float | None
    csat: float | None
