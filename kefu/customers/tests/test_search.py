"""Customer search: indexing on change, finding by name/e-mail/phone, the global search view."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from kefu.core.models import SearchDocument
from kefu.core.search import get_backend
from kefu.customers.models import Contact
from kefu.customers.search import (
    CONTACT,
    ORGANIZATION,
    contact_search,
    index_contacts,
    organization_search,
)
from kefu.customers.services.contacts import (
    contact_create,
    contact_delete,
    contact_update,
    identity_remove,
)
from kefu.customers.services.organizations import organization_create, organization_update
from kefu.customers.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a service as its own committed transaction would (the index writes on commit)."""

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


@pytest.fixture
def acme(commit, agent):
    return commit(
        organization_create,
        actor=agent,
        name="上海示例科技有限公司",
        alt_name="Acme Shanghai",
        email_domains="acme.cn",
    )


@pytest.fixture
def zhang(commit, agent, acme):
    return commit(
        contact_create,
        actor=agent,
        name="张伟",
        alt_name="Zhang Wei",
        identities=[
            {"kind": "email", "value": "Zhang.Wei@Acme.cn"},
            {"kind": "phone", "value": "+86 138-0013-8000"},
        ],
        organizations=[{"organization_id": acme.pk}],
    )


@pytest.fixture
def ouyang(commit, agent):
    return commit(
        contact_create,
        actor=agent,
        name="欧阳娜娜",
        identities=[{"kind": "phone", "value": "139 0013 9000"}],
    )


def found(user, query):
    return [c.pk for c in contact_search(user=user, query=query)]


def test_contact_is_found_by_two_character_chinese_name(agent, zhang, ouyang):
    assert found(agent, "张伟") == [zhang.pk]
    assert found(agent, "娜娜") == [ouyang.pk]


def test_contact_is_found_by_one_character_and_partial_names(agent, zhang, ouyang):
    assert found(agent, "张") == [zhang.pk]
    assert found(agent, "阳娜") == [ouyang.pk]
    assert found(agent, "zhan") == [zhang.pk]


def test_mixed_chinese_and_english_query_combines_name_and_organization(agent, zhang, ouyang):
    assert found(agent, "张伟 acme") == [zhang.pk]
    assert found(agent, "Zhang 示例") == [zhang.pk]
    assert found(agent, "欧阳 acme") == []


@pytest.mark.parametrize(
    "query",
    [
        "+86 138-0013-8000",
        "+8613800138000",
        "13800138000",
        "138 0013 8000",
        "(138) 0013-8000",
        "0086 138 0013 8000",
        "8000",
        "0013 8000",
        "1380013",
    ],
)
def test_contact_is_found_by_phone_in_any_format(agent, zhang, ouyang, query):
    assert found(agent, query) == [zhang.pk]


@pytest.mark.parametrize(
    "query", ["zhang.wei@acme.cn", "ZHANG.WEI@ACME.CN", "zhang.wei@ac", "zhang.w", "Zhang.Wei"]
)
def test_contact_is_found_by_email_exact_or_prefix_in_any_case(agent, zhang, ouyang, query):
    assert found(agent, query) == [zhang.pk]


def test_organization_is_found_by_name_alias_and_domain(agent, acme, zhang):
    def orgs(query):
        return [o.pk for o in organization_search(user=agent, query=query)]

    assert orgs("示例") == [acme.pk]
    assert orgs("上海 科技") == [acme.pk]
    assert orgs("acme shang") == [acme.pk]
    assert orgs("acme.cn") == [acme.pk]


def test_an_edit_is_searchable_at_once(commit, agent, zhang):
    commit(contact_update, actor=agent, contact=zhang, name="张卫东")

    assert found(agent, "张卫东") == [zhang.pk]
    assert found(agent, "张伟") == []


def test_a_removed_identity_is_no_longer_found(commit, agent, zhang):
    phone = zhang.identities.get(kind="phone")

    commit(identity_remove, actor=agent, identity=phone)

    assert found(agent, "13800138000") == []
    assert found(agent, "zhang.wei@acme.cn") == [zhang.pk]


def test_a_deleted_contact_is_removed_from_results_and_index(commit, agent, zhang):
    commit(contact_delete, actor=agent, contact=zhang)

    assert found(agent, "张伟") == []
    assert not SearchDocument.objects.filter(kind=CONTACT, object_id=zhang.pk).exists()


def test_renaming_an_organization_reindexes_its_contacts(commit, agent, acme, zhang):
    commit(organization_update, actor=agent, organization=acme, name="北京新名称集团")

    assert found(agent, "张伟 新名称") == [zhang.pk]
    assert found(agent, "张伟 示例") == []


