"""Real mail servers on loopback for the tests: Debian's dovecot (IMAP) and aiosmtpd (SMTP).

Each server gets a free port and a private temporary directory, so tests can run in parallel
(xdist). If a server cannot start, the test calls ``conftest.service_unavailable`` (skipped
locally, a failure in CI).
"""

import asyncio
import email
import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.settimeout(2)
                if sock.recv(100):
                    return True
        except OSError:
            time.sleep(0.1)
    return False


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str


DOVECOT_CONF = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
"""


@contextmanager
def dovecot_server(*, user: str = "support", password: str = "imap-pass-测试"):
    """Start dovecot with a passwd-file user and a maildir in a temporary directory."""
    import conftest

    if not os.path.exists(DOVECOT):
        conftest.service_unavailable("dovecot is not installed (/usr/sbin/dovecot)")
    root = Path(tempfile.mkdtemp(prefix="kefu-dovecot-"))
    root.chmod(0o755)
    port = free_port()
    if os.geteuid() == 0:
        # Dovecot refuses to run its login and mail processes as root.
        internal, login = "dovecot", "dovenull"
        mail_user = pwd.getpwnam("nobody")
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
        mail_user = pwd.getpwuid(os.getuid())
    internal_group = "dovecot" if os.geteuid() == 0 else grp.getgrgid(os.getgid()).gr_name
    for name in ("run", "state", "home"):
        (root / name).mkdir()
    (root / "home").chmod(0o777)
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n", encoding="utf-8")
    (root / "passwd").chmod(0o644)
    conf = root / "dovecot.conf"
    conf.write_text(
        DOVECOT_CONF.format(
            root=root,
            port=port,
            internal_user=internal,
            internal_group=internal_group,
            login_user=login,
            uid=mail_user.pw_uid,
            gid=mail_user.pw_gid,
        ),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        if not _wait_for_port(port):
            log_file = root / "dovecot.log"
            log = log_file.read_text(errors="replace") if log_file.exists() else ""
            conftest.service_unavailable(f"dovecot did not start on port {port}: {log[-500:]}")
        yield ImapServer("127.0.0.1", port, user, password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self):
        return email.message_from_bytes(self.data, policy=policy.default)


@dataclass
class SmtpHandler:
    """Collects what it receives; ``rcpt_reply`` forces an answer (e.g. "450 ..." or "550 ...")."""

    received: list[Received] = field(default_factory=list)
    rcpt_reply: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        )
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server():
    """Start aiosmtpd on a free loopback port; yield ``(port, handler)``."""
    import conftest

    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        conftest.service_unavailable("aiosmtpd is not installed")
    handler = SmtpHandler()
    port = free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, decode_data=False, loop=asyncio.new_event_loop()
    )
    try:
        controller.start()
    except Exception as exc:
        conftest.service_unavailable(f"aiosmtpd did not start: {exc}")
    try:
        yield port, handler
    finally:
        controller.stop()
