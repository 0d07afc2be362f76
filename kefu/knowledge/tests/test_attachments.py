"""Files and images of articles: upload checks, who downloads what, Markdown images."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kefu.knowledge.constants import ATTACHMENT_MAX_BYTES
from kefu.knowledge.models import ArticleAttachment

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
    b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(client, article, name, data):
    return client.post(
        reverse("knowledge:attachment_add", args=[article.pk]),
        {"file": SimpleUploadedFile(name, data)},
        follow=True,
    )


def test_agent_attaches_an_image_shown_in_the_portal(client, agent, make_article, media):
    article = make_article(title="网络设置", visibility="public")
    client.force_login(agent)
    page = _upload(client, article, "diagram.png", PNG)
    attachment = ArticleAttachment.objects.get(article=article)
    assert attachment.content_type == "image/png"
    public_url = reverse("portal:kb_file", args=[attachment.token])
    assert f"![diagram.png]({public_url})".encode() in page.content
    client.logout()
    image = client.get(public_url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert "attachment" not in image.get("Content-Disposition", "")
    assert b"".join(image.streaming_content) == PNG


def test_oversize_and_forbidden_uploads_are_refused_with_a_message(
    client, agent, make_article, media, settings
):
    article = make_article()
    client.force_login(agent)
    big = _upload(client, article, "huge.pdf", b"x" * (ATTACHMENT_MAX_BYTES + 1))
    assert "huge.pdf" in big.content.decode() and "MB" in big.content.decode()
    script = _upload(client, article, "evil.svg", b"<svg onload=alert(1)>")
    assert ".svg" in script.content.decode()
    empty = _upload(client, article, "empty.txt", b"")
    assert "empty.txt" in empty.content.decode()
    assert not ArticleAttachment.objects.exists()
    assert not list(media.rglob("*.*"))


def test_internal_and_draft_files_stay_out_of_the_portal(
    client, agent, make_user, make_article, media
):
    from kefu.knowledge.services.attachments import article_attachment_add

    internal = make_article(title="内部", visibility="internal")
    draft = make_article(title="草稿", visibility="public", publish=False)
    tokens = [
        article_attachment_add(
            actor=agent, article=a, upload=SimpleUploadedFile("notes.txt", b"secret")
        ).token
        for a in (internal, draft)
    ]
    for who in (None, make_user(None)):
        if who:
            client.force_login(who)
        for token in [*tokens, "no-such-token"]:
            assert client.get(reverse("portal:kb_file", args=[token])).status_code == 404
        staff = client.get(reverse("knowledge:attachment_download", args=[tokens[0]]))
        assert staff.status_code in (302, 403)
    client.force_login(agent)
    staff = client.get(reverse("knowledge:attachment_download", args=[tokens[0]]))
    assert staff.status_code == 200
    assert staff["Content-Disposition"].startswith("attachment")


def test_technician_cannot_attach(client, make_user, make_article, media):
    article = make_article()
    client.force_login(make_user("technician"))
    response = client.post(
        reverse("knowledge:attachment_add", args=[article.pk]),
        {"file": SimpleUploadedFile("a.txt", b"hello")},
    )
    assert response.status_code == 403
    assert not ArticleAttachment.objects.exists()
