import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kefu.accounts.services import user_preferences_update

PROFILE = reverse("accounts:profile")


def test_saved_language_preference_switches_the_interface_to_chinese(client, agent):
    client.force_login(agent)
    assert "Your profile" in client.get(PROFILE).content.decode()

    response = client.post(PROFILE, {"language": "zh-hans", "time_zone": "Asia/Shanghai"})

    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.language, agent.time_zone) == ("zh-hans", "Asia/Shanghai")
    page = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "个人资料" in page
    assert 'lang="zh-hans"' in page


def test_language_switcher_saves_the_preference(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("accounts:set_language"), {"language": "zh-hans", "next": PROFILE}
    )

    assert response.status_code == 302
    assert response.url == PROFILE
    agent.refresh_from_db()
    assert agent.language == "zh-hans"
    assert "双重验证" in client.get(reverse("accounts:two_factor")).content.decode()


def test_time_zone_preference_is_used_for_dates(client, agent):
    import datetime

    from kefu.accounts.models import ApiToken
    from kefu.accounts.services import api_token_create

    token, _raw = api_token_create(actor=agent, user=agent, name="t", scope="read")
    used = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=used)
    user_preferences_update(actor=agent, user=agent, language="en", time_zone="America/New_York")
    client.force_login(agent)

    page = client.get(reverse("accounts:token_list")).content.decode()

    # 12:00 UTC is 7 a.m. in New York (and 8 p.m. at the Asia/Shanghai site default).
    assert "7 a.m." in page


def test_unknown_time_zone_is_refused_and_nothing_changes(agent):
    with pytest.raises(ValidationError) as exc:
        user_preferences_update(actor=agent, user=agent, time_zone="Mars/Olympus")

    assert "time_zone" in exc.value.message_dict
    agent.refresh_from_db()
    assert agent.time_zone == ""
