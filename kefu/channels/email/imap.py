"""Reading a mailbox over IMAP with imap-tools: raw bytes by UID, removal only when told."""

import re
from contextlib import contextmanager

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags

from kefu.channels.choices import MailboxSecurityChoices

CLIENTS = {
    MailboxSecurityChoices.SSL: MailBox,
    MailboxSecurityChoices.STARTTLS: MailBoxStartTls,
    MailboxSecurityChoices.PLAIN: MailBoxUnencrypted,
}


class ImapSession:
    """One logged-in folder: list UIDs, fetch one message's raw bytes, delete or flag it."""

    def __init__(self, box, folder: str):
        self.box = box
        self.folder = folder

    @property
    def uid_validity(self) -> str:
        status = self.box.folder.status(self.folder, ["UIDVALIDITY"])
        return str(status.get("UIDVALIDITY", ""))

    def uids(self, *, unseen_only: bool, limit: int) -> list[str]:
        return list(self.box.uids("UNSEEN" if unseen_only else "ALL"))[:limit]

    def fetch_raw(self, uid: str) -> bytes | None:
        typ, data = self.box.client.uid("FETCH", uid, "(BODY.PEEK[])")
        if typ != "OK":
            return None
        for item in data or []:
            if isinstance(item, tuple) and re.search(rb"BODY\[\]", item[0] or b""):
                return item[1]
        return None

    def delete(self, uid: str) -> None:
        self.box.delete([uid])

    def mark_seen(self, uid: str) -> None:
        self.box.flag([uid], MailMessageFlags.SEEN, True)


@contextmanager
def imap_session(*, host: str, port: int, security: str, user: str, password: str, folder: str):
    client = CLIENTS[security](host, port, timeout=60)
    if (user + password).isascii():
        box = client.login(user, password, initial_folder=folder)
    else:
        # IMAP LOGIN is ASCII-only; a Chinese password needs SASL PLAIN in UTF-8 (RFC 4616).
        box = client.login_utf8(user, password, initial_folder=folder)
    try:
        yield ImapSession(box, folder)
    finally:
        box.logout()
