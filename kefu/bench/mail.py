"""Benchmark: mail intake (issue #5): typical messages parsed, threaded and stored.

``run(args) -> list[dict]`` is called by the ``kefu.bench`` harness inside its benchmark
process (on its throw-away database); ``python -m kefu.bench.mail [--messages N]`` runs it on a
temporary SQLite file of its own. The mix: plain English, gb2312-labelled GBK Chinese, HTML
with a text alternative, 20 KB attachments, and one in three a reply to an earlier mail of the
same sender (so threading and the participant check run). Acknowledgements are off: sending is
the outbox worker's job, and no network call is made per message.

Figures: messages/s for one worker (store raw + parse + thread + ticket or reply, each its own
transaction), parse time p50/p95 alone, and the floor of one raw INSERT transaction per
message measured in the same run. Target: >= 150 messages/s per worker on SQLite.
"""

import argparse
import base64
import json
import os
import random
import sys
import tempfile
import time
from urllib.parse import quote_from_bytes

TARGET_PER_S = 150.0
SCALE_MESSAGES = {"tiny": 1_000, "small": 3_000, "full": 10_000}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def _word(text: str, charset: str, codec: str | None = None) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec or charset)).decode()}?="


SUBJECTS_ZH = ["打印机无法打印", "收银机死机", "网络中断", "发票开具申请", "空调漏水", "账户被锁定"]
SUBJECTS_EN = ["Printer offline", "VPN down", "Invoice request", "Password reset", "POS frozen"]
NAMES_ZH = ["朱镕基", "王喆", "李玥", "张伟", "欧阳娜", "陈昇"]


