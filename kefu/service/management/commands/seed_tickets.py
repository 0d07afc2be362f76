"""``kefu seed_tickets --tickets N``: tickets with their conversations, at any scale, fast.

Builds on what ``kefu seed`` wrote (organizations, sites, contacts): each ticket gets a
requester that exists, the requester's organization and one of its sites. Subjects and
conversations are Chinese (about 70 %) or English; queues, categories, channels, priorities and
statuses follow a help desk's usual shape (old tickets mostly closed, recent ones open). Each
ticket has a few entries (the customer's first message, replies, internal notes, events);
``--long`` tickets have 200 entries. Seed agents (``--agents``, online, members of every seeded
queue, with skills) are the assignees.

Rows go in with batched multi-row INSERTs, one transaction per batch, audit logging disabled
(no per-row audit entry for seed data), with a progress bar. Numbers ("T-000123") are derived
from the reserved primary keys, as ``ticket_create`` derives them.
"""

import datetime
import random
import time

from auditlog.context import disable_auditlog
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from kefu.core.configstamp import config_changed
from kefu.core.dbstats import refresh_statistics
from kefu.customers.importexport.bulk import db_value, insert_rows, reserve_ids
from kefu.customers.models import Contact, Site
from kefu.service.choices import (
    AvailabilityChoices,
    EntryKindChoices,
    ResolutionCodeChoices,
    SkillKindChoices,
    TicketChannelChoices,
    TicketTypeChoices,
)
from kefu.service.defaults import install_defaults_live
from kefu.service.models import (
    AgentProfile,
    AgentSkill,
    Category,
    Queue,
    QueueMembership,
    Status,
    Ticket,
    TicketEntry,
)
from kefu.service.services.loads import agent_loads_fold

BATCH = 2000
LONG_ENTRIES = 200

# key, English, Chinese, weight
QUEUES = [
    ("general", "General", "综合", 30),
    ("pos-support", "POS support", "收银系统支持", 30),
    ("network", "Network", "网络", 15),
    ("billing", "Billing", "账务", 15),
    ("field-service", "Field service", "现场服务", 10),
]
# key, English, Chinese, parent key
CATEGORIES = [
    ("hardware", "Hardware", "硬件", None),
    ("hardware-printer", "Printer", "打印机", "hardware"),
    ("hardware-pos", "POS terminal", "收银终端", "hardware"),
    ("network-outage", "Network outage", "网络中断", None),
    ("account", "Account and login", "账户与登录", None),
    ("billing-invoice", "Invoices", "发票", None),
    ("software", "Software", "软件", None),
]
# (Chinese subject, English subject, category key, queue key)
SUBJECTS = [
    ("打印机无法打印小票", "Receipt printer not printing", "hardware-printer", "pos-support"),
    ("收银机死机，无法结账", "POS terminal frozen at checkout", "hardware-pos", "pos-support"),
    ("门店网络中断", "Store network is down", "network-outage", "network"),
    ("无线网络信号弱", "Weak Wi-Fi signal in the store", "network-outage", "network"),
    ("申请开具增值税发票", "Request for a VAT invoice", "billing-invoice", "billing"),
    ("发票金额有误", "Wrong amount on the invoice", "billing-invoice", "billing"),
    ("账户被锁定，无法登录", "Account locked, cannot log in", "account", "general"),
    ("密码重置", "Password reset", "account", "general"),
    ("会员系统升级后报错", "Loyalty software errors after the upgrade", "software", "general"),
    ("扫码枪无法识别条码", "Barcode scanner does not read codes", "hardware-pos", "field-service"),
    ("需要上门更换硬件", "On-site hardware replacement needed", "hardware", "field-service"),
    ("空调漏水影响收银台", "Air conditioner leaking over the till", "hardware", "field-service"),
]
CUSTOMER_ZH = [
    "您好，{subject}，从今天早上开始就这样了，麻烦尽快处理。",
    "{subject}。已经重启过设备，问题依旧，请协助。",
    "请问处理进度如何？门店这边比较着急。",
    "谢谢，现在已经恢复正常了。",
    "问题又出现了，请再看一下。",
]
CUSTOMER_EN = [
    "Hello, {subject} since this morning. Please help as soon as possible.",
    "{subject}. We restarted the device already, no change.",
    "Any update? The store is waiting on this.",
    "Thanks, it works again now.",
    "The problem is back, could you have another look?",
]
AGENT_ZH = [
    "您好，已收到您的问题，我们正在排查。",
    "请提供设备序列号和故障截图，谢谢。",
    "已远程处理，请重启设备后再试。",
    "工程师已安排明天上午上门。",
]
AGENT_EN = [
    "Hello, we received your request and are looking into it.",
    "Could you send the device serial number and a screenshot?",
    "We fixed it remotely, please restart the device and try again.",
    "An engineer will be on site tomorrow morning.",
]
NOTES = ["已联系供应商。", "Checked the logs: driver crash.", "客户为重点客户，优先处理。"]
CHANNELS = [
    (TicketChannelChoices.EMAIL, 40),
    (TicketChannelChoices.PHONE, 25),
    (TicketChannelChoices.PORTAL, 20),
    (TicketChannelChoices.API, 5),
    (TicketChannelChoices.SMS, 5),
    (TicketChannelChoices.WALK_IN, 5),
]
TYPES = [
    (TicketTypeChoices.INCIDENT, 50),
    (TicketTypeChoices.QUESTION, 25),
    (TicketTypeChoices.SERVICE_REQUEST, 20),
    (TicketTypeChoices.COMPLAINT, 5),
]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def ensure_catalog() -> tuple[dict[str, int], dict[str, int]]:
    """The queues and categories seeded tickets use (created once): their ids by key."""
    install_defaults_live()
    lifecycle_id = Queue.objects.get(is_default=True).lifecycle_id
    queues = {}
    for key, name, name_zh, _weight in QUEUES:
        queue = Queue.objects.filter(key=key).first() or Queue.objects.create(
            key=key, name=name, name_zh_hans=name_zh, lifecycle_id=lifecycle_id
        )
        queues[key] = queue.pk
    categories: dict[str, int] = {}
    for key, name, name_zh, parent in CATEGORIES:
        category = Category.objects.filter(key=key).first() or Category.objects.create(
            key=key, name=name, name_zh_hans=name_zh, parent_id=categories.get(parent)
        )
        categories[key] = category.pk
    return queues, categories


