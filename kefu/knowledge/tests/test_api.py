import pytest

from kefu.knowledge.choices import ArticleStatusChoices
from kefu.knowledge.models import Article, ArticleVote

pytestmark = pytest.mark.django_db


def test_agent_creates_and_supervisor_publishes_through_the_api(api, agent, supervisor):
    created = api(agent).post(
        "/api/v1/articles",
        {"title": "Refunds", "body": "Step **one**", "language": "en", "tags": ["billing"]},
        content_type="application/json",
    )
    assert created.status_code == 201
    article_id = created.json()["id"]
    assert created.json()["tags"] == ["billing"]
    assert api(agent).post(f"/api/v1/articles/{article_id}/submit").status_code == 200
    denied = api(agent).post(
        f"/api/v1/articles/{article_id}/approve", {}, content_type="application/json"
    )
    assert denied.status_code == 403
    assert Article.objects.get(pk=article_id).status == ArticleStatusChoices.IN_REVIEW
    approved = api(supervisor).post(
        f"/api/v1/articles/{article_id}/approve", {}, content_type="application/json"
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "published"
    assert approved.json()["version"] == 1


def test_invalid_transition_is_a_problem(api, agent, make_article):
    article = make_article()
    response = api(agent).post(f"/api/v1/articles/{article.pk}/submit")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")


def test_portal_customer_is_refused_everywhere_and_nothing_changes(api, make_user, make_article):
    article = make_article()
    customer = make_user(None)
    client = api(customer)
    assert client.get("/api/v1/articles").status_code in (401, 403)
    assert client.get(f"/api/v1/articles/{article.pk}").status_code in (401, 403)
    assert client.get("/api/v1/articles/999999").status_code in (401, 403)
    assert client.get("/api/v1/articles/suggestions?q=x").status_code in (401, 403)
    vote = client.post(
        f"/api/v1/articles/{article.pk}/votes", {"helpful": True}, content_type="application/json"
    )
    assert vote.status_code in (401, 403)
    created = client.post("/api/v1/articles", {"title": "x"}, content_type="application/json")
    assert created.status_code in (401, 403)
    assert Article.objects.count() == 1
    assert not ArticleVote.objects.exists()


def test_staff_vote_counts_once(api, agent, make_article):
    article = make_article()
    for _ in range(2):
        response = api(agent).post(
            f"/api/v1/articles/{article.pk}/votes",
            {"helpful": True},
            content_type="application/json",
        )
        assert response.status_code == 204
    assert Article.objects.get(pk=article.pk).helpful_count == 1


def test_openapi_schema_lists_knowledge_operations(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/articles" in schema["paths"]
    assert "/api/v1/articles/suggestions" in schema["paths"]
