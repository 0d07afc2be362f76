"""``kefu seed``: realistic Chinese and English customer data, from a demo set to millions of rows.

``kefu seed --demo`` loads a small coherent set once (a retail group with child companies and
hundreds of stores, a hardware vendor, customers in both languages, products, installed assets,
a timeline) plus the demo logins that ``kefu demo_logins`` prints; running it again changes
nothing. The scale options (``--organizations 1000 --contacts 1000000 ...``) add that many rows.

Bulk seeding writes with ``bulk_create`` in batches, one transaction per batch, with identities
normalised in advance and made unique by construction (a running number in every address), and
the audit log switched off: a million "created" audit rows would say nothing anyone needs.
"""

import datetime
import json
import random
import re
import secrets
import time
from collections.abc import Callable, Iterator
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from faker import Faker
from tqdm import tqdm

from kefu.core.dbstats import refresh_statistics
from kefu.customers.choices import (
    AssetStatusChoices,
    ChannelChoices,
    IndustryChoices,
    OrganizationStatusChoices,
    TimelineKindChoices,
)
from kefu.customers.importexport.bulk import db_value, insert_rows, reserve_ids
from kefu.customers.models import (
    Asset,
    Contact,
    ContactIdentity,
    ContactMembership,
    Organization,
    OrganizationTier,
    Product,
    Site,
    TimelineEvent,
)

BATCH = 5000
DEMO_MARKER = "DEMO-RF-GROUP"
TIERS = [
    ("strategic", "Strategic", "战略客户", 1, "#7c3aed"),
    ("gold", "Gold", "金牌", 2, "#d97706"),
    ("silver", "Silver", "银牌", 3, "#64748b"),
    ("bronze", "Bronze", "铜牌", 4, "#92400e"),
]
MOBILE_PREFIXES = ["138", "139", "136", "150", "186", "187", "158", "177", "135", "189"]
US_AREA_CODES = ["212", "415", "646", "312", "617", "206", "303", "512", "718", "917"]
EMAIL_DOMAINS_ZH = ["163.com", "qq.com", "126.com", "sina.com", "aliyun.com"]
EMAIL_DOMAINS_EN = ["example.com", "example.org", "example.net", "mail.example.com"]
PRODUCT_TYPES = [
    ("POS", "POS 终端", "POS terminal", "hardware", "2999.00"),
    ("SCN", "扫码枪", "Barcode scanner", "hardware", "399.00"),
    ("PRT", "小票打印机", "Receipt printer", "hardware", "699.00"),
    ("KSK", "自助收银机", "Self-checkout kiosk", "hardware", "18800.00"),
    ("ESL", "电子价签", "Electronic shelf label", "hardware", "45.00"),
    ("RTR", "门店路由器", "Store router", "network", "1280.00"),
    ("SRV", "门店服务器", "Store server", "hardware", "15600.00"),
    ("LIC", "收银软件许可", "Checkout software licence", "software", "1200.00"),
    ("SUP", "年度维保服务", "Annual support plan", "service", "5000.00"),
]
NOTES_ZH = [
    "客户反馈收银机偶尔卡顿，已远程排查。",
    "回访：新门店开业，设备运行正常。",
    "客户询问续保价格，已发送报价。",
    "季度业务回顾会议，讨论明年扩店计划。",
    "打印机缺纸报警，指导门店更换纸卷。",
    "客户要求增加两台自助收银机。",
    "网络中断两小时，运营商已修复。",
    "培训新店长使用后台报表。",
]
NOTES_EN = [
    "Customer reported slow checkout at peak hours; investigating remotely.",
    "Follow-up call: the new store opened, all devices working.",
    "Asked about renewing the support plan; quote sent.",
    "Quarterly business review: expansion plans for next year.",
    "Printer paper-out alarm; walked the store through replacing the roll.",
    "Requested two more self-checkout kiosks.",
    "Network outage for two hours, fixed by the carrier.",
    "Trained the new store manager on the reporting back office.",
]
TITLES_ZH = [
    "IT 经理",
    "店长",
    "采购经理",
    "运营总监",
    "财务主管",
    "信息部主任",
    "区域经理",
    "技术员",
]
TITLES_EN = ["IT Manager", "Store Manager", "Purchasing Manager", "Head of Operations", "CFO"]


