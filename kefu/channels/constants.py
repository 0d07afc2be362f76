"""Fixed limits of the mail channel (domain behaviour, not deployment settings)."""

# A message bigger than this is quarantined unparsed (kept raw for an administrator).
MAIL_MAX_BYTES = 30 * 1024 * 1024
# Deeper MIME nesting than this is a parser bomb, not a customer's mail.
MAIL_MAX_DEPTH = 12
MAIL_MAX_PARTS = 300
# Wall-clock budget for parsing one message; beyond it the message is quarantined.
MAIL_PARSE_SECONDS = 20.0
# Attachments bigger than this are left out of the ticket (the raw mail keeps them).
MAIL_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# Automatic replies (acknowledgements) to one sender per day, whatever the robot checks say.
AUTO_REPLIES_PER_SENDER_PER_DAY = 3
# Outbox: attempts before a temporary failure becomes permanent, and the back-off cap.
OUTBOX_MAX_ATTEMPTS = 8
OUTBOX_BACKOFF_BASE_SECONDS = 60
OUTBOX_BACKOFF_MAX_SECONDS = 6 * 3600
# A "sending" claim older than this belongs to a worker that died; the row may be taken again.
OUTBOX_CLAIM_LEASE_SECONDS = 300
# How many messages one IMAP poll takes per mailbox.
IMAP_BATCH = 200
# The local part prefix of our Message-IDs: <kefu.{random}@{domain}>.
MESSAGE_ID_PREFIX = "kefu."
# A ticket reference in a subject: [T-000123].
TICKET_REF_PATTERN = r"\[(T-\d{4,12})\]"
# Tickets opened through these desk channels get a mailed acknowledgement (mail intake sends
# its own, with the robot checks; a phone or walk-in requester is talking to the agent).
ACKNOWLEDGED_TICKET_CHANNELS = ("portal", "api")
# SMS queue: attempts before a temporary gateway failure becomes permanent, back-off, lease.
SMS_MAX_ATTEMPTS = 6
SMS_BACKOFF_BASE_SECONDS = 30
SMS_BACKOFF_MAX_SECONDS = 3600
SMS_CLAIM_LEASE_SECONDS = 120
