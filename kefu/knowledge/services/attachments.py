"""Files and images of an article: checked (size, type) before anything is stored."""

import mimetypes
import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts import policy
from kefu.knowledge.constants import ATTACHMENT_EXTENSIONS, ATTACHMENT_MAX_BYTES
from kefu.knowledge.models import Article, ArticleAttachment


def attachment_check(*, name: str, size: int) -> str:
    """Return the content type of an upload, or raise ``ValidationError`` on ``file`` for a
    file over the size limit, an empty file or a type not on the allow-list."""
    ext = os.path.splitext(name or "")[1].lower().lstrip(".")
    if size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("“%(name)s” is larger than %(limit)d MB.")
                    % {"name": name, "limit": ATTACHMENT_MAX_BYTES // (1024 * 1024)}
                ]
            }
        )
    if size == 0:
        raise ValidationError({"file": [_("“%(name)s” is empty.") % {"name": name}]})
    if ext not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            {
                "file": [
                    _("Files of type .%(ext)s cannot be attached (allowed: %(allowed)s).")
                    % {"ext": ext or "?", "allowed": ", ".join(sorted(ATTACHMENT_EXTENSIONS))}
                ]
            }
        )
    return mimetypes.guess_type(f"x.{ext}")[0] or "application/octet-stream"


@transaction.atomic
def article_attachment_add(*, actor, article: Article, upload) -> ArticleAttachment:
    """Attach ``upload`` (a Django ``UploadedFile``) to ``article``."""
    policy.require(actor, "knowledge.change_article")
    name = os.path.basename(upload.name or "file")[:255]
    content_type = attachment_check(name=name, size=upload.size)
    attachment = ArticleAttachment(
        article=article,
        filename=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def article_attachment_remove(*, actor, attachment: ArticleAttachment) -> None:
    policy.require(actor, "knowledge.change_article")
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))
