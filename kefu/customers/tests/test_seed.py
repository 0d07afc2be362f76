import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from kefu.customers.models import (
    Asset,
    Contact,
    ContactIdentity,
    ContactMembership,
    Organization,
    OrganizationTier,
    Product,
    Site,
    TimelineEvent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _seed(*args):
    out = io.StringIO()
    call_command("seed", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_seed_demo_loads_a_coherent_set_and_is_idempotent(var_dir):
    _seed("--demo", "--seed", "7")
    counts = (
        Organization.objects.count(),
        Site.objects.count(),
        Contact.objects.count(),
        Asset.objects.count(),
        TimelineEvent.objects.count(),
    )
    assert counts[0] == 20
    assert counts[1] > 600
    assert set(OrganizationTier.objects.values_list("key", flat=True)) == {
        "strategic",
        "gold",
        "silver",
        "bronze",
    }
    group = Organization.objects.get(external_id="DEMO-RF-GROUP")
    assert group.children.count() == 3
    assert Organization.objects.filter(is_vendor=True).count() == 1
    assert Organization.objects.get(external_id="DEMO-RF-SH").sites.count() == 320
    assert Asset.objects.filter(vendor__is_vendor=True).exists()
    portal = get_user_model().objects.get(username="customer")
    assert not portal.is_staff
    assert portal.contact.name == "李娜"
    assert {"admin", "agent", "supervisor", "customer"} <= set(
        json.loads((var_dir / "demo-logins.json").read_text())
    )
    output = _seed("--demo")
    assert "already present" in output
    assert (
        Organization.objects.count(),
        Site.objects.count(),
        Contact.objects.count(),
        Asset.objects.count(),
        TimelineEvent.objects.count(),
    ) == counts
    assert get_user_model().objects.filter(username="admin").count() == 1


def test_demo_logins_prints_every_demo_account(var_dir):
    _seed("--demo")
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    stored = json.loads(
        (__import__("django.conf").conf.settings.VAR_DIR / "demo-logins.json").read_text()
    )
    for username in ("admin", "agent", "supervisor", "customer"):
        assert f"{username}" in out.getvalue()
        assert stored[username]["password"] in out.getvalue()


def test_demo_logins_without_demo_data_says_how_to_get_it():
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "kefu seed --demo" in out.getvalue()


def test_seed_small_scale_counts_and_unique_identities():
    _seed(
        "--organizations",
        "30",
        "--sites",
        "120",
        "--contacts",
        "500",
        "--products",
        "12",
        "--assets",
        "80",
        "--timeline",
        "300",
        "--batch",
        "128",
    )
    assert Organization.objects.count() == 30
    assert Site.objects.count() == 120
    assert Contact.objects.count() == 500
    assert Product.objects.count() == 12
    assert Asset.objects.count() == 80
    assert TimelineEvent.objects.count() == 300
    assert ContactMembership.objects.filter(is_primary=True).count() == 500
    assert ContactIdentity.objects.filter(kind="email").count() == 500
    assert ContactIdentity.objects.filter(kind="phone").count() == 500
    assert Contact.objects.filter(name__regex=r"[\u4e00-\u9fff]").exists()
    assert Contact.objects.exclude(name__regex=r"[\u4e00-\u9fff]").exists()
    # A second run adds more without colliding with the first run's addresses.
    _seed("--contacts", "200", "--batch", "64")
    assert Contact.objects.count() == 700
    assert ContactIdentity.objects.filter(kind="phone").count() == 700


def test_seeded_phone_identities_match_the_normaliser():
    from kefu.customers.identities import normalize_identity

    _seed("--organizations", "2", "--contacts", "50")
    for value, normalized in ContactIdentity.objects.filter(kind="phone").values_list(
        "value", "normalized"
    ):
        assert normalize_identity("phone", value) == normalized
