from kefu.core.models.base import TimeStampedModel, TranslatedNameModel
from kefu.core.models.customfields import CustomFieldDefinition, CustomFieldType
from kefu.core.models.search import SearchDocument
from kefu.core.models.system import ConfigStamp, Heartbeat, IdempotencyKey
from kefu.core.models.tags import Tag

__all__ = [
    "ConfigStamp",
    "CustomFieldDefinition",
    "CustomFieldType",
    "Heartbeat",
    "IdempotencyKey",
    "SearchDocument",
    "Tag",
    "TimeStampedModel",
    "TranslatedNameModel",
]
