import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from kefu.accounts.tests.factories import TOTPDeviceFactory, totp_code

PASSWORD = "correct horse battery staple"
LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
PROFILE = reverse("accounts:profile")


@pytest.fixture
def user_with_device(make_user):
    user = make_user("agent", username="two-factor-user")
    device = TOTPDeviceFactory(user=user)
    return user, device


def test_login_without_two_factor_logs_in_at_once(client, agent):
    response = client.post(LOGIN, {"username": agent.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert client.session[SESSION_KEY] == str(agent.pk)
    assert client.get(PROFILE).status_code == 200


def test_login_with_wrong_password_is_refused(client, agent):
    response = client.post(LOGIN, {"username": agent.username, "password": "wrong"})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_password_step_does_not_log_in_a_user_with_two_factor(client, user_with_device):
    user, _device = user_with_device

    response = client.post(
        LOGIN, {"username": user.username, "password": PASSWORD, "next": PROFILE}
    )

    assert response.status_code == 302
    assert response.url == CODE
    assert SESSION_KEY not in client.session
    staff_page = client.get(PROFILE)
    assert staff_page.status_code == 302
    assert staff_page.url.startswith(LOGIN)
    assert client.get("/api/v1/me").status_code == 401


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_code_step_logs_in_and_verifies_the_session_only_with_the_right_code(
    client, user_with_device
):
    user, device = user_with_device
    client.post(LOGIN, {"username": user.username, "password": PASSWORD, "next": PROFILE})

    wrong = client.post(CODE, {"token": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "not right" in wrong.content.decode()
    assert SESSION_KEY not in client.session

    right = client.post(CODE, {"token": totp_code(device)})

    assert right.status_code == 302
    assert right.url == PROFILE
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(PROFILE).status_code == 200
    assert client.get("/api/v1/me").json()["username"] == user.username


def test_code_step_without_the_password_step_goes_back_to_login(client, user_with_device):
    _user, device = user_with_device

    response = client.post(CODE, {"token": totp_code(device)})

    assert response.status_code == 302
    assert response.url == LOGIN
    assert SESSION_KEY not in client.session


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_five_wrong_codes_end_the_pending_login(client, user_with_device):
    user, device = user_with_device
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    wrong = "000000" if totp_code(device) != "000000" else "111111"

    for _attempt in range(5):
        response = client.post(CODE, {"token": wrong})

    assert response.status_code == 302
    assert response.url == LOGIN
    assert client.post(CODE, {"token": totp_code(device)}).url == LOGIN
    assert SESSION_KEY not in client.session


def test_session_logged_in_without_the_code_is_treated_as_anonymous(client, user_with_device):
    # e.g. through the Django admin's own log-in form, which knows nothing of two-factor.
    user, _device = user_with_device
    client.force_login(user)

    staff_page = client.get(PROFILE)

    assert staff_page.status_code == 302
    assert staff_page.url.startswith(LOGIN)
    assert client.get(reverse("core:home")).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_unconfirmed_device_does_not_ask_for_a_code(client, agent):
    TOTPDeviceFactory(user=agent, confirmed=False)

    response = client.post(LOGIN, {"username": agent.username, "password": PASSWORD})

    assert response.url == reverse("core:home")
    assert client.session[SESSION_KEY] == str(agent.pk)


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_login_locks_out_after_the_failure_limit(client, agent):
    for _attempt in range(3):
        client.post(LOGIN, {"username": agent.username, "password": "wrong"})

    response = client.post(LOGIN, {"username": agent.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert AccessAttempt.objects.filter(username=agent.username).get().failures_since_start >= 3


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_login_below_the_failure_limit_still_works(client, agent):
    for _attempt in range(2):
        client.post(LOGIN, {"username": agent.username, "password": "wrong"})

    response = client.post(LOGIN, {"username": agent.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(agent.pk)


def test_django_admin_login_form_cannot_skip_the_code(client, user_with_device):
    user, _device = user_with_device

    client.post(
        "/django-admin/login/?next=/django-admin/",
        {"username": user.username, "password": PASSWORD, "next": "/django-admin/"},
    )

    assert SESSION_KEY in client.session  # Django's admin form did log the session in...
    staff_page = client.get(PROFILE)
    assert staff_page.status_code == 302  # ...but without the code it counts as anonymous.
    assert staff_page.url.startswith(LOGIN)
    assert client.get("/api/v1/me").status_code == 401