def build_messages(count: int, seed: int = 5) -> list[bytes]:
    """Return ``count`` raw messages; about a third reply to an earlier one of their sender."""
    rng = random.Random(seed)
    messages: list[bytes] = []
    sent_by: dict[str, list[str]] = {}
    attachment = base64.encodebytes(rng.randbytes(20_000)).replace(b"\n", b"\r\n")
    for n in range(count):
        sender_no = rng.randrange(max(count // 3, 1))
        address = f"customer{sender_no}@example{sender_no % 50}.cn"
        message_id = f"bench.{n}.{seed}@example.cn"
        earlier = sent_by.get(address)
        kind = rng.random()
        chinese = kind < 0.5
        subject = rng.choice(SUBJECTS_ZH if chinese else SUBJECTS_EN)
        lines = [
            f"From: {_word(rng.choice(NAMES_ZH), 'gb2312', 'gbk')} <{address}>",
            "To: support@kefu.localhost",
            f"Message-ID: <{message_id}>",
            "Date: Mon, 23 Nov 2026 10:00:00 +0800",
            "MIME-Version: 1.0",
        ]
        if earlier and rng.random() < 0.5:
            lines += [f"In-Reply-To: <{earlier[-1]}>", f"References: <{earlier[-1]}>"]
            subject = "Re: " + subject
        lines.append(
            f"Subject: {_word(subject, 'gb2312', 'gbk') if chinese else subject}",
        )
        text_zh = f"您好，门店第{n}号设备出现故障，{subject}，请尽快处理。谢谢！"
        text_en = f"Hello, device {n} in our store has a problem: {subject}. Please help."
        if kind < 0.35:
            lines += ["Content-Type: text/plain; charset=gb2312", "Content-Transfer-Encoding: 8bit"]
            raw = "\r\n".join(lines).encode() + b"\r\n\r\n" + text_zh.encode("gbk") + b"\r\n"
        elif kind < 0.7:
            lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
            body = text_zh if chinese else text_en
            raw = "\r\n".join(lines).encode() + b"\r\n\r\n" + body.encode() + b"\r\n"
        else:
            body = text_zh if chinese else text_en
            lines.append('Content-Type: multipart/mixed; boundary="b1"')
            parts = [
                b'--b1\r\nContent-Type: multipart/alternative; boundary="b2"\r\n\r\n'
                b"--b2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                + body.encode()
                + b"\r\n--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>"
                + body.encode()
                + b"</p><script>x()</script>\r\n--b2--\r\n"
            ]
            if kind > 0.85:
                parts.append(
                    b"--b1\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64"
                    b"\r\nContent-Disposition: attachment; filename*=utf-8''"
                    + quote_from_bytes("报告.pdf".encode()).encode()
                    + b"\r\n\r\n"
                    + attachment
                    + b"\r\n"
                )
            raw = "\r\n".join(lines).encode() + b"\r\n\r\n" + b"".join(parts) + b"--b1--\r\n"
        sent_by.setdefault(address, []).append(message_id)
        messages.append(raw)
    return messages


def _floor_insert(count: int) -> float:
    from django.db import connection, transaction

    key = "bigserial" if connection.vendor == "postgresql" else "INTEGER"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS bench_mail_floor (id {key} PRIMARY KEY, b TEXT)"
        )
    started = time.perf_counter()
    for n in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_mail_floor (b) VALUES (%s)", [f"row {n}"])
    return count / (time.perf_counter() - started)


def measure(count: int) -> list[dict]:
    """Ingest ``count`` messages on the current database; return the figures."""
    from django.db import connection

    from kefu.channels.email.parse import parse_message
    from kefu.channels.models import InboundMessage
    from kefu.channels.services import mail_ingest, mailbox_save
    from kefu.service.defaults import install_defaults_live
    from kefu.service.models import Queue

    install_defaults_live()
    queue = Queue.objects.get(is_default=True)
    mailbox = mailbox_save(
        actor=None,
        name=f"bench-{os.getpid()}-{time.time_ns()}",
        from_address=f"bench{time.time_ns()}@kefu.localhost",
        queue_id=queue.pk,
        send_acknowledgement=False,
    )
    messages = build_messages(count)
    parse_ms = []
    for raw in messages[: min(count, 2000)]:
        started = time.perf_counter()
        parse_message(raw)
        parse_ms.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    per_message = []
    for raw in messages:
        one = time.perf_counter()
        mail_ingest(raw=raw, mailbox=mailbox, source="api")
        per_message.append((time.perf_counter() - one) * 1000)
    elapsed = time.perf_counter() - started
    rows = InboundMessage.objects.filter(mailbox=mailbox)
    states = {state: rows.filter(state=state).count() for state in ("processed", "quarantined")}
    follow_ups = rows.filter(kind="follow_up").count()
    rate = count / elapsed
    floor = _floor_insert(min(count, 2000))
    return [
        {
            "benchmark": "mail_intake",
            "database": connection.vendor,
            "messages": count,
            "messages_per_s": round(rate, 1),
            "target_messages_per_s": TARGET_PER_S,
            "meets_target": rate >= TARGET_PER_S,
            "ingest_p50_ms": round(_percentile(per_message, 0.5), 2),
            "ingest_p95_ms": round(_percentile(per_message, 0.95), 2),
            "parse_p50_ms": round(_percentile(parse_ms, 0.5), 3),
            "parse_p95_ms": round(_percentile(parse_ms, 0.95), 3),
            "processed": states["processed"],
            "quarantined": states["quarantined"],
            "follow_ups": follow_ups,
            "floor_insert_tx_per_s": round(floor, 1),
            "ratio_to_floor": round(rate / floor, 3) if floor else None,
        }
    ]


def run(args=None) -> list[dict]:
    """Run on the harness's database (``args.scale``: tiny 1k, small 3k, full 10k messages)."""
    count = int(
        getattr(args, "mail_messages", None)
        or SCALE_MESSAGES.get(getattr(args, "scale", None) or "full", 10_000)
    )
    return measure(count)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args(argv)
    directory = tempfile.mkdtemp(prefix="kefu-bench-mail-")
    os.environ.pop("KEFU_DATABASE_URL", None)
    os.environ["KEFU_SQLITE_PATH"] = os.path.join(directory, "bench.sqlite3")
    os.environ["KEFU_VAR_DIR"] = directory
    os.environ["DJANGO_SETTINGS_MODULE"] = "kefu.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    args.mail_messages = args.messages
    for record in run(args):
        print(json.dumps(record, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    sys.exit(main())
