"""Mail intake survives ``kill -9``: messages polled while the worker is killed at random times.

The normal suite runs 40 messages and a few kills; ``KEFU_MAIL_KILL_MESSAGES=1000`` runs the
issue's 1,000. Every run must end with exactly one entry per message, no duplicates, nothing left
half-processed and the IMAP mailbox empty.
"""

import os
import random
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection
from imap_tools import MailBoxUnencrypted

from kefu.channels.models import InboundMessage
from kefu.channels.services import mailbox_save
from kefu.channels.tests.mails import b64word, raw_mail
from kefu.channels.tests.servers import dovecot_server
from kefu.service.models import Ticket

MESSAGES = int(os.environ.get("KEFU_MAIL_KILL_MESSAGES", "40"))

pytestmark = pytest.mark.slow


def _worker_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "KEFU_TEST_"))}
    env["DJANGO_SETTINGS_MODULE"] = "kefu.settings.test"
    env["KEFU_CONN_MAX_AGE"] = "0"
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("KEFU_DATABASE_URL", None)
        env["KEFU_SQLITE_PATH"] = str(database["NAME"])
    else:
        url = urlsplit(os.environ["KEFU_DATABASE_URL"])
        env["KEFU_DATABASE_URL"] = url._replace(path="/" + database["NAME"]).geturl()
    return env


def _uids(server) -> list[str]:
    with MailBoxUnencrypted(server.host, server.port).login_utf8(
        server.user, server.password
    ) as box:
        return list(box.uids("ALL"))


def test_kill_9_during_polling_loses_and_duplicates_nothing(transactional_db, desk, tmp_path):
    rng = random.Random(9)
    with dovecot_server() as server:
        mailbox_save(
            actor=None,
            name="Kill",
            from_address="kill@kefu.localhost",
            queue_id=desk.pk,
            imap_host=server.host,
            imap_port=server.port,
            imap_security="plain",
            imap_user=server.user,
            password=server.password,
            send_acknowledgement=False,
        )
        with MailBoxUnencrypted(server.host, server.port).login_utf8(
            server.user, server.password
        ) as box:
            for n in range(MESSAGES):
                box.append(
                    raw_mail(
                        sender=f"{b64word(f'客户{n}', 'utf-8')} <customer{n}@example.cn>",
                        subject=f"请求 {n}",
                        body=f"第 {n} 封邮件。",
                        message_id=f"kill.{n}@example.cn",
                    ),
                    "INBOX",
                )
        env = _worker_env()
        kills = 0
        command = [sys.executable, "-m", "kefu", "mail_poll", "--mailbox", "Kill"]
        stored = InboundMessage.objects.filter(mailbox__name="Kill")
        for _round in range(200):
            with (tmp_path / "worker.log").open("ab") as log:
                worker = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
                # Kill it mid-run whatever the machine's speed: once it has stored a few more
                # messages, at a random moment inside the next one's work.
                target = stored.count() + rng.randint(1, 6)
                while worker.poll() is None:
                    if kills < max(3, MESSAGES // 50) and stored.count() >= target:
                        time.sleep(rng.uniform(0.0, 0.05))
                        worker.send_signal(signal.SIGKILL)
                        kills += 1
                        break
                    time.sleep(0.01)
                worker.wait(timeout=600)
            if worker.returncode == 0 and not _uids(server):
                break
        assert kills >= 1, "the worker was never killed mid-run"
        assert _uids(server) == []
    rows = InboundMessage.objects.filter(mailbox__name="Kill")
    assert rows.count() == MESSAGES
    assert set(rows.values_list("message_id", flat=True)) == {
        f"kill.{n}@example.cn" for n in range(MESSAGES)
    }
    assert not rows.exclude(state="processed").exists()
    assert Ticket.objects.count() == MESSAGES
    assert len(set(rows.values_list("ticket_id", flat=True))) == MESSAGES
