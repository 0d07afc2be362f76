from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from kefu.accounts.services import totp_device_for
from kefu.accounts.tests.factories import totp_code

PAGE = reverse("accounts:two_factor")


def test_set_up_shows_a_qr_code_and_confirming_with_a_code_turns_two_factor_on(client, agent):
    client.force_login(agent)

    client.post(reverse("accounts:two_factor_start"))
    pending = TOTPDevice.objects.get(user=agent)
    page = client.get(PAGE)

    assert pending.confirmed is False
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    assert "<script" not in page.content.decode().split("<body", 1)[1].split("</header>", 1)[1]

    response = client.post(reverse("accounts:two_factor_confirm"), {"token": totp_code(pending)})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.confirmed is True
    # The session that proved the code stays logged in and verified.
    assert client.session[DEVICE_ID_SESSION_KEY] == pending.persistent_id
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_wrong_code_does_not_confirm_the_set_up(client, agent):
    client.force_login(agent)
    client.post(reverse("accounts:two_factor_start"))
    pending = TOTPDevice.objects.get(user=agent)
    wrong = "000000" if totp_code(pending) != "000000" else "111111"

    client.post(reverse("accounts:two_factor_confirm"), {"token": wrong})

    pending.refresh_from_db()
    assert pending.confirmed is False
    assert totp_device_for(agent) is None


def test_disable_needs_a_current_code(client, agent):
    client.force_login(agent)
    client.post(reverse("accounts:two_factor_start"))
    device = TOTPDevice.objects.get(user=agent)
    client.post(reverse("accounts:two_factor_confirm"), {"token": totp_code(device)})
    device.refresh_from_db()
    wrong = "000000" if totp_code(device, steps_ahead=1) != "000000" else "111111"

    client.post(reverse("accounts:two_factor_disable"), {"token": wrong})
    assert TOTPDevice.objects.filter(user=agent, confirmed=True).exists()

    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.throttling_failure_count = 0
    device.save()
    client.post(reverse("accounts:two_factor_disable"), {"token": totp_code(device, steps_ahead=1)})

    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert client.session[SESSION_KEY] == str(agent.pk)


def test_turning_two_factor_on_is_in_the_audit_log(client, agent):
    from auditlog.models import LogEntry

    client.force_login(agent)
    client.post(reverse("accounts:two_factor_start"))
    device = TOTPDevice.objects.get(user=agent)
    client.post(reverse("accounts:two_factor_confirm"), {"token": totp_code(device)})

    entries = LogEntry.objects.get_for_object(device)
    assert entries.filter(actor=agent).count() == 2
    assert "confirmed" in entries.first().changes_dict
