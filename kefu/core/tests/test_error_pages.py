import pytest
from django.urls import reverse
from django.utils import translation


@pytest.mark.django_db
def test_portal_user_gets_kefu_403_page(client, make_user):
    customer = make_user(None, username="portal-403")
    client.force_login(customer)
    response = client.get(reverse("core:status"))
    assert response.status_code == 403
    assert b"Not allowed" in response.content
    assert b"<html" in response.content


@pytest.mark.django_db
def test_unknown_address_gets_translated_404_page(client, agent):
    agent.language = "zh-hans"
    agent.save()
    client.force_login(agent)
    response = client.get("/customers/organizations/999999999/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()
    translation.activate("en")
