"""The configuration a fresh install starts with: a standard lifecycle, a general queue and the
ITIL priority matrix. Administrators edit these rows; nothing reads these constants at run time.

:func:`install_defaults` takes the model classes so the data migration (historical models) and
test fixtures (after a flush) create exactly the same rows. It is idempotent.
"""

STANDARD_LIFECYCLE = ("standard", "Standard", "标准流程")
# key, English, Chinese, category, initial
STANDARD_STATUSES = [
    ("new", "New", "新建", "new", True),
    ("open", "Open", "处理中", "open", False),
    ("waiting_customer", "Waiting on customer", "等待客户", "waiting", False),
    ("waiting_third_party", "Waiting on third party", "等待第三方", "waiting", False),
    ("waiting_vendor", "Waiting on vendor", "等待供应商", "waiting", False),
    ("resolved", "Resolved", "已解决", "resolved", False),
    ("closed", "Closed", "已关闭", "closed", False),
]
STANDARD_TRANSITIONS = {
    "new": [
        "open",
        "waiting_customer",
        "waiting_third_party",
        "waiting_vendor",
        "resolved",
        "closed",
    ],
    "open": ["waiting_customer", "waiting_third_party", "waiting_vendor", "resolved", "closed"],
    "waiting_customer": ["open", "waiting_third_party", "waiting_vendor", "resolved", "closed"],
    "waiting_third_party": ["open", "waiting_customer", "waiting_vendor", "resolved", "closed"],
    "waiting_vendor": ["open", "waiting_customer", "waiting_third_party", "resolved", "closed"],
    "resolved": ["open", "closed"],
    "closed": [],
}
GENERAL_QUEUE = ("general", "General", "综合")
# (impact, urgency) -> priority; 1 is the highest on every axis.
PRIORITY_MATRIX = {
    (1, 1): 1,
    (1, 2): 2,
    (1, 3): 3,
    (2, 1): 2,
    (2, 2): 3,
    (2, 3): 4,
    (3, 1): 3,
    (3, 2): 4,
    (3, 3): 4,
}


def install_defaults(Lifecycle, Status, StatusTransition, Queue, PriorityMatrixEntry) -> None:
    key, name, name_zh = STANDARD_LIFECYCLE
    lifecycle, _created = Lifecycle.objects.get_or_create(
        key=key, defaults={"name": name, "name_zh_hans": name_zh}
    )
    statuses = {}
    for order, (skey, sname, szh, category, initial) in enumerate(STANDARD_STATUSES):
        statuses[skey], _created = Status.objects.get_or_create(
            lifecycle=lifecycle,
            key=skey,
            defaults={
                "name": sname,
                "name_zh_hans": szh,
                "category": category,
                "is_initial": initial,
                "order": (order + 1) * 10,
            },
        )
    for source, targets in STANDARD_TRANSITIONS.items():
        for target in targets:
            StatusTransition.objects.get_or_create(
                lifecycle=lifecycle, from_status=statuses[source], to_status=statuses[target]
            )
    qkey, qname, qzh = GENERAL_QUEUE
    if not Queue.objects.filter(is_default=True).exists():
        Queue.objects.get_or_create(
            key=qkey,
            defaults={
                "name": qname,
                "name_zh_hans": qzh,
                "lifecycle": lifecycle,
                "is_default": True,
            },
        )
    for (impact, urgency), priority in PRIORITY_MATRIX.items():
        PriorityMatrixEntry.objects.get_or_create(
            impact=impact, urgency=urgency, defaults={"priority": priority}
        )


def install_defaults_live() -> None:
    """Install the defaults with the current models (tests after a flush, ``kefu seed``)."""
    from kefu.service import models as m

    install_defaults(m.Lifecycle, m.Status, m.StatusTransition, m.Queue, m.PriorityMatrixEntry)
