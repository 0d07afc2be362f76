"""Fixed limits of the service desk (domain behaviour, not deployment settings)."""

# Attachments: anything bigger is refused with a clear message, not truncated.
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# Types an agent or customer may upload; executables and scripts are refused.
ATTACHMENT_FORBIDDEN_EXTENSIONS = frozenset(
    {"exe", "bat", "cmd", "com", "msi", "scr", "js", "vbs", "ps1", "sh", "jar", "dll", "apk"}
)
TICKET_NUMBER_PREFIX = "T-"
TICKET_NUMBER_DIGITS = 6
# Days after which a resolved ticket closes by itself, unless its queue says otherwise.
DEFAULT_AUTO_CLOSE_DAYS = 7
DEFAULT_AGENT_CAPACITY = 20
# Satisfaction surveys: a rating from 1 to 5; 4 and 5 count as "satisfied" (CSAT %).
SURVEY_RATING_MIN = 1
SURVEY_RATING_MAX = 5
SURVEY_SATISFIED_MIN = 4
SURVEY_COMMENT_MAX_LENGTH = 2000