def chunked(total: int, size: int = BATCH) -> Iterator[tuple[int, int]]:
    """Yield ``(start, count)`` batches covering ``range(total)``."""
    for start in range(0, total, size):
        yield start, min(size, total - start)


class Generator:
    """Fast fake data: Faker fills pools once, then rows are drawn from the pools."""

    def __init__(self, seed: int | None = None):
        self.random = random.Random(seed)
        self.zh = Faker("zh_CN")
        self.en = Faker("en_US")
        if seed is not None:
            self.zh.seed_instance(seed)
            self.en.seed_instance(seed + 1)
        self.zh_names = [self.zh.name() for _ in range(3000)]
        self.zh_roman = [self.zh.romanized_name().lower().replace(" ", ".") for _ in range(1500)]
        self.en_names = [self.en.name() for _ in range(3000)]
        self.zh_companies = [self.zh.company() for _ in range(1500)]
        self.en_companies = [self.en.company() for _ in range(1000)]
        self.addresses = [
            (self.zh.province(), self.zh.city_name() + "市", self.zh.street_address())
            for _ in range(2000)
        ]
        self.now = timezone.now()

    def choice(self, items):
        return self.random.choice(items)

    def person(self, n: int) -> dict:
        """A contact numbered ``n``: name, title, language and identities unique by ``n``."""
        if self.random.random() < 0.7:
            name = self.choice(self.zh_names)
            local = f"{self.choice(self.zh_roman)}{n}"
            email = f"{local}@{self.choice(EMAIL_DOMAINS_ZH)}"
            prefix = MOBILE_PREFIXES[n % len(MOBILE_PREFIXES)]
            digits = f"{(n // len(MOBILE_PREFIXES)) % 10**8:08d}"
            phone = (f"{prefix} {digits[:4]} {digits[4:]}", f"+86{prefix}{digits}")
            return {
                "name": name,
                "alt_name": local.split(".")[0].title(),
                "title": self.choice(TITLES_ZH),
                "language": "zh-hans",
                "email": email,
                "phone": phone,
                "wechat": f"wx_{local.replace('.', '_')}",
            }
        name = self.choice(self.en_names)
        local = re.sub(r"[^a-z]+", ".", name.lower()).strip(".") + str(n)
        area = US_AREA_CODES[n % len(US_AREA_CODES)]
        rest = n // len(US_AREA_CODES)
        exchange, line = 200 + (rest // 10000) % 800, rest % 10000
        phone = (f"+1 ({area}) {exchange}-{line:04d}", f"+1{area}{exchange}{line:04d}")
        return {
            "name": name,
            "alt_name": "",
            "title": self.choice(TITLES_EN),
            "language": "en",
            "email": f"{local}@{self.choice(EMAIL_DOMAINS_EN)}",
            "phone": phone,
            "wechat": "",
        }

    def when(self, days: int = 730) -> datetime.datetime:
        return self.now - datetime.timedelta(seconds=self.random.randint(0, days * 86400))


class Command(BaseCommand):
    help = "Generate realistic Chinese and English customer data (--demo for the demo set)."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="the small demo set and logins")
        parser.add_argument("--organizations", type=int, default=0)
        parser.add_argument("--sites", type=int, default=0)
        parser.add_argument("--contacts", type=int, default=0)
        parser.add_argument("--products", type=int, default=0)
        parser.add_argument("--assets", type=int, default=0)
        parser.add_argument("--timeline", type=int, default=0, help="timeline events")
        parser.add_argument("--seed", type=int, default=None, help="random seed (repeatable data)")
        parser.add_argument("--batch", type=int, default=BATCH)

    def handle(self, *args, **options):
        sizes = {
            name: options[name]
            for name in ("organizations", "sites", "contacts", "products", "assets", "timeline")
        }
        if any(value < 0 for value in sizes.values()):
            raise CommandError("sizes cannot be negative")
        if not options["demo"] and not any(sizes.values()):
            raise CommandError("give --demo or at least one size, e.g. --contacts 100000")
        self.batch = max(1, options["batch"])
        self.quiet = options.get("verbosity", 1) == 0
        self.gen = Generator(options["seed"])
        tiers = ensure_tiers()
        demo_added = False
        with disable_auditlog():
            if options["demo"]:
                demo_added = self.seed_demo(tiers)
            self.seed_scale(tiers, **sizes)
        refresh_statistics(
            [Organization, Site, Contact, ContactIdentity, ContactMembership, Asset, TimelineEvent],
            rows=sum(sizes.values()),
        )
        if sizes["contacts"] or sizes["organizations"] or demo_added:
            self.reindex()

    # --- progress and batches ------------------------------------------------------------
    def _batches(self, label: str, total: int, write: Callable[[int, int], None]) -> float:
        """Run ``write(start, count)`` per batch in its own transaction; return rows/s."""
        started = time.perf_counter()
        with tqdm(total=total, desc=label, unit="row", disable=self.quiet, file=self.stderr) as bar:
            for start, count in chunked(total, self.batch):
                with transaction.atomic():
                    write(start, count)
                bar.update(count)
        elapsed = max(time.perf_counter() - started, 1e-9)
        rate = total / elapsed
        if total and not self.quiet:
            self.stdout.write(f"{label}: {total} in {elapsed:.1f} s ({rate:,.0f} rows/s)")
        return rate

    # --- scale ---------------------------------------------------------------------------
    def seed_scale(self, tiers, *, organizations, sites, contacts, products, assets, timeline):
        gen = self.gen
        tier_ids = [tier.pk for tier in tiers]
        if organizations:
            industries = [c for c in IndustryChoices.values if c != IndustryChoices.OTHER]

            def write_orgs(start, count):
                rows = []
                for _ in range(count):
                    zh = gen.random.random() < 0.7
                    rows.append(
                        Organization(
                            name=gen.choice(gen.zh_companies if zh else gen.en_companies),
                            alt_name="" if zh else gen.choice(gen.zh_companies),
                            tier_id=gen.choice(tier_ids) if gen.random.random() < 0.8 else None,
                            industry=gen.choice(industries),
                            status=gen.choice(OrganizationStatusChoices.values),
                            phone=f"+86 21 {gen.random.randint(5000_0000, 6999_9999)}",
                        )
                    )
                Organization.objects.bulk_create(rows)

            self._batches("organizations", organizations, write_orgs)
        org_ids = list(Organization.objects.filter(is_vendor=False).values_list("pk", flat=True))
        if not any((sites, contacts, products, assets, timeline)):
            return
        if (sites or contacts or assets or timeline) and not org_ids:
            raise CommandError("no organizations yet: add --organizations N (or --demo) first")
        if sites:

            def write_sites(start, count):
                rows = []
                for _ in range(count):
                    province, city, street = gen.choice(gen.addresses)
                    rows.append(
                        Site(
                            organization_id=gen.choice(org_ids),
                            name=f"{city}{street[:6]}店",
                            code=f"S{gen.random.randint(1, 99999):05d}",
                            address=street,
                            city=city,
                            region=province,
                        )
                    )
                Site.objects.bulk_create(rows)

            self._batches("sites", sites, write_sites)
        if contacts:
            rate = self.seed_contacts(contacts, org_ids)
            self.contacts_per_second = rate
        if products:
            self.seed_products(products)
        if assets:
            self.seed_assets(assets, org_ids)
        if timeline:
            self.seed_timeline(timeline, org_ids)

    def seed_contacts(self, total: int, org_ids: list[int]) -> float:
        """Add ``total`` contacts with email, phone (and often WeChat) and a primary membership.

        Plain batched INSERTs (``bulk.insert_rows``) with reserved ids: about five times the
        speed of ``bulk_create`` for rows that are generated valid.
        """
        gen = self.gen
        offset = (Contact.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        no_custom = db_value(Contact, "custom_fields", {})
        contact_fields = (
            "id",
            "name",
            "alt_name",
            "title",
            "preferred_language",
            "preferred_channel",
            "primary_organization_id",
            "is_active",
            "notes",
            "custom_fields",
            "created_at",
            "updated_at",
        )
        identity_fields = (
            "contact_id",
            "kind",
            "value",
            "normalized",
            "label",
            "is_primary",
            "is_verified",
            "is_undeliverable",
            "created_at",
        )
        membership_fields = (
            "contact_id",
            "organization_id",
            "title",
            "is_primary",
            "is_admin",
            "created_at",
        )

        def write(start, count):
            now = db_value(Contact, "created_at", timezone.now())
            ids = reserve_ids(Contact, count)
            contacts, identities, memberships = [], [], []
            for i, pk in enumerate(ids):
                person = gen.person(offset + start + i)
                org_id = gen.choice(org_ids)
                channel = (
                    ChannelChoices.WECHAT
                    if person["wechat"] and gen.random.random() < 0.3
                    else ChannelChoices.EMAIL
                )
                contacts.append(
                    (
                        pk,
                        person["name"],
                        person["alt_name"],
                        person["title"],
                        person["language"],
                        str(channel),
                        org_id,
                        True,
                        "",
                        no_custom,
                        now,
                        now,
                    )
                )
                email = person["email"]
                identities.append((pk, "email", email, email.lower(), "", True, False, False, now))
                phone, e164 = person["phone"]
                identities.append((pk, "phone", phone, e164, "", True, False, False, now))
                if person["wechat"]:
                    wechat = person["wechat"]
                    identities.append(
                        (pk, "wechat", wechat, wechat.lower(), "", True, False, False, now)
                    )
                memberships.append((pk, org_id, person["title"], True, False, now))
            insert_rows(Contact, contact_fields, contacts)
            # Addresses are unique by construction; ignore_conflicts only guards against an
            # address someone entered by hand that happens to match a generated one.
            insert_rows(ContactIdentity, identity_fields, identities, ignore_conflicts=True)
            insert_rows(ContactMembership, membership_fields, memberships)

        return self._batches("contacts", total, write)

    def seed_products(self, total: int) -> None:
        gen = self.gen
        offset = (Product.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

        def write(start, count):
            rows = []
            for i in range(count):
                code, zh, en, category, price = gen.choice(PRODUCT_TYPES)
                n = offset + start + i
                rows.append(
                    Product(
                        sku=f"{code}-{n:06d}",
                        name=f"{zh} {code}{n % 100}",
                        alt_name=f"{en} {code}{n % 100}",
                        category=category,
                        list_price=Decimal(price),
                    )
                )
            Product.objects.bulk_create(rows)

        self._batches("products", total, write)

    def seed_assets(self, total: int, org_ids: list[int]) -> None:
        gen = self.gen
        product_ids = list(Product.objects.values_list("pk", flat=True))
        if not product_ids:
            raise CommandError("no products yet: add --products N first")
        sites = list(Site.objects.values_list("pk", "organization_id")[:200_000])
        vendor_ids = list(Organization.objects.filter(is_vendor=True).values_list("pk", flat=True))
        offset = (Asset.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

        def write(start, count):
            rows = []
            for i in range(count):
                if sites and gen.random.random() < 0.8:
                    site_id, org_id = gen.choice(sites)
                else:
                    site_id, org_id = None, gen.choice(org_ids)
                installed = gen.when(1500).date()
                rows.append(
                    Asset(
                        product_id=gen.choice(product_ids),
                        serial_number=f"SN{offset + start + i:010d}",
                        organization_id=org_id,
                        site_id=site_id,
                        install_date=installed,
                        warranty_end=installed + datetime.timedelta(days=365 * 3),
                        status=AssetStatusChoices.ACTIVE,
                        vendor_id=gen.choice(vendor_ids) if vendor_ids else None,
                    )
                )
            Asset.objects.bulk_create(rows)

        self._batches("assets", total, write)

    def seed_timeline(self, total: int, org_ids: list[int], *, organization_id=None) -> None:
        gen = self.gen
        contacts = list(
            Contact.objects.filter(primary_organization__isnull=False)
            .order_by("-pk")
            .values_list("pk", "primary_organization_id")[:200_000]
        )
        if organization_id is not None:
            contacts = [c for c in contacts if c[1] == organization_id] or [(None, organization_id)]

        def write(start, count):
            rows = []
            for _ in range(count):
                if contacts and gen.random.random() < 0.7:
                    contact_id, org_id = gen.choice(contacts)
                else:
                    contact_id, org_id = None, organization_id or gen.choice(org_ids)
                rows.append(make_event(gen, org_id, contact_id))
            TimelineEvent.objects.bulk_create(rows)

        self._batches("timeline", total, write)

    # --- demo ----------------------------------------------------------------------------
    def seed_demo(self, tiers) -> bool:
        """Load the demo set unless it is there; return whether anything was added."""
        users = ensure_demo_users()
        if Organization.objects.filter(external_id=DEMO_MARKER).exists():
            if not self.quiet:
                self.stdout.write("demo data already present; nothing to do")
            link_portal_user(users)
            return False
        from kefu.core.demo import demo_loaders_run

        with transaction.atomic():
            build_demo(self.gen, {t.key: t.pk for t in tiers}, users)
            link_portal_user(users)
            # Tickets, contracts, articles: the other apps' demo loaders (kefu.core.demo).
            demo_loaders_run(users=users, stdout=None if self.quiet else self.stdout)
        if not self.quiet:
            self.stdout.write(
                self.style.SUCCESS("demo data loaded (kefu demo_logins prints the logins)")
            )

    def reindex(self) -> None:
        """Bulk rows skip the search signals: ask the search module to index them."""
        try:
            from kefu.customers import search
        except ImportError:
            search = None
        hook = getattr(search, "bulk_index", None) if search is not None else None
        if hook is None:
            if not self.quiet:
                self.stdout.write("search: run `kefu search_rebuild` to index the new rows")
            return
        hook(stdout=self.stdout if not self.quiet else None)


def make_event(
    gen: Generator, organization_id, contact_id, *, zh: bool | None = None
) -> TimelineEvent:
    """A note or a logged call, in Chinese or English."""
    zh = gen.random.random() < 0.7 if zh is None else zh
    text = gen.choice(NOTES_ZH if zh else NOTES_EN)
    if gen.random.random() < 0.5:
        kind, verb, data = TimelineKindChoices.NOTE, "note_added", {}
    else:
        direction = gen.choice(["inbound", "outbound"])
        kind, verb = TimelineKindChoices.CALL, f"call_{direction}"
        data = {"direction": direction, "duration_seconds": gen.random.randint(30, 1800)}
    return TimelineEvent(
        kind=kind,
        verb=verb,
        title=text[:120],
        body=text,
        data=data,
        occurred_at=gen.when(),
        organization_id=organization_id,
        contact_id=contact_id,
    )


def ensure_tiers() -> list[OrganizationTier]:
    tiers = []
    for key, name, name_zh, rank, color in TIERS:
        tier, _created = OrganizationTier.objects.get_or_create(
            key=key, defaults={"name": name, "name_zh_hans": name_zh, "rank": rank, "color": color}
        )
        tiers.append(tier)
    return tiers


# --- demo set ----------------------------------------------------------------------------------
DEMO_USERS = [
    # username, role, first name, last name, email, is staff
    ("admin", "admin", "Admin", "", "admin@kefu.localhost", True),
    ("supervisor", "supervisor", "丽", "陈", "supervisor@kefu.localhost", True),
    ("agent", "agent", "伟", "张", "agent@kefu.localhost", True),
    ("customer", None, "娜", "李", "li.na@ruifeng-retail.example.cn", False),
]
DEMO_ORGANIZATIONS = [
    # external_id, name, alt name, tier, industry, parent, vendor, status, sites
    (
        DEMO_MARKER,
        "瑞丰零售集团",
        "Ruifeng Retail Group",
        "strategic",
        "retail",
        None,
        False,
        "active",
        3,
    ),
    (
        "DEMO-RF-SH",
        "瑞丰超市（上海）有限公司",
        "Ruifeng Supermarkets Shanghai",
        "strategic",
        "retail",
        DEMO_MARKER,
        False,
        "active",
        320,
    ),
    (
        "DEMO-RF-BJ",
        "瑞丰便利店（北京）有限公司",
        "Ruifeng Convenience Beijing",
        "strategic",
        "retail",
        DEMO_MARKER,
        False,
        "active",
        210,
    ),
    (
        "DEMO-RF-LOG",
        "瑞丰物流有限公司",
        "Ruifeng Logistics",
        "gold",
        "logistics",
        DEMO_MARKER,
        False,
        "active",
        12,
    ),
    (
        "DEMO-HD",
        "恒达技术服务有限公司",
        "Hengda Technical Services",
        None,
        "technology",
        None,
        True,
        "active",
        4,
    ),
    ("DEMO-XH", "星河银行", "Galaxy Bank", "gold", "finance", None, False, "active", 40),
    (
        "DEMO-NW",
        "Northwind Traders (Shenzhen) Ltd.",
        "北风贸易（深圳）",
        "silver",
        "retail",
        None,
        False,
        "active",
        25,
    ),
    (
        "DEMO-LH",
        "蓝海医疗器械有限公司",
        "Blue Ocean Medical Devices",
        "gold",
        "healthcare",
        None,
        False,
        "active",
        8,
    ),
    (
        "DEMO-CT",
        "Contoso Manufacturing (Suzhou) Co., Ltd.",
        "康拓制造（苏州）",
        "silver",
        "manufacturing",
        None,
        False,
        "active",
        6,
    ),
    (
        "DEMO-MD",
        "明德教育集团",
        "Mingde Education Group",
        "silver",
        "education",
        None,
        False,
        "active",
        15,
    ),
    (
        "DEMO-JQ",
        "金桥酒店管理有限公司",
        "Golden Bridge Hotels",
        "gold",
        "hospitality",
        None,
        False,
        "active",
        30,
    ),
    (
        "DEMO-YF",
        "云帆软件股份有限公司",
        "Yunfan Software",
        "bronze",
        "technology",
        None,
        False,
        "active",
        3,
    ),
    (
        "DEMO-CJ",
        "长江能源有限公司",
        "Changjiang Energy",
        "silver",
        "energy",
        None,
        False,
        "active",
        10,
    ),
    (
        "DEMO-HX",
        "华夏电信服务有限公司",
        "Huaxia Telecom Services",
        "bronze",
        "telecom",
        None,
        False,
        "active",
        5,
    ),
    (
        "DEMO-FB",
        "Fabrikam Logistics Asia",
        "法布里坎物流",
        "bronze",
        "logistics",
        None,
        False,
        "active",
        7,
    ),
    (
        "DEMO-QS",
        "青松置业有限公司",
        "Qingsong Real Estate",
        "bronze",
        "real_estate",
        None,
        False,
        "prospect",
        2,
    ),
    (
        "DEMO-AW",
        "Adventure Works Asia Pacific",
        "冒险工坊亚太",
        "silver",
        "retail",
        None,
        False,
        "active",
        18,
    ),
    (
        "DEMO-HC",
        "海川市政务服务中心",
        "Haichuan Government Service Centre",
        None,
        "government",
        None,
        False,
        "prospect",
        1,
    ),
    ("DEMO-LZ", "老字号茶庄", "Old Brand Tea House", "bronze", "retail", None, False, "former", 2),
    (
        "DEMO-DF",
        "东方航空配餐有限公司",
        "Eastern Flight Catering",
        "silver",
        "hospitality",
        None,
        False,
        "active",
        4,
    ),
]


def ensure_demo_users() -> dict:
    """Create the demo logins if missing and remember their passwords for ``demo_logins``."""
    from django.contrib.auth import get_user_model

    from kefu.accounts.roles import assign_role

    user_model = get_user_model()
    path = demo_logins_path()
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    users = {}
    changed = False
    for username, role, first, last, email, is_staff in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            password = f"{username}-{secrets.token_urlsafe(6)}"
            user = user_model.objects.create_user(
                username=username,
                email=email,
                password=password,
                first_name=first,
                last_name=last,
                is_staff=is_staff,
                is_superuser=role == "admin",
                language="zh-hans" if role != "admin" else "",
            )
            if role:
                assign_role(user, role)
            stored[username] = {"password": password, "role": role or "portal"}
            changed = True
        users[username] = user
    if changed:
        path.write_text(json.dumps(stored, ensure_ascii=False, indent=2), encoding="utf-8")
        path.chmod(0o600)
    return users


def demo_logins_path():
    return settings.VAR_DIR / "demo-logins.json"


def link_portal_user(users: dict) -> None:
    portal = users.get("customer")
    if portal is None or Contact.objects.filter(user=portal).exists():
        return
    contact = Contact.objects.filter(identities__normalized=portal.email.lower()).first()
    if contact is not None:
        Contact.objects.filter(pk=contact.pk).update(user=portal)


def build_demo(gen: Generator, tiers: dict[str, int], users: dict) -> None:
    owners = [users["agent"].pk, users["supervisor"].pk]
    by_key: dict[str, Organization] = {}
    for ext, name, alt, tier, industry, parent, vendor, status, _sites in DEMO_ORGANIZATIONS:
        by_key[ext] = Organization.objects.create(
            external_id=ext,
            name=name,
            alt_name=alt,
            tier_id=tiers.get(tier) if tier else None,
            industry=industry,
            parent=by_key.get(parent) if parent else None,
            is_vendor=vendor,
            status=status,
            owner_id=gen.choice(owners),
            website=f"https://www.{ext.lower().replace('demo-', '')}.example.cn",
            email_domains=f"{ext.lower().replace('demo-', '')}.example.cn",
            phone=f"+86 21 {gen.random.randint(5000_0000, 6999_9999)}",
        )
    by_key[DEMO_MARKER].email_domains = "ruifeng-retail.example.cn"
    by_key[DEMO_MARKER].save(update_fields=["email_domains"])
    sites = []
    for ext, *_rest, count in DEMO_ORGANIZATIONS:
        organization = by_key[ext]
        for i in range(count):
            province, city, street = gen.choice(gen.addresses)
            if ext == "DEMO-RF-SH":
                province, city = "上海市", "上海市"
            elif ext == "DEMO-RF-BJ":
                province, city = "北京市", "北京市"
            sites.append(
                Site(
                    organization=organization,
                    name=f"{organization.alt_name.split()[0] if organization.name.isascii() else organization.name[:2]}"
                    f"{city.rstrip('市')}{i + 1:03d}店",
                    code=f"{ext[5:]}-{i + 1:03d}",
                    external_id=f"{ext}-S{i + 1:03d}",
                    address=street,
                    city=city,
                    region=province,
                )
            )
    Site.objects.bulk_create(sites, batch_size=1000)

    contacts_made = []
    number = 10_000_000
    portal_org = by_key["DEMO-RF-SH"]
    first = Contact.objects.create(
        name="李娜",
        alt_name="Li Na",
        title="IT 经理",
        external_id="DEMO-C-LINA",
        primary_organization=portal_org,
        preferred_language="zh-hans",
        preferred_channel=ChannelChoices.WECHAT,
    )
    ContactMembership.objects.create(
        contact=first, organization=portal_org, title="IT 经理", is_primary=True, is_admin=True
    )
    ContactMembership.objects.create(
        contact=first, organization=by_key[DEMO_MARKER], title="集团 IT 协调人"
    )
    ContactIdentity.objects.bulk_create(
        [
            ContactIdentity(
                contact=first,
                kind="email",
                value="li.na@ruifeng-retail.example.cn",
                normalized="li.na@ruifeng-retail.example.cn",
                is_primary=True,
            ),
            ContactIdentity(
                contact=first,
                kind="phone",
                value="138 0013 8000",
                normalized="+8613800138000",
                is_primary=True,
            ),
            ContactIdentity(
                contact=first, kind="wechat", value="lina_rf", normalized="lina_rf", is_primary=True
            ),
        ]
    )
    contacts_made.append(first)
    for ext, *_rest in DEMO_ORGANIZATIONS:
        organization = by_key[ext]
        for _ in range(gen.random.randint(3, 8)):
            number += 1
            person = gen.person(number)
            domain = organization.email_domains.split(",")[0]
            local = person["email"].split("@")[0]
            contact = Contact.objects.create(
                name=person["name"],
                alt_name=person["alt_name"],
                title=person["title"],
                preferred_language=person["language"],
                primary_organization=organization,
            )
            ContactMembership.objects.create(
                contact=contact, organization=organization, title=person["title"], is_primary=True
            )
            identities = [
                ContactIdentity(
                    contact=contact,
                    kind="email",
                    value=f"{local}@{domain}",
                    normalized=f"{local}@{domain}".lower(),
                    is_primary=True,
                ),
                ContactIdentity(
                    contact=contact,
                    kind="phone",
                    value=person["phone"][0],
                    normalized=person["phone"][1],
                    is_primary=True,
                ),
            ]
            if person["wechat"]:
                identities.append(
                    ContactIdentity(
                        contact=contact,
                        kind="wechat",
                        value=person["wechat"],
                        normalized=person["wechat"].lower(),
                        is_primary=True,
                    )
                )
            ContactIdentity.objects.bulk_create(identities)
            contacts_made.append(contact)

    products = []
    for index, (code, zh, en, category, price) in enumerate(PRODUCT_TYPES, start=1):
        products.append(
            Product.objects.create(
                sku=f"DEMO-{code}-{index:02d}",
                name=f"{zh} {code}{index}",
                alt_name=f"{en} {code}{index}",
                category=category,
                list_price=Decimal(price),
            )
        )
    hardware = [p for p in products if p.category == "hardware"]
    vendor = by_key["DEMO-HD"]
    assets = []
    serial = 0
    for site in Site.objects.filter(
        organization__external_id__in=["DEMO-RF-SH", "DEMO-RF-BJ", "DEMO-XH", "DEMO-JQ"]
    ).order_by("pk"):
        for product in gen.random.sample(hardware, 2):
            serial += 1
            installed = gen.when(1200).date()
            assets.append(
                Asset(
                    product=product,
                    serial_number=f"RF{serial:08d}",
                    external_id=f"DEMO-A{serial:05d}",
                    organization_id=site.organization_id,
                    site=site,
                    install_date=installed,
                    warranty_end=installed + datetime.timedelta(days=3 * 365),
                    status=AssetStatusChoices.ACTIVE
                    if gen.random.random() < 0.95
                    else AssetStatusChoices.IN_REPAIR,
                    vendor=vendor,
                )
            )
    Asset.objects.bulk_create(assets, batch_size=1000)

    events = []
    for contact in contacts_made:
        for _ in range(gen.random.randint(1, 5)):
            event = make_event(
                gen,
                contact.primary_organization_id,
                contact.pk,
                zh=contact.preferred_language == "zh-hans",
            )
            event.actor_id = gen.choice(owners)
            events.append(event)
    for _ in range(150):
        event = make_event(
            gen, by_key[gen.choice(["DEMO-RF-SH", "DEMO-RF-BJ", DEMO_MARKER])].pk, None
        )
        event.actor_id = gen.choice(owners)
        events.append(event)
    TimelineEvent.objects.bulk_create(events, batch_size=1000)
