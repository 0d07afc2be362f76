import threading

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection

from kefu.core.audit import audit_context
from kefu.core.models import CustomFieldDefinition
from kefu.customers.models import ConsentRecord, Contact, ContactIdentity, ContactMembership
from kefu.customers.selectors import consent_current
from kefu.customers.services import (
    IdentityTaken,
    consent_record,
    contact_create,
    contact_update,
    identity_add,
    identity_remove,
)
from kefu.customers.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def phone(value, **extra):
    return {"kind": "phone", "value": value, **extra}


def email(value, **extra):
    return {"kind": "email", "value": value, **extra}


def test_phone_in_any_format_is_stored_as_e164(agent):
    contact = contact_create(actor=agent, name="王伟", identities=[phone("+86 138-0013-8000")])
    identity = contact.identities.get()
    assert identity.value == "+86 138-0013-8000"
    assert identity.normalized == "+8613800138000"


def test_same_phone_written_differently_belongs_to_first_contact(agent):
    owner = contact_create(actor=agent, name="王伟", identities=[phone("+86 138-0013-8000")])
    with pytest.raises(IdentityTaken) as exc:
        contact_create(actor=agent, name="李雷", identities=[phone("13800138000")])
    assert exc.value.owner == owner
    assert exc.value.link == owner.get_absolute_url()
    assert exc.value.field == "identities.0.value"
    assert exc.value.status_code == 409
    assert Contact.objects.count() == 1


def test_email_differs_only_in_case_is_a_duplicate(agent):
    contact_create(actor=agent, name="Li", identities=[email("Li.Lei@Example.CN")])
    with pytest.raises(IdentityTaken):
        contact_create(actor=agent, name="Lei", identities=[email("li.lei@example.cn")])
    assert ContactIdentity.objects.get().normalized == "li.lei@example.cn"


def test_identity_listed_twice_in_one_request_is_refused(agent):
    with pytest.raises(ValidationError) as exc:
        contact_create(
            actor=agent, name="X", identities=[phone("13800138000"), phone("+8613800138000")]
        )
    assert "identities.1.value" in exc.value.message_dict
    assert not Contact.objects.exists()


def test_invalid_identities_report_each_position(agent):
    with pytest.raises(ValidationError) as exc:
        contact_create(
            actor=agent,
            name="X",
            identities=[email("not-an-email"), phone("12"), {"kind": "fax", "value": "1"}],
        )
    assert set(exc.value.message_dict) == {
        "identities.0.value",
        "identities.1.value",
        "identities.2.value",
    }


def test_failing_create_leaves_no_contact_or_identity_rows(agent):
    contact_create(actor=agent, name="Owner", identities=[email("taken@example.cn")])
    org = OrganizationFactory()
    with pytest.raises(IdentityTaken):
        contact_create(
            actor=agent,
            name="New",
            identities=[phone("13900139000"), email("TAKEN@example.cn")],
            organizations=[{"organization_id": org.pk}],
        )
    assert Contact.objects.count() == 1
    assert ContactIdentity.objects.count() == 1
    assert not ContactMembership.objects.exists()


def test_failing_custom_field_leaves_nothing(agent):
    CustomFieldDefinition.objects.create(
        target="customers.contact", key="vip", label="VIP", field_type="boolean", is_required=True
    )
    with pytest.raises(ValidationError):
        contact_create(actor=agent, name="X", identities=[email("x@example.cn")])
    assert not Contact.objects.exists()
    assert not ContactIdentity.objects.exists()


def test_one_primary_identity_per_kind(agent):
    contact = contact_create(
        actor=agent,
        name="X",
        identities=[
            phone("13800138000"),
            phone("13900139000", is_primary=True),
            email("x@example.cn"),
        ],
    )
    primaries = contact.identities.filter(is_primary=True)
    assert sorted(primaries.values_list("normalized", flat=True)) == [
        "+8613900139000",
        "x@example.cn",
    ]


def test_identity_add_and_remove_moves_primary(agent):
    contact = contact_create(actor=agent, name="X", identities=[phone("13800138000")])
    second = identity_add(actor=agent, contact=contact, kind="phone", value="139 0013 9000")
    assert second.is_primary is False
    first = contact.identities.get(normalized="+8613800138000")
    identity_remove(actor=agent, identity=first)
    second.refresh_from_db()
    assert second.is_primary is True


def test_identity_add_refuses_identity_of_another_contact(agent):
    owner = contact_create(actor=agent, name="Owner", identities=[email("a@example.cn")])
    other = contact_create(actor=agent, name="Other")
    with pytest.raises(IdentityTaken) as exc:
        identity_add(actor=agent, contact=other, kind="email", value="A@EXAMPLE.CN")
    assert exc.value.owner == owner
    assert exc.value.field == "value"
    assert not other.identities.exists()


def test_identity_add_refuses_own_duplicate(agent):
    contact = contact_create(actor=agent, name="X", identities=[email("a@example.cn")])
    with pytest.raises(ValidationError):
        identity_add(actor=agent, contact=contact, kind="email", value="a@example.cn")


