from datetime import datetime

from ninja import Field, Schema


class ArticleOut(Schema):
    id: int
    translation_group: str
    language: str
    title: str
    slug: str
    category_id: int | None
    tags: list[str] = Field(alias="tag_list")
    visibility: str
    status: str
    body: str
    body_html: str
    author_id: int | None
    source_ticket_id: int | None
    publish_at: datetime | None
    published_at: datetime | None
    review_due: datetime | None
    version: int
    view_count: int
    helpful_count: int
    unhelpful_count: int
    reuse_count: int
    quality: float
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_translation_group(obj) -> str:
        return str(obj.translation_group)


class ArticleIn(Schema):
    title: str
    body: str = ""
    language: str = "zh-hans"
    visibility: str = "internal"
    category_id: int | None = None
    tags: list[str] = []
    translation_of: int | None = None
    publish_at: datetime | None = None


class ArticlePatch(Schema):
    title: str | None = None
    body: str | None = None
    visibility: str | None = None
    category_id: int | None = None
    tags: list[str] | None = None
    publish_at: datetime | None = None


class ReviewIn(Schema):
    comment: str = ""


class VoteIn(Schema):
    helpful: bool


class SuggestionOut(Schema):
    id: int
    title: str
    language: str
    visibility: str
    snippet: str
    url: str
