import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kefu.customers.models import Contact, ImportJob, Organization, Site
from kefu.customers.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("customers:importexport:import")


@pytest.fixture(autouse=True)
def _run_jobs_on_commit(django_capture_on_commit_callbacks, monkeypatch):
    """Jobs are queued on commit and tests run inside a transaction: run them at once."""
    monkeypatch.setitem(CAPTURE, "capture", django_capture_on_commit_callbacks)


CAPTURE: dict = {}


def _upload(client, data: bytes, kind="contacts", encoding="auto", name="contacts.csv"):
    with CAPTURE["capture"](execute=True):
        return client.post(
            IMPORT_URL,
            {
                "kind": kind,
                "encoding": encoding,
                "file": SimpleUploadedFile(name, data, "text/csv"),
            },
        )


def _confirm(client, job):
    with CAPTURE["capture"](execute=True):
        return client.post(reverse("customers:importexport:job_confirm", args=[job.pk]))


GOOD = (
    "external_id,name,organization_external_id,email\nC-1,王小明,ORG-1,wang@example.cn\n".encode()
)


def test_upload_checks_the_file_and_writes_nothing_until_confirmed(client, supervisor):
    OrganizationFactory(external_id="ORG-1")
    client.force_login(supervisor)
    response = _upload(client, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:importexport:job", args=[job.pk])
    assert (job.status, job.total_rows, job.created_count, job.created_by) == (
        "checked",
        1,
        1,
        supervisor,
    )
    assert Contact.objects.count() == 0
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"confirm-import" in page.content

    response = _confirm(client, job)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done"
    assert job.created_count == 1
    assert Contact.objects.get().name == "王小明"

    # A second confirmation does not import again.
    _confirm(client, job)
    assert Contact.objects.count() == 1


def test_bad_file_shows_every_problem_with_line_and_column(client, admin_user):
    client.force_login(admin_user)
    data = "name,organization_external_id,email\n,ORG-404,bad\n李雷,,li@example.cn\n".encode(
        "gb18030"
    )
    _upload(client, data, encoding="gb18030")
    job = ImportJob.objects.get()
    assert job.status == "invalid"
    assert job.encoding == "gb18030"
    assert {(e["line"], e["column"]) for e in job.errors} == {
        (2, "name"),
        (2, "organization_external_id"),
        (2, "email"),
    }
    page = client.get(reverse("customers:importexport:job", args=[job.pk]))
    assert "organization_external_id" in page.content.decode()
    assert b"confirm-import" not in page.content
    response = _confirm(client, job)
    assert response.status_code == 302
    assert Contact.objects.count() == 0


def test_organization_and_site_files_import_through_the_page(client, admin_user):
    client.force_login(admin_user)
    orgs = "external_id,name,tier,is_vendor\nORG-1,星河银行,,否\nORG-2,Northwind,,yes\n".encode()
    _upload(client, orgs, kind="organizations", name="orgs.csv")
    job = ImportJob.objects.get()
    _confirm(client, job)
    assert set(Organization.objects.values_list("external_id", "is_vendor")) == {
        ("ORG-1", False),
        ("ORG-2", True),
    }
    sites = "external_id,organization_external_id,name,city\nS-1,ORG-1,浦东支行,上海\n".encode()
    _upload(client, sites, kind="sites", name="sites.csv")
    job = ImportJob.objects.latest("pk")
    assert job.status == "checked", job.errors
    _confirm(client, job)
    assert Site.objects.get().organization.external_id == "ORG-1"


def test_status_partial_polls_while_running_and_refreshes_when_done(client, admin_user):
    job = ImportJob.objects.create(
        kind="contacts", status="running", total_rows=10, created_by=admin_user
    )
    client.force_login(admin_user)
    url = reverse("customers:importexport:job_status", args=[job.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    assert b'hx-trigger="every 1s"' in response.content
    job.status = "done"
    job.save()
    response = client.get(url, headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"
    assert b"hx-trigger" not in response.content


def test_template_download_lists_the_columns(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("customers:importexport:template", args=["contacts"]))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbfexternal_id,name")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("supervisor", True), ("agent", False), ("marketer", False), (None, False)],
)
def test_import_page_permission_matrix(client, make_user, role, allowed):
    OrganizationFactory(external_id="ORG-1")
    client.force_login(make_user(role))
    page = client.get(IMPORT_URL)
    response = _upload(client, GOOD)
    if allowed:
        assert page.status_code == 200
        assert response.status_code == 302
        assert ImportJob.objects.count() == 1
    else:
        assert page.status_code == 403
        assert response.status_code == 403
        assert ImportJob.objects.count() == 0


def test_import_page_redirects_anonymous_to_login(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_job_of_someone_else_needs_the_view_import_permission(client, make_user, admin_user):
    job = ImportJob.objects.create(kind="contacts", status="checked", created_by=admin_user)
    limited = make_user("agent")
    from django.contrib.auth.models import Permission

    limited.user_permissions.add(Permission.objects.get(codename="add_importjob"))
    client.force_login(limited)
    assert client.get(reverse("customers:importexport:job", args=[job.pk])).status_code == 404
    response = _confirm(client, job)
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == "checked"


def test_settings_hub_links_to_the_import_page_for_those_who_may_import(client, admin_user, agent):
    client.force_login(admin_user)
    assert IMPORT_URL in client.get(reverse("core:settings")).content.decode()
    client.force_login(agent)
    assert IMPORT_URL not in client.get(reverse("core:settings")).content.decode()