def test_update_identities_replaces_list_and_keeps_unchanged_rows(agent):
    contact = contact_create(
        actor=agent, name="X", identities=[email("a@example.cn"), phone("13800138000")]
    )
    kept = contact.identities.get(kind="email")
    contact_update(
        actor=agent,
        contact=contact,
        identities=[email("A@example.cn", label="work"), email("b@example.cn")],
    )
    rows = {i.normalized: i for i in contact.identities.all()}
    assert set(rows) == {"a@example.cn", "b@example.cn"}
    assert rows["a@example.cn"].pk == kept.pk
    assert rows["a@example.cn"].label == "work"


def test_memberships_have_exactly_one_primary(agent):
    first, second = OrganizationFactory(), OrganizationFactory()
    contact = contact_create(
        actor=agent,
        name="X",
        organizations=[
            {"organization_id": first.pk, "is_primary": True},
            {"organization_id": second.pk, "is_primary": True},
        ],
    )
    assert contact.memberships.filter(is_primary=True).count() == 1
    assert contact.primary_organization_id == first.pk
    contact_update(
        actor=agent,
        contact=contact,
        organizations=[
            {"organization_id": first.pk},
            {"organization_id": second.pk, "is_primary": True, "title": "CTO"},
        ],
    )
    contact.refresh_from_db()
    assert contact.primary_organization_id == second.pk
    assert contact.memberships.get(is_primary=True).organization_id == second.pk
    assert contact.memberships.get(organization=second).title == "CTO"


def test_membership_without_primary_makes_first_primary(agent):
    org = OrganizationFactory()
    contact = contact_create(actor=agent, name="X", organizations=[{"organization_id": org.pk}])
    assert contact.primary_organization_id == org.pk


def test_unknown_or_repeated_membership_is_refused(agent):
    org = OrganizationFactory()
    with pytest.raises(ValidationError) as exc:
        contact_create(
            actor=agent,
            name="X",
            organizations=[
                {"organization_id": org.pk},
                {"organization_id": org.pk},
                {"organization_id": 999999},
            ],
        )
    assert set(exc.value.message_dict) == {
        "organizations.1.organization_id",
        "organizations.2.organization_id",
    }
    assert not Contact.objects.exists()


def test_removing_all_memberships_clears_primary_organization(agent):
    org = OrganizationFactory()
    contact = contact_create(actor=agent, name="X", organizations=[{"organization_id": org.pk}])
    contact_update(actor=agent, contact=contact, organizations=[])
    contact.refresh_from_db()
    assert contact.primary_organization_id is None
    assert not contact.memberships.exists()


def test_consent_history_is_kept_and_latest_is_in_force(agent):
    contact = contact_create(actor=agent, name="X")
    consent_record(actor=agent, contact=contact, channel="email", is_granted=True, source="form")
    consent_record(actor=agent, contact=contact, channel="email", is_granted=False, source="email")
    consent_record(actor=agent, contact=contact, channel="sms", is_granted=True, source="agent")
    assert ConsentRecord.objects.filter(contact=contact).count() == 3
    assert consent_current(contact=contact) == {"email": False, "sms": True}
    assert ConsentRecord.objects.filter(recorded_by=agent).count() == 3


def test_consent_with_unknown_channel_or_source_is_refused(agent):
    contact = contact_create(actor=agent, name="X")
    with pytest.raises(ValidationError) as exc:
        consent_record(actor=agent, contact=contact, channel="fax", is_granted=True, source="?")
    assert set(exc.value.message_dict) == {"channel", "source"}
    assert not ConsentRecord.objects.exists()


def test_contact_changes_are_audited_with_actor(agent):
    with audit_context(source="ui", actor=agent):
        contact = contact_create(actor=agent, name="X", identities=[email("x@example.cn")])
        contact_update(actor=agent, contact=contact, title="经理")
    entries = LogEntry.objects.get_for_object(contact)
    assert entries.count() == 2
    assert set(entries.values_list("actor_id", flat=True)) == {agent.pk}
    identity_entry = LogEntry.objects.get_for_object(contact.identities.get())
    assert identity_entry.get().additional_data["source"] == "ui"


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_of_one_identity_one_wins(agent):
    barrier = threading.Barrier(2)
    results: list[str] = []

    def claim(name):
        try:
            barrier.wait(timeout=5)
            contact_create(actor=None, name=name, identities=[phone("+86 138 0013 8000")])
            results.append("created")
        except IdentityTaken:
            results.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(n,)) for n in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["created", "taken"]
    assert Contact.objects.count() == 1
    assert ContactIdentity.objects.filter(normalized="+8613800138000").count() == 1


def test_any_formatting_of_a_mobile_number_normalises_to_one_value():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kefu.customers.identities import normalize_identity

    digits = "13800138000"

    @settings(max_examples=200, deadline=None)
    @given(
        prefix=st.sampled_from(["", "+86", "+86 ", "0086", "0086-", "(+86) "]),
        separators=st.lists(st.sampled_from(["", " ", "-", ".", "  "]), min_size=10, max_size=10),
    )
    def check(prefix, separators):
        written = prefix + digits[0] + "".join(s + d for s, d in zip(separators, digits[1:]))
        assert normalize_identity("phone", written) == "+8613800138000"

    check()
