"""The isolation matrix for the API: customers (logged in to the portal) reach no API
operation on articles or tickets; denied answers are the same for what exists and what does
not, carry a problem body and write nothing. Staff get through (the control row)."""

import json

import pytest

from kefu.knowledge.models import Article, ArticleTicketLink, ArticleVote
from kefu.service.models import Ticket, TicketEntry

pytestmark = pytest.mark.django_db

CUSTOMERS = ["anonymous", "a", "a_admin", "b"]
MISSING = 999999


def _operations(world):
    a, internal, public = world.tickets["a"], world.internal_article.pk, world.public_article.pk
    return [
        ("get", "/api/v1/articles", None),
        ("get", "/api/v1/articles/suggestions?q=Article&public_only=false", None),
        ("get", f"/api/v1/articles/{internal}", None),
        ("get", f"/api/v1/articles/{MISSING}", None),
        ("post", "/api/v1/articles", {"title": "x", "body": "y"}),
        ("patch", f"/api/v1/articles/{public}", {"title": "changed"}),
        ("post", f"/api/v1/articles/{public}/votes", {"helpful": True}),
        ("post", f"/api/v1/articles/{public}/tickets/{a}", None),
        ("post", f"/api/v1/tickets/{a}/article-draft", None),
        ("get", "/api/v1/tickets", None),
        ("get", f"/api/v1/tickets/{a}", None),
        ("get", f"/api/v1/tickets/{MISSING}", None),
        ("get", f"/api/v1/tickets/{a}/entries", None),
        ("post", f"/api/v1/tickets/{a}/replies", {"body": "hello"}),
        ("post", f"/api/v1/tickets/{MISSING}/replies", {"body": "hello"}),
    ]


def _state():
    return (
        Article.objects.count(),
        list(Article.objects.order_by("pk").values_list("title", "helpful_count")),
        ArticleVote.objects.count(),
        ArticleTicketLink.objects.count(),
        Ticket.objects.count(),
        TicketEntry.objects.count(),
    )


@pytest.mark.parametrize("who", CUSTOMERS)
def test_customers_reach_no_api_operation(client, world, who):
    if who != "anonymous":
        client.force_login(world.users[who])
    before = _state()
    answers = {}
    for method, path, body in _operations(world):
        kwargs = {"content_type": "application/json"}
        if body is not None:
            kwargs["data"] = json.dumps(body)
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code in (401, 403), (method, path, response.status_code)
        assert response["Content-Type"].startswith("application/problem+json"), path
        content = response.content.decode()
        assert "内部文章" not in content and "Request of" not in content
        problem = {k: v for k, v in json.loads(content).items() if k != "instance"}
        answers.setdefault(method, set()).add((response.status_code, json.dumps(problem)))
    assert _state() == before
    # Existing and missing records answer alike: one answer per method, whatever the path.
    assert all(len(found) == 1 for found in answers.values()), answers


def test_staff_control_row(client, world, agent):
    client.force_login(agent)
    assert client.get(f"/api/v1/articles/{world.internal_article.pk}").status_code == 200
    assert client.get("/api/v1/articles").status_code == 200