def test_a_rolled_back_change_indexes_nothing(agent, zhang, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        contact_update(actor=agent, contact=zhang, name="回滚名字")
        raise RuntimeError

    assert found(agent, "回滚") == []
    assert found(agent, "张伟") == [zhang.pk]


def test_one_service_call_writes_the_index_once(agent, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        contact_create(
            actor=agent,
            name="李娜",
            identities=[
                {"kind": "email", "value": "li.na@acme.cn"},
                {"kind": "phone", "value": "13700137000"},
            ],
            organizations=[{"organization_id": acme.pk}],
        )

    assert len(callbacks) == 1


def test_bulk_created_contacts_are_found_after_index_contacts(agent):
    contacts = Contact.objects.bulk_create([Contact(name=f"诸葛亮{i}") for i in range(3)])
    assert found(agent, "诸葛") == []

    written = index_contacts([c.pk for c in contacts])

    assert written == 3
    assert sorted(found(agent, "诸葛")) == sorted(c.pk for c in contacts)


def test_rebuild_command_indexes_existing_records(agent):
    contact = ContactFactory(name="司马懿")
    SearchDocument.objects.all().delete()
    out = io.StringIO()

    call_command("search_rebuild", "--no-progress", stdout=out)

    assert found(agent, "司马") == [contact.pk]
    assert SearchDocument.objects.filter(kind=ORGANIZATION).count() == 1
    assert "customers.contact: 1 indexed" in out.getvalue()


# --- the global search view -------------------------------------------------------------------


def test_search_page_shows_name_organization_identities_and_link(client, agent, zhang, acme):
    client.force_login(agent)

    response = client.get(reverse("core:search"), {"q": "张伟"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "张伟" in html
    assert acme.name in html
    assert "Zhang.Wei@Acme.cn" in html
    assert reverse("customers:contact_detail", args=[zhang.pk]) in html


def test_search_page_shows_an_organization_with_its_parent_and_link(client, agent, commit, acme):
    branch = commit(
        organization_create,
        actor=agent,
        name="示例科技杭州分公司",
        alt_name="Acme Hangzhou",
        parent_id=acme.pk,
    )
    client.force_login(agent)

    response = client.get(reverse("core:search"), {"q": "杭州"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "示例科技杭州分公司" in html and "Acme Hangzhou" in html
    assert acme.name in html  # the parent, beside the branch
    assert reverse("customers:organization_detail", args=[branch.pk]) in html


def test_search_dropdown_returns_the_short_list(client, agent, zhang):
    client.force_login(agent)

    response = client.get(reverse("core:search"), {"q": "138 0013", "dropdown": "1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "searchdrop-item" in html
    assert reverse("customers:contact_detail", args=[zhang.pk]) in html
    assert "<html" not in html


def test_search_finds_nothing_for_staff_without_customer_permissions(client, make_user, zhang):
    clerk = make_user(role=None)
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)

    response = client.get(reverse("core:search"), {"q": "张伟"})

    assert response.status_code == 200
    assert reverse("customers:contact_detail", args=[zhang.pk]) not in response.content.decode()
    assert contact_search(user=clerk, query="张伟") == []


def test_search_is_forbidden_to_portal_customers(client, make_user, zhang):
    portal = make_user(role=None)
    client.force_login(portal)
    before = SearchDocument.objects.count()

    response = client.get(reverse("core:search"), {"q": "张伟"})

    assert response.status_code == 403
    assert reverse("customers:contact_detail", args=[zhang.pk]) not in response.content.decode()
    assert contact_search(user=portal, query="张伟") == []
    assert SearchDocument.objects.count() == before


def test_search_sends_anonymous_visitors_to_log_in(client, zhang):
    response = client.get(reverse("core:search"), {"q": "张伟"})

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_search_backend_ignores_the_organization_scope_of_other_kinds(zhang, acme):
    hits = get_backend().search(
        [CONTACT, ORGANIZATION], "示例", filters={"organization_id": acme.pk}
    )

    assert {(h.kind, h.object_id) for h in hits} == {(CONTACT, zhang.pk), (ORGANIZATION, acme.pk)}


def test_bulk_index_indexes_only_rows_added_since_the_last_indexing(agent, zhang):
    from kefu.customers.search import bulk_index

    added = Contact.objects.bulk_create([Contact(name=f"上官婉儿{i}") for i in range(2)])

    written = bulk_index()

    assert written == 2
    assert sorted(found(agent, "上官")) == sorted(c.pk for c in added)
    assert found(agent, "张伟") == [zhang.pk]
