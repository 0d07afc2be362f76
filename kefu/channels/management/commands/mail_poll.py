"""``kefu mail_poll [--mailbox NAME]``: poll IMAP mailboxes once (the job queue does it every minute)."""

from django.core.management.base import BaseCommand, CommandError

from kefu.channels.models import Mailbox
from kefu.channels.services import inbound_process_pending, mailbox_poll, mailboxes_poll


class Command(BaseCommand):
    help = "Fetch new mail from the active IMAP mailboxes and process it."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="Only this mailbox (name).")

    def handle(self, *args, **options):
        if options["mailbox"]:
            mailbox = Mailbox.objects.filter(name=options["mailbox"]).first()
            if mailbox is None:
                raise CommandError(f"No mailbox named {options['mailbox']!r}.")
            results = {mailbox.name: mailbox_poll(mailbox=mailbox)}
        else:
            results = mailboxes_poll()
        pending = inbound_process_pending()
        for name, counts in results.items():
            self.stdout.write(f"{name}: {counts}")
        if pending:
            self.stdout.write(f"processed {pending} stored message(s) left from before")
