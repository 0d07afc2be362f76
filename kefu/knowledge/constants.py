from datetime import timedelta

# Points an author earns (see RewardPoint).
POINTS_PUBLISHED = 10
POINTS_REUSED = 3
POINTS_HELPFUL = 1

# A published article is due for re-review after this long.
REVIEW_INTERVAL = timedelta(days=180)

MAX_TITLE = 200

# Article attachments: at most this large, and only these types (images can be shown in the
# article with Markdown; no SVG: it can carry scripts).
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
ATTACHMENT_EXTENSIONS = ATTACHMENT_IMAGE_EXTENSIONS | frozenset(
    {"pdf", "txt", "csv", "docx", "xlsx", "pptx", "zip"}
)
