"""The periodic IMAP sweep: fetch, store, process, and only then remove from the server."""

import logging

from django.db.models import Q
from django.utils import timezone

from kefu.channels.choices import (
    InboundSourceChoices,
    InboundStateChoices,
    MailboxAfterFetchChoices,
)
from kefu.channels.constants import IMAP_BATCH
from kefu.channels.crypto import secret_decrypt
from kefu.channels.email.imap import imap_session
from kefu.channels.models import InboundMessage, Mailbox
from kefu.channels.services.intake import inbound_process, inbound_receive

logger = logging.getLogger(__name__)


def mailbox_poll(*, mailbox: Mailbox, limit: int = IMAP_BATCH) -> dict[str, int]:
    """Fetch up to ``limit`` messages of one mailbox; return counts (fetched, new, quarantined).

    Each message is stored and processed in its own committed transactions *before* it is
    deleted (or flagged) on the server: a crash in between means the next poll fetches it
    again, and the UID/Message-ID/sha256 de-duplication makes that copy a no-op. UIDs are
    qualified by the folder's UIDVALIDITY, so a rebuilt folder does not alias old UIDs.
    """
    counts = {"fetched": 0, "new": 0, "quarantined": 0}
    keep = mailbox.after_fetch == MailboxAfterFetchChoices.FLAG
    try:
        with imap_session(
            host=mailbox.imap_host,
            port=mailbox.imap_port,
            security=mailbox.imap_security,
            user=mailbox.imap_user,
            password=secret_decrypt(mailbox.password_encrypted),
            folder=mailbox.imap_folder or "INBOX",
        ) as session:
            validity = session.uid_validity
            for uid in session.uids(unseen_only=keep, limit=limit):
                raw = session.fetch_raw(uid)
                if raw is None:
                    continue
                counts["fetched"] += 1
                row, created = inbound_receive(
                    raw=raw,
                    mailbox=mailbox,
                    uid=f"{validity}:{uid}",
                    source=InboundSourceChoices.IMAP,
                )
                counts["new"] += int(created)
                if row.state == InboundStateChoices.RECEIVED:
                    row = inbound_process(inbound_id=row.pk, raw=raw if created else None)
                counts["quarantined"] += int(row.state == InboundStateChoices.QUARANTINED)
                # Committed above: only now may the server's copy go.
                if keep:
                    session.mark_seen(uid)
                else:
                    session.delete(uid)
    except Exception as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_polled_at=timezone.now(), last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        logger.warning("mailbox %s: poll failed: %s", mailbox.name, exc)
        raise
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error="")
    return counts


def mailboxes_poll() -> dict[str, dict[str, int]]:
    """Poll every active mailbox with an IMAP host; one failing mailbox does not stop the rest."""
    results = {}
    for mailbox in Mailbox.objects.filter(is_active=True).filter(~Q(imap_host="")):
        try:
            results[mailbox.name] = mailbox_poll(mailbox=mailbox)
        except Exception:
            results[mailbox.name] = {"error": 1}
    return results


def inbound_process_pending(*, limit: int = 100) -> int:
    """Process rows stored but not processed (a worker died between the two steps)."""
    pending = list(
        InboundMessage.objects.filter(state=InboundStateChoices.RECEIVED)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pending:
        inbound_process(inbound_id=pk)
    return len(pending)
