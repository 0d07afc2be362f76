import json

import pytest
from auditlog.models import LogEntry

from kefu.customers.models import ConsentRecord, Contact, ContactIdentity, TimelineEvent
from kefu.customers.tests.factories import (
    ContactFactory,
    IdentityFactory,
    OrganizationFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts"


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_create_contact_with_identities_and_memberships(api, agent):
    org = OrganizationFactory(name="腾讯示例")
    response = post(
        api(agent),
        URL,
        {
            "name": "张三",
            "title": "IT 经理",
            "identities": [
                {"kind": "email", "value": "Zhang.San@Example.CN"},
                {"kind": "phone", "value": "+86 138-0013-8000"},
            ],
            "organizations": [{"organization_id": org.pk, "title": "经理", "is_admin": True}],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["primary_organization_id"] == org.pk
    assert {(i["kind"], i["normalized"]) for i in body["identities"]} == {
        ("email", "zhang.san@example.cn"),
        ("phone", "+8613800138000"),
    }
    assert body["memberships"] == [
        {
            "organization_id": org.pk,
            "organization_name": "腾讯示例",
            "title": "经理",
            "is_primary": True,
            "is_admin": True,
        }
    ]
    assert Contact.objects.get().name == "张三"
    assert ContactIdentity.objects.count() == 2


def test_identity_owned_by_another_contact_answers_409_with_link(api, agent):
    owner = ContactFactory(name="原主人")
    IdentityFactory(contact=owner, kind="phone", value="13800138000", normalized="+8613800138000")
    response = post(
        api(agent),
        URL,
        {"name": "新人", "identities": [{"kind": "phone", "value": "+86 138 0013 8000"}]},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["link"] == owner.get_absolute_url()
    assert body["code"] == "identity_taken"
    assert body["contact_id"] == owner.pk
    assert body["errors"][0]["pointer"] == "#/identities/0/value"
    assert Contact.objects.count() == 1


def test_list_q_finds_contact_by_phone_in_any_format_or_name(api, agent):
    contact = ContactFactory(name="李四")
    IdentityFactory(contact=contact, kind="phone", value="13800138000", normalized="+8613800138000")
    ContactFactory(name="王五")
    client = api(agent)
    for q in ("+86 138-0013-8000", "13800138000", "李四"):
        items = client.get(URL, {"q": q}).json()["items"]
        assert [i["id"] for i in items] == [contact.pk], q


def test_list_filters_by_organization_without_duplicates(api, agent):
    org = OrganizationFactory()
    contact = ContactFactory(primary_organization=org)
    ContactFactory()
    items = api(agent).get(URL, {"organization": org.pk}).json()["items"]
    assert [i["id"] for i in items] == [contact.pk]


def test_contact_list_query_count_is_fixed(api, agent, django_assert_max_num_queries):
    for n in range(30):
        contact = ContactFactory(name=f"C{n}")
        IdentityFactory(contact=contact)
        IdentityFactory(
            contact=contact, kind="phone", value=f"1380013{n:04d}", normalized=f"+861380013{n:04d}"
        )
    client = api(agent)
    client.get(URL)
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"page_size": 30})
    items = response.json()["items"]
    assert len(items) == 30
    assert all(len(i["identities"]) == 2 and len(i["memberships"]) == 1 for i in items)


def test_patch_replaces_identities_when_given(api, agent):
    contact = ContactFactory()
    IdentityFactory(contact=contact, value="old@example.cn")
    response = patch(
        api(agent),
        f"{URL}/{contact.pk}",
        {"title": "总监", "identities": [{"kind": "email", "value": "new@example.cn"}]},
    )
    assert response.status_code == 200
    assert [i["value"] for i in response.json()["identities"]] == ["new@example.cn"]
    contact.refresh_from_db()
    assert contact.title == "总监"


def test_identity_add_and_remove_subresources(api, supervisor):
    contact = ContactFactory()
    client = api(supervisor)
    response = post(
        client, f"{URL}/{contact.pk}/identities", {"kind": "wechat", "value": "ZhangSan88"}
    )
    assert response.status_code == 201
    identity_id = response.json()["id"]
    assert response.json()["normalized"] == "zhangsan88"
    response = client.delete(f"{URL}/{contact.pk}/identities/{identity_id}")
    assert response.status_code == 204
    assert not ContactIdentity.objects.exists()


def test_identity_add_of_taken_identity_is_409(api, agent):
    IdentityFactory(value="taken@example.cn")
    contact = ContactFactory()
    response = post(
        api(agent), f"{URL}/{contact.pk}/identities", {"kind": "email", "value": "TAKEN@example.cn"}
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["pointer"] == "#/value"
    assert not contact.identities.exists()


def test_identity_of_another_contact_cannot_be_removed_through_this_one(api, supervisor):
    other = IdentityFactory()
    contact = ContactFactory()
    response = api(supervisor).delete(f"{URL}/{contact.pk}/identities/{other.pk}")
    assert response.status_code == 404
    assert ContactIdentity.objects.filter(pk=other.pk).exists()


def test_consent_create_and_history(api, agent):
    contact = ContactFactory()
    client = api(agent)
    for granted in (True, False):
        response = post(
            client,
            f"{URL}/{contact.pk}/consents",
            {"channel": "sms", "is_granted": granted, "note": "电话确认"},
        )
        assert response.status_code == 201
    history = client.get(f"{URL}/{contact.pk}/consents").json()["items"]
    assert [h["is_granted"] for h in history] == [False, True]
    assert history[0]["source"] == "api"
    assert history[0]["recorded_by_id"] == agent.pk
    assert ConsentRecord.objects.count() == 2
    current = client.get(f"{URL}/{contact.pk}/consents/current").json()
    assert current == {"sms": False}


def test_consent_with_unknown_channel_is_422(api, agent):
    contact = ContactFactory()
    response = post(
        api(agent), f"{URL}/{contact.pk}/consents", {"channel": "pigeon", "is_granted": True}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/channel"
    assert not ConsentRecord.objects.exists()


def test_timeline_lists_newest_first_and_paginates(api, agent, django_assert_max_num_queries):
    org = OrganizationFactory()
    for _ in range(25):
        TimelineEventFactory(organization=org, actor=agent)
    client = api(agent)
    client.get(f"/api/v1/organizations/{org.pk}/timeline")
    with django_assert_max_num_queries(8):
        page = client.get(f"/api/v1/organizations/{org.pk}/timeline", {"page_size": 25}).json()
    times = [e["occurred_at"] for e in page["items"]]
    assert times == sorted(times, reverse=True)
    assert page["count"] == 25
    assert page["items"][0]["actor_name"] == agent.display_name


def test_add_note_and_log_call_on_contact_timeline(api, agent):
    contact = ContactFactory()
    client = api(agent)
    note = post(client, f"{URL}/{contact.pk}/timeline/notes", {"text": "客户要求回电"})
    assert note.status_code == 201
    assert note.json()["organization_id"] == contact.primary_organization_id
    call = post(
        client,
        f"{URL}/{contact.pk}/timeline/calls",
        {"direction": "outbound", "number": "138 0013 8000", "duration_seconds": 60},
    )
    assert call.status_code == 201
    assert call.json()["data"]["number"] == "+8613800138000"
    kinds = [e["kind"] for e in client.get(f"{URL}/{contact.pk}/timeline").json()["items"]]
    assert sorted(kinds) == ["call", "note"]
    assert TimelineEvent.objects.filter(actor=agent).count() == 2
    calls = client.get(f"{URL}/{contact.pk}/timeline", {"kind": "call"}).json()["items"]
    assert len(calls) == 1


def test_empty_note_is_422_and_writes_nothing(api, agent):
    org = OrganizationFactory()
    response = post(api(agent), f"/api/v1/organizations/{org.pk}/timeline/notes", {"text": " "})
    assert response.status_code == 422
    assert not TimelineEvent.objects.exists()


def test_note_on_unknown_organization_is_404(api, agent):
    response = post(api(agent), "/api/v1/organizations/987654/timeline/notes", {"text": "x"})
    assert response.status_code == 404
    assert not TimelineEvent.objects.exists()


def test_idempotent_contact_create_writes_one_contact(api, agent):
    client = api(agent)
    data = {"name": "重试", "identities": [{"kind": "email", "value": "retry@example.cn"}]}
    first = post(client, URL, data, HTTP_IDEMPOTENCY_KEY="contact-1")
    second = post(client, URL, data, HTTP_IDEMPOTENCY_KEY="contact-1")
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert Contact.objects.count() == 1
    assert ContactIdentity.objects.count() == 1


def test_session_write_without_csrf_token_is_refused(agent):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    contact = ContactFactory(title="")
    response = client.patch(
        f"{URL}/{contact.pk}", json.dumps({"title": "工程师"}), content_type="application/json"
    )
    assert response.status_code in (401, 403)
    contact.refresh_from_db()
    assert contact.title == ""


def test_session_authenticated_write_is_audited_with_user(client, agent):
    client.force_login(agent)
    contact = ContactFactory()
    response = client.patch(
        f"{URL}/{contact.pk}", json.dumps({"title": "工程师"}), content_type="application/json"
    )
    assert response.status_code == 200
    entry = LogEntry.objects.get_for_object(contact).get(action=LogEntry.Action.UPDATE)
    assert entry.actor_id == agent.pk
    assert entry.additional_data["source"] == "api"


def test_patch_memberships_moves_primary_organization(api, agent):
    first, second = OrganizationFactory(), OrganizationFactory()
    contact = ContactFactory(primary_organization=first)
    response = patch(
        api(agent),
        f"{URL}/{contact.pk}",
        {
            "organizations": [
                {"organization_id": first.pk},
                {"organization_id": second.pk, "is_primary": True, "title": "顾问"},
            ]
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["primary_organization_id"] == second.pk
    assert [m["organization_id"] for m in body["memberships"] if m["is_primary"]] == [second.pk]
    contact.refresh_from_db()
    assert contact.primary_organization_id == second.pk


def test_patch_or_delete_unknown_contact_is_404(api, supervisor):
    client = api(supervisor)
    assert patch(client, f"{URL}/777777", {"title": "x"}).status_code == 404
    assert client.delete(f"{URL}/777777").status_code == 404


# --- the create path's cost and what it still guarantees --------------------------------------


CREATE_BODY = {
    "name": "钱七",
    "alt_name": "Qian Qi",
    "identities": [
        {"kind": "email", "value": "qian.qi@example.cn"},
        {"kind": "wechat", "value": "qianqi_88"},
    ],
}


def test_create_query_budget(api, agent, django_assert_max_num_queries):
    """Token, permissions, custom-field definitions, the organization; a contact, identities,
    membership and audit INSERT each; the search index write (four statements on SQLite, one
    on PostgreSQL); savepoints around the identities and the index (and, in a test, the
    transaction). It was 29 queries.
    """
    client = api(agent)
    org = OrganizationFactory()
    warm = {
        **CREATE_BODY,
        "identities": [{"kind": "email", "value": "warm@example.cn"}],
        "organizations": [{"organization_id": org.pk}],
    }
    assert post(client, URL, warm).status_code == 201  # content types cached, token touched
    body = {**CREATE_BODY, "organizations": [{"organization_id": org.pk}]}
    with django_assert_max_num_queries(18):
        response = post(client, URL, body)
    assert response.status_code == 201


def test_create_audits_contact_identities_and_memberships_in_one_go(api, agent):
    org = OrganizationFactory()
    body = {**CREATE_BODY, "organizations": [{"organization_id": org.pk, "title": "经理"}]}
    response = post(api(agent), URL, body)
    assert response.status_code == 201
    contact = Contact.objects.get(pk=response.json()["id"])
    entries = list(LogEntry.objects.filter(action=LogEntry.Action.CREATE).order_by("id"))
    logged = {(e.content_type.model, e.object_id) for e in entries}
    assert ("contact", contact.pk) in logged
    for identity in contact.identities.all():
        assert ("contactidentity", identity.pk) in logged
    membership = contact.memberships.get()
    assert ("contactmembership", membership.pk) in logged
    for entry in entries:
        if entry.content_type.model in {"contact", "contactidentity", "contactmembership"}:
            assert entry.actor_id == agent.pk
            assert entry.additional_data["source"] == "api"
    contact_entry = next(e for e in entries if e.content_type.model == "contact")
    assert contact_entry.changes["name"] == ["None", "钱七"]
    assert contact_entry.object_repr == "钱七"


def test_create_answer_matches_a_fresh_read(api, agent):
    org = OrganizationFactory(name="示例集团")
    body = {
        **CREATE_BODY,
        "identities": [
            {"kind": "phone", "value": "138 0013 8000"},
            {"kind": "email", "value": "b@example.cn"},
            {"kind": "email", "value": "a@example.cn", "is_primary": True},
        ],
        "organizations": [{"organization_id": org.pk, "title": "顾问"}],
    }
    client = api(agent)
    created = post(client, URL, body).json()
    fresh = client.get(f"{URL}/{created['id']}").json()
    assert created == fresh


def test_create_with_identity_taken_is_409_and_writes_nothing(api, agent):
    owner = ContactFactory(name="原主人")
    IdentityFactory(contact=owner, kind="wechat", value="qianqi_88", normalized="qianqi_88")
    client = api(agent)
    before = LogEntry.objects.count()
    response = post(client, URL, CREATE_BODY)
    assert response.status_code == 409
    body = response.json()
    assert body["contact_id"] == owner.pk
    assert body["errors"][0]["pointer"] == "#/identities/1/value"
    assert Contact.objects.count() == 1
    assert ContactIdentity.objects.count() == 1
    assert LogEntry.objects.count() == before


def test_create_with_duplicate_external_id_is_422(api, agent):
    ContactFactory(external_id="CRM-1")
    response = post(api(agent), URL, {**CREATE_BODY, "external_id": "CRM-1"})
    assert response.status_code == 422
    assert Contact.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_create_writes_the_search_index_in_its_own_transaction(api, agent):
    from kefu.customers.search import contact_search

    client = api(agent)
    with pytest.MonkeyPatch.context() as mp:
        # Nothing may be left for after the commit: the index row is in the same transaction.
        from kefu.core.search import indexing

        mp.setattr(indexing._Pending, "flush", lambda self: None)
        response = post(client, URL, CREATE_BODY)
    assert response.status_code == 201
    assert [c.pk for c in contact_search(user=agent, query="钱七")] == [response.json()["id"]]
    assert [c.pk for c in contact_search(user=agent, query="qianqi_88")] == [response.json()["id"]]
