"""``kefu mail_ingest [--mailbox NAME] < message.eml``: take one raw mail from a mail server pipe."""

import sys

from django.core.management.base import BaseCommand, CommandError

from kefu.channels.choices import InboundSourceChoices
from kefu.channels.models import Mailbox
from kefu.channels.services import mail_ingest


class Command(BaseCommand):
    help = "Read one raw RFC 5322 message from standard input and process it."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="Name or address of the mailbox it was sent to.")

    def handle(self, *args, **options):
        mailbox = None
        if options["mailbox"]:
            key = options["mailbox"]
            mailbox = (
                Mailbox.objects.filter(name=key).first()
                or Mailbox.objects.filter(from_address=key.lower()).first()
            )
            if mailbox is None:
                raise CommandError(f"No mailbox named {key!r}.")
        raw = sys.stdin.buffer.read()
        if not raw:
            raise CommandError("Nothing on standard input.")
        row = mail_ingest(raw=raw, mailbox=mailbox, source=InboundSourceChoices.PIPE)
        self.stdout.write(f"{row.pk} {row.state} {row.kind or '-'} ticket={row.ticket_id or '-'}")
        if row.state == "quarantined":
            # The raw message is stored: tell the mail server it was delivered, not to retry.
            self.stderr.write(f"quarantined: {row.error}")