def ensure_agents(count: int, queue_ids: list[int], seed: int | None) -> list[int]:
    """``count`` seed agents (online, in every seeded queue, with skills): their user ids."""
    user_model = get_user_model()
    existing = list(
        user_model.objects.filter(username__startswith="seed-agent-")
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    missing = count - len(existing)
    if missing > 0:
        start = len(existing)
        users = user_model.objects.bulk_create(
            [
                user_model(
                    username=f"seed-agent-{start + i:04d}",
                    email=f"seed-agent-{start + i:04d}@kefu.localhost",
                    first_name=f"坐席{start + i:04d}",
                    is_staff=True,
                    password="!",  # unusable: seed agents cannot log in
                )
                for i in range(missing)
            ]
        )
        if any(u.pk is None for u in users):
            users = list(
                user_model.objects.filter(username__in=[u.username for u in users]).order_by("pk")
            )
        new_ids = [u.pk for u in users]
        AgentProfile.objects.bulk_create(
            [
                AgentProfile(user_id=pk, availability=AvailabilityChoices.ONLINE, capacity=50)
                for pk in new_ids
            ]
        )
        rng = random.Random(seed)
        skill_keys = [key for key, *_rest in CATEGORIES]
        skills = []
        for pk in new_ids:
            for key in rng.sample(skill_keys, 3):
                skills.append(
                    AgentSkill(
                        user_id=pk,
                        kind=SkillKindChoices.CATEGORY,
                        key=key,
                        proficiency=rng.randint(1, 5),
                    )
                )
            language = rng.choice(["zh-hans", "en"])
            skills.append(
                AgentSkill(user_id=pk, kind=SkillKindChoices.LANGUAGE, key=language, proficiency=4)
            )
        AgentSkill.objects.bulk_create(skills, batch_size=BATCH)
        existing += new_ids
        # bulk_create sends no signals: the staff roster (assignee pickers) must hear of them.
        config_changed()
    members = set(
        QueueMembership.objects.filter(user_id__in=existing).values_list("queue_id", "user_id")
    )
    QueueMembership.objects.bulk_create(
        [
            QueueMembership(queue_id=q, user_id=u)
            for q in queue_ids
            for u in existing
            if (q, u) not in members
        ],
        batch_size=BATCH,
    )
    return existing


class Command(BaseCommand):
    help = "Generate tickets with conversations (Chinese and English) for existing customers."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, required=True)
        parser.add_argument(
            "--long",
            type=int,
            default=None,
            help=f"tickets with {LONG_ENTRIES} entries (default: 1 per 10,000, at least 1)",
        )
        parser.add_argument("--agents", type=int, default=20, help="seed agents (assignees)")
        parser.add_argument("--days", type=int, default=730, help="spread over the last N days")
        parser.add_argument("--seed", type=int, default=None, help="random seed (repeatable data)")
        parser.add_argument("--batch", type=int, default=BATCH)

    def handle(self, *args, **options):
        total = options["tickets"]
        if total < 0 or options["agents"] < 0 or options["days"] < 1:
            raise CommandError("--tickets and --agents cannot be negative, --days must be >= 1")
        long_count = options["long"]
        if long_count is None:
            long_count = max(1, total // 10_000) if total else 0
        long_count = min(max(long_count, 0), total)
        quiet = options.get("verbosity", 1) == 0
        self.rng = random.Random(options["seed"])
        self.days = options["days"]
        self.now = timezone.now()
        with disable_auditlog():
            queues, categories = ensure_catalog()
            self.queue_ids = queues
            self.category_ids = categories
            self.agent_ids = ensure_agents(
                options["agents"], list(queues.values()), options["seed"]
            )
            self.load_context()
            started = time.perf_counter()
            written_entries = 0
            batch = max(1, options["batch"])
            # The long tickets are spread over the run (one every total // long_count).
            every = total // long_count if long_count else 0
            with tqdm(
                total=total, desc="tickets", unit="ticket", disable=quiet, file=self.stderr
            ) as bar:
                for start in range(0, total, batch):
                    count = min(batch, total - start)
                    long_flags = [
                        bool(every)
                        and (start + i) % every == 0
                        and (start + i) // every < long_count
                        for i in range(count)
                    ]
                    with transaction.atomic():
                        written_entries += self.write_batch(count, long_flags)
                    bar.update(count)
        elapsed = max(time.perf_counter() - started, 1e-9)
        # The agents' loads as the minute's fold would leave them (routing reads the totals).
        agent_loads_fold()
        refresh_statistics([Ticket, TicketEntry], rows=total)
        if not quiet:
            self.stdout.write(
                f"tickets: {total} with {written_entries} entries ({long_count} with "
                f"{LONG_ENTRIES}) in {elapsed:.1f} s ({total / elapsed:,.0f} tickets/s)"
            )

    def load_context(self) -> None:
        """Customers to draw from (a sample at most), statuses of the standard lifecycle."""
        self.contacts = list(
            Contact.objects.filter(primary_organization__isnull=False)
            .order_by("?" if Contact.objects.count() > 50_000 else "pk")
            .values_list("pk", "primary_organization_id", "preferred_language")[:50_000]
        )
        self.sites: dict[int, list[int]] = {}
        org_ids = {org for _pk, org, _lang in self.contacts}
        for site_id, org_id in Site.objects.filter(organization_id__in=org_ids).values_list(
            "pk", "organization_id"
        )[:200_000]:
            self.sites.setdefault(org_id, []).append(site_id)
        lifecycle_id = Queue.objects.get(is_default=True).lifecycle_id
        self.statuses = {
            s.category: s
            for s in Status.objects.filter(lifecycle_id=lifecycle_id).order_by("-order")
        }

    def pick_status(self, age_days: float) -> str:
        """Old tickets are closed; the last weeks hold the open backlog."""
        r = self.rng.random()
        if age_days > 30:
            return "closed" if r < 0.9 else "resolved" if r < 0.97 else "waiting"
        if age_days > 7:
            return (
                "closed" if r < 0.4 else "resolved" if r < 0.7 else "open" if r < 0.9 else "waiting"
            )
        return "new" if r < 0.3 else "open" if r < 0.7 else "waiting" if r < 0.85 else "resolved"

    def write_batch(self, count: int, long_flags: list[bool]) -> int:
        rng = self.rng
        ids = reserve_ids(Ticket, count)
        tickets, entries = [], []
        for pk, is_long in zip(ids, long_flags, strict=True):
            age = rng.random() ** 2 * self.days  # more recent tickets than old ones
            created = self.now - datetime.timedelta(days=age)
            subject_zh, subject_en, category_key, queue_key = rng.choice(SUBJECTS)
            if rng.random() < 0.15:
                queue_key = "general"
            contact = rng.choice(self.contacts) if self.contacts else None
            language = (contact[2] if contact else None) or rng.choice(["zh-hans", "zh-hans", "en"])
            chinese = language != "en"
            subject = subject_zh if chinese else subject_en
            status = self.statuses[self.pick_status(age)]
            activity = created + datetime.timedelta(hours=rng.random() * min(age * 24, 240))
            resolved = activity if status.category in ("resolved", "closed") else None
            impact, urgency = rng.choice([1, 2, 2, 3, 3]), rng.choice([1, 2, 2, 3])
            org_id = contact[1] if contact else None
            sites = self.sites.get(org_id) or [None]
            assigned = status.category != "new" or rng.random() < 0.3
            assignee = rng.choice(self.agent_ids) if self.agent_ids and assigned else None
            body = rng.choice(CUSTOMER_ZH if chinese else CUSTOMER_EN).format(subject=subject)
            tickets.append(
                {
                    "id": pk,
                    "number": Ticket.format_number(pk),
                    "subject": subject,
                    "description": body,
                    "requester_id": contact[0] if contact else None,
                    "organization_id": org_id,
                    "site_id": rng.choice(sites),
                    "channel": _weighted(rng, CHANNELS),
                    "ticket_type": _weighted(rng, TYPES),
                    "category_id": self.category_ids[category_key],
                    "impact": impact,
                    "urgency": urgency,
                    "priority": min(5, max(1, impact + urgency - 1)),
                    "queue_id": self.queue_ids[queue_key],
                    "status_id": status.pk,
                    "status_category": status.category,
                    "assignee_id": assignee,
                    "language": language,
                    "resolution_code": ResolutionCodeChoices.FIXED if resolved else "",
                    "resolved_at": resolved,
                    "closed_at": activity if status.category == "closed" else None,
                    "last_activity_at": activity,
                    "created_at": created,
                    "updated_at": activity,
                }
            )
            size = LONG_ENTRIES if is_long else rng.choice([1, 2, 3, 3, 4, 5, 6])
            step = (activity - created) / size
            for n in range(size):
                at = created + step * n
                if n == 0 or (n % 2 == 0 and rng.random() < 0.8):
                    text = rng.choice(CUSTOMER_ZH if chinese else CUSTOMER_EN)
                    text = body if n == 0 else text.format(subject=subject)
                    entries.append((pk, "reply", None, contact[0] if contact else None, text, at))
                elif rng.random() < 0.2:
                    entries.append((pk, "note", assignee, None, rng.choice(NOTES), at))
                else:
                    text = rng.choice(AGENT_ZH if chinese else AGENT_EN)
                    entries.append((pk, "reply", assignee, None, text, at))
        self.insert_tickets(tickets)
        self.insert_entries(entries)
        return len(entries)

    def insert_tickets(self, rows: list[dict]) -> None:
        fields = list(Ticket._meta.concrete_fields)
        values = []
        for row in rows:
            values.append(
                tuple(
                    db_value(
                        Ticket, f.name, row[f.attname] if f.attname in row else f.get_default()
                    )
                    for f in fields
                )
            )
        insert_rows(Ticket, [f.name for f in fields], values)

    def insert_entries(self, rows: list[tuple]) -> None:
        data = db_value(TicketEntry, "data", {})
        values = [
            (
                ticket_id,
                kind,
                author,
                author_contact,
                body,
                data,
                0 if kind != EntryKindChoices.REPLY or author is None else 10,
                "",
                db_value(TicketEntry, "created_at", at),
            )
            for ticket_id, kind, author, author_contact, body, at in rows
        ]
        insert_rows(
            TicketEntry,
            (
                "ticket",
                "kind",
                "author",
                "author_contact",
                "body",
                "data",
                "time_spent_minutes",
                "message_id",
                "created_at",
            ),
            values,
        )
