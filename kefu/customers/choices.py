from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationStatusChoices(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    FORMER = "former", _("Former")


class IndustryChoices(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    RETAIL = "retail", _("Retail")
    FINANCE = "finance", _("Finance and insurance")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    GOVERNMENT = "government", _("Government")
    TECHNOLOGY = "technology", _("Information technology")
    TELECOM = "telecom", _("Telecommunications")
    LOGISTICS = "logistics", _("Logistics")
    ENERGY = "energy", _("Energy and utilities")
    HOSPITALITY = "hospitality", _("Hospitality")
    REAL_ESTATE = "real_estate", _("Real estate")
    OTHER = "other", _("Other")


class IdentityKindChoices(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    OTHER = "other", _("Other")


class ChannelChoices(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    PORTAL = "portal", _("Web portal")


class ConsentSourceChoices(models.TextChoices):
    FORM = "form", _("Web form")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call")
    IMPORT = "import", _("Import")
    AGENT = "agent", _("Recorded by staff")
    API = "api", _("API")
    PORTAL = "portal", _("Portal")


class AssetStatusChoices(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    ACTIVE = "active", _("In service")
    IN_REPAIR = "in_repair", _("In repair")
    RETIRED = "retired", _("Retired")


class TimelineKindChoices(models.TextChoices):
    NOTE = "note", _("Note")
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    MEETING = "meeting", _("Meeting")
    TICKET = "ticket", _("Ticket")
    DEAL = "deal", _("Deal")
    CONTRACT = "contract", _("Contract")
    SURVEY = "survey", _("Survey")
    SYSTEM = "system", _("System")


class CallDirectionChoices(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
