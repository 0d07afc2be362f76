import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _link(world, client):
    client.post(reverse("portal:magic_link_request"), {"email": "a@customer.example"})
    return re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)


def test_one_time_link_logs_in_once(client, world):
    path = _link(world, client)
    assert client.get(path).status_code == 302
    assert client.get(reverse("portal:request_list")).status_code == 200
    client.logout()
    client.get(path)
    assert client.get(reverse("portal:request_list")).status_code == 302


def test_tampered_link_is_rejected(client, world):
    path = _link(world, client)
    tampered = path.replace("/link/", "/link/x")
    client.get(tampered)
    assert client.get(reverse("portal:request_list")).status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(client, world):
    response = client.post(reverse("portal:magic_link_request"), {"email": "nobody@x.example"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_staff_cannot_log_in_with_a_link(client, world, agent):
    from kefu.portal.magic import make_token, user_for_token

    assert user_for_token(make_token(agent)) is None


def test_password_login(client, world):
    response = client.post(
        reverse("portal:login"),
        {"username": "portal-a", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert client.get(reverse("portal:request_list")).status_code == 200


def test_password_login_follows_a_local_next_only(client, world):
    data = {"username": "portal-a", "password": "correct horse battery staple"}
    response = client.post(
        reverse("portal:login"), {**data, "next": reverse("portal:request_list")}
    )
    assert response["Location"] == reverse("portal:request_list")
    client.logout()
    response = client.post(reverse("portal:login"), {**data, "next": "https://evil.example/"})
    assert response["Location"] == reverse("portal:home")
