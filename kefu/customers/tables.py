"""How the customer-master lists and the timeline are laid out and paged.

``render_list`` is the one list view body (filter, whitelisted sort, capped pagination, htmx
partial); the ``*_COLUMNS`` say what each list shows and how it may be sorted. ``timeline_page``
reads the 360° timeline by keyset, so the 500th page costs what the first does.
"""

import datetime

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from kefu.customers.filtersets import Column, apply_sort, paginate

TIMELINE_PAGE = 20


def render_list(
    request,
    *,
    template: str,
    queryset,
    filter_form,
    columns: list[Column],
    default_sort: str,
    row_template: str,
    title,
    list_url: str,
    extra: dict | None = None,
):
    queryset = filter_form.filter(queryset)
    queryset, sort = apply_sort(queryset, request.GET.get("sort"), columns, default_sort)
    page = paginate(queryset, request.GET)
    headers = []
    for column in columns:
        active = sort.lstrip("-") == column.key
        descending = sort.startswith("-")
        headers.append(
            {
                "label": column.label,
                "key": column.key,
                "sortable": bool(column.sort),
                "next_sort": f"-{column.key}" if active and not descending else column.key,
                "direction": ("desc" if descending else "asc") if active else "",
            }
        )
    context = {
        "title": title,
        "filter_form": filter_form,
        "page": page,
        "headers": headers,
        "sort": sort,
        "row_template": row_template,
        "list_url": list_url,
        **(extra or {}),
    }
    if request.htmx and not request.htmx.history_restore_request:
        template = "customers/_list_results.html"
    return render(request, template, context)


ORGANIZATION_COLUMNS = [
    Column("name", gettext_lazy("Name"), ("name",)),
    Column("tier", gettext_lazy("Tier"), ("tier__rank",)),
    Column("status", gettext_lazy("Status"), ("status",)),
    Column("industry", gettext_lazy("Industry"), ("industry",)),
    Column("owner", gettext_lazy("Account owner"), ("owner__username",)),
    Column("created", gettext_lazy("Created"), ("created_at",)),
]
CONTACT_COLUMNS = [
    Column("name", gettext_lazy("Name"), ("name",)),
    Column("organization", gettext_lazy("Organization"), ("primary_organization__name",)),
    Column("title", gettext_lazy("Title"), ("title",)),
    Column("identities", gettext_lazy("Email / phone")),
    Column("created", gettext_lazy("Created"), ("created_at",)),
]
SITE_COLUMNS = [
    Column("name", gettext_lazy("Name"), ("name",)),
    Column("code", gettext_lazy("Code"), ("code",)),
    Column("city", gettext_lazy("City"), ("city",)),
    Column("region", gettext_lazy("Region / province"), ("region",)),
    Column("contact", gettext_lazy("Contact person")),
    Column("active", gettext_lazy("Active"), ("is_active",)),
]
PRODUCT_COLUMNS = [
    Column("sku", gettext_lazy("SKU"), ("sku",)),
    Column("name", gettext_lazy("Name"), ("name",)),
    Column("category", gettext_lazy("Category"), ("category",)),
    Column("price", gettext_lazy("List price"), ("list_price",)),
    Column("active", gettext_lazy("Active"), ("is_active",)),
]
ASSET_COLUMNS = [
    Column("serial", gettext_lazy("Serial number"), ("serial_number",)),
    Column("product", gettext_lazy("Product"), ("product__name",)),
    Column("organization", gettext_lazy("Organization"), ("organization__name",)),
    Column("site", gettext_lazy("Site"), ("site__name",)),
    Column("status", gettext_lazy("Status"), ("status",)),
    Column("warranty", gettext_lazy("Warranty ends"), ("warranty_end",)),
    Column("vendor", gettext_lazy("Hardware vendor"), ("vendor__name",)),
]


def timeline_page(queryset, before: str | None) -> tuple[list, str | None]:
    """One page of events, newest first, after the keyset cursor ``<iso time>|<id>``."""
    queryset = queryset.select_related("actor", "contact", "organization").order_by(
        "-occurred_at", "-id"
    )
    if before:
        stamp, _bar, ident = before.rpartition("|")
        try:
            moment = datetime.datetime.fromisoformat(stamp)
            ident = int(ident)
        except ValueError:
            raise Http404 from None
        # "<= moment, minus the ties already shown": a range the (owner, -occurred_at, -id)
        # index serves directly, however deep the page.
        queryset = queryset.filter(occurred_at__lte=moment).exclude(
            occurred_at=moment, id__gte=ident
        )
    rows = list(queryset[: TIMELINE_PAGE + 1])
    cursor = None
    if len(rows) > TIMELINE_PAGE:
        rows = rows[:TIMELINE_PAGE]
        last = rows[-1]
        cursor = f"{last.occurred_at.isoformat()}|{last.pk}"
    return rows, cursor
