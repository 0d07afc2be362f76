"""Page-number pagination with a capped count.

Exact COUNTs over millions of rows are the classic slowdown of CRM lists; the count here stops at
``COUNT_CAP`` and says so (``count_is_exact: false``), which is all a pager needs.
"""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

COUNT_CAP = 10_000


def capped_count(queryset: QuerySet | list, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Count ``queryset`` up to ``cap`` rows; return (count, is_exact). A list (a selector's
    rows already read, such as the team board's) is counted as it is."""
    is_list = isinstance(queryset, list)
    count = len(queryset) if is_list else queryset.order_by()[: cap + 1].count()
    return (min(count, cap), count <= cap)


class PageNumberPagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1)
        page_size: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.KEFU_API_PAGE_SIZE_MAX
        )

    class Output(Schema):
        items: list[Any]
        count: int
        count_is_exact: bool
        page: int
        page_size: int
        has_next: bool

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        offset = (pagination.page - 1) * pagination.page_size
        rows = list(queryset[offset : offset + pagination.page_size + 1])
        has_next = len(rows) > pagination.page_size
        count, exact = capped_count(queryset)
        return {
            "items": rows[: pagination.page_size],
            "count": count,
            "count_is_exact": exact,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "has_next": has_next,
        }
