import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from kefu.accounts.models import User
from kefu.accounts.services import user_password_change, user_password_set
from kefu.settings import PASSWORD_HASHERS as PRODUCTION_HASHERS

NEW_PASSWORD = "Blue-lantern-harbour-42"


def _link_path(body: str) -> str:
    url = re.search(r"https?://\S+/accounts/reset/\S+/", body).group(0)
    return "/" + url.split("/", 3)[3]


def test_production_hashers_store_passwords_as_argon2(agent):
    assert PRODUCTION_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        user_password_set(actor=agent, user=agent, password=NEW_PASSWORD)
        agent.refresh_from_db()

        assert agent.password.startswith("argon2$argon2id$")
        assert agent.check_password(NEW_PASSWORD)


def test_weak_password_is_refused_and_nothing_changes(agent):
    before = agent.password

    with pytest.raises(ValidationError) as exc:
        user_password_set(actor=agent, user=agent, password="12345678")

    assert "password" in exc.value.message_dict
    agent.refresh_from_db()
    assert agent.password == before


def test_password_change_needs_the_old_password(agent):
    before = User.objects.get(pk=agent.pk).password

    with pytest.raises(ValidationError) as exc:
        user_password_change(
            actor=agent, user=agent, old_password="wrong", new_password=NEW_PASSWORD
        )

    assert "old_password" in exc.value.message_dict
    assert User.objects.get(pk=agent.pk).password == before


def test_password_change_page_changes_it_and_keeps_the_session(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_reset_mails_a_link_that_sets_a_new_password(client, agent):
    response = client.post(reverse("accounts:password_reset"), {"email": agent.email.upper()})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [agent.email]
    assert "Choose your Kefu password" in message.subject
    assert agent.username in message.body

    form_page = client.get(_link_path(message.body), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.request["PATH_INFO"],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done.status_code == 302
    assert done.url == reverse("accounts:password_reset_complete")
    agent.refresh_from_db()
    assert agent.check_password(NEW_PASSWORD)
    assert SESSION_KEY not in client.session
    # The link works once.
    again = client.get(_link_path(message.body), follow=True)
    assert again.context["validlink"] is False


def test_password_reset_mail_is_written_in_the_users_language(client, make_user):
    user = make_user("agent", username="li-lei", language="zh-hans")

    client.post(reverse("accounts:password_reset"), {"email": user.email})

    assert len(mail.outbox) == 1
    assert "设置" in mail.outbox[0].subject
    assert "链接" in mail.outbox[0].body


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, agent):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@kefu.example"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_ignores_deactivated_users(client, make_user):
    user = make_user("agent", username="gone", is_active=False)

    client.post(reverse("accounts:password_reset"), {"email": user.email})

    assert mail.outbox == []


def test_password_reset_requests_for_one_address_are_rate_limited(client, agent):
    for _attempt in range(5):
        assert (
            client.post(reverse("accounts:password_reset"), {"email": agent.email}).status_code
            == 302
        )

    response = client.post(reverse("accounts:password_reset"), {"email": agent.email.upper()})

    assert response.status_code == 429
    assert len(mail.outbox) == 5
