import json

import pytest
from django.core.exceptions import ValidationError

from kefu.service.models import SavedView
from kefu.service.services import saved_view_create
from kefu.service.tests.factories import QueueFactory


def test_saved_view_keeps_known_filters_only(agent):
    saved = saved_view_create(
        actor=agent, name="紧急", view="all", filters={"priority": "1", "bogus": "x", "q": ""}
    )
    assert saved.filters == {"priority": "1"}
    with pytest.raises(ValidationError):
        saved_view_create(actor=agent, name="紧急")


def test_saved_view_applies_its_filters_in_the_workspace(client, make_agent, make_ticket):
    agent = make_agent()
    urgent = make_ticket(impact=1, urgency=1, subject="紧急故障")
    normal = make_ticket(subject="普通咨询")
    client.force_login(agent)
    response = client.post(
        "/service/views/", {"name": "P1", "view": "all", "priority": "1", "is_shared": "on"}
    )
    saved = SavedView.objects.get(name="P1")
    assert response["Location"].endswith(f"?saved={saved.pk}")
    assert saved.is_shared
    content = client.get(f"/service/?saved={saved.pk}").content.decode()
    assert urgent.number in content
    assert normal.number not in content


def test_shared_view_is_listed_for_others_but_only_owner_deletes(api, make_agent, make_user):
    owner, other = make_agent(), make_agent()
    saved = saved_view_create(actor=owner, name="共享", is_shared=True)
    private = saved_view_create(actor=owner, name="私有")
    names = [v["name"] for v in api(other).get("/api/v1/saved-views").json()]
    assert names == ["共享"]
    assert api(other).delete(f"/api/v1/saved-views/{saved.pk}").status_code == 403
    assert api(other).delete(f"/api/v1/saved-views/{private.pk}").status_code == 404
    assert SavedView.objects.count() == 2
    assert api(owner).delete(f"/api/v1/saved-views/{saved.pk}").status_code == 204
    assert SavedView.objects.count() == 1


def test_api_creates_saved_view(api, make_agent):
    agent = make_agent()
    queue = QueueFactory()
    response = api(agent).post(
        "/api/v1/saved-views",
        json.dumps({"name": "VIP 队列", "view": "queue", "filters": {"queue": str(queue.pk)}}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert SavedView.objects.get(owner=agent).filters == {"queue": str(queue.pk)}
