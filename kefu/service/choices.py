from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentModeChoices(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")
    SKILLS = "skills", _("Skills-based")


class StatusCategoryChoices(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Categories in which a ticket still needs work (counts towards an agent's load).
ACTIVE_CATEGORIES = (
    StatusCategoryChoices.NEW,
    StatusCategoryChoices.OPEN,
    StatusCategoryChoices.WAITING,
)
DONE_CATEGORIES = (StatusCategoryChoices.RESOLVED, StatusCategoryChoices.CLOSED)


class TicketChannelChoices(models.TextChoices):
    EMAIL = "email", _("Email")
    PORTAL = "portal", _("Portal")
    PHONE = "phone", _("Phone")
    API = "api", _("API")
    SMS = "sms", _("SMS")
    WALK_IN = "walk_in", _("Walk-in")
    INTERNAL = "internal", _("Internal")


class TicketTypeChoices(models.TextChoices):
    QUESTION = "question", _("Question")
    INCIDENT = "incident", _("Incident")
    SERVICE_REQUEST = "service_request", _("Service request")
    PROBLEM = "problem", _("Problem")
    COMPLAINT = "complaint", _("Complaint")


class ImpactChoices(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class UrgencyChoices(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class PriorityChoices(models.IntegerChoices):
    CRITICAL = 1, _("Critical")
    HIGH = 2, _("High")
    MEDIUM = 3, _("Medium")
    LOW = 4, _("Low")


class ResolutionCodeChoices(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    WORKAROUND = "workaround", _("Workaround given")
    ANSWERED = "answered", _("Question answered")
    NOT_REPRODUCIBLE = "not_reproducible", _("Not reproducible")
    DUPLICATE = "duplicate", _("Duplicate")
    CANCELLED = "cancelled", _("Cancelled by customer")
    NO_RESPONSE = "no_response", _("No response from customer")


class EntryKindChoices(models.TextChoices):
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")
    EVENT = "event", _("System event")


class LinkKindChoices(models.TextChoices):
    RELATED = "related", _("Related")
    DUPLICATE = "duplicate", _("Duplicate of")


class AvailabilityChoices(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFF = "off", _("Off")
    OUT_OF_OFFICE = "out_of_office", _("Out of office")


class SkillKindChoices(models.TextChoices):
    CATEGORY = "category", _("Category")
    PRODUCT = "product", _("Product")
    LANGUAGE = "language", _("Language")


class CallDirectionChoices(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallOutcomeChoices(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    MISSED = "missed", _("Missed")
    ABANDONED = "abandoned", _("Abandoned")
    VOICEMAIL = "voicemail", _("Voicemail")
    CALLBACK = "callback", _("Callback requested")


class WeekdayChoices(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SlaExceptionKindChoices(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Make-up workday")


class SlaMetricChoices(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")
    UPDATE = "update", _("Customer update")


class SlaClockStateChoices(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")


class SlaRecipientChoices(models.TextChoices):
    ASSIGNEE = "assignee", _("Assignee")
    QUEUE_SUPERVISORS = "queue_supervisors", _("Queue supervisors")
    ACCOUNT_OWNER = "account_owner", _("Account owner")
    REQUESTER = "requester", _("Requester")
