import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from kefu.customers.importexport.exporter import escape_cell, export_csv_bytes
from kefu.customers.importexport.importer import import_file
from kefu.customers.models import Contact, Organization
from kefu.customers.tests.factories import (
    AssetFactory,
    ContactFactory,
    IdentityFactory,
    OrganizationFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def _url(kind, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("customers:importexport:export", args=[kind]) + (f"?{query}" if query else "")


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138 0013 8000", "'+86 138 0013 8000"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("上海", "上海"),
        ("a=b", "a=b"),
        (None, ""),
        (True, "true"),
    ],
)
def test_escape_cell_quotes_text_that_starts_like_a_formula(value, expected):
    assert escape_cell(value) == expected


def test_contact_csv_export_escapes_formulas_and_keeps_chinese(client, agent):
    org = OrganizationFactory(external_id="ORG-1", name='=HYPERLINK("http://evil")')
    contact = ContactFactory(name="王小明", external_id="C-1", primary_organization=org)
    IdentityFactory(contact=contact, kind="email", value="wang@example.cn")
    IdentityFactory(
        contact=contact, kind="phone", value="+86 138 0013 8000", normalized="+8613800138000"
    )
    client.force_login(agent)
    response = client.get(_url("contacts"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert record["name"] == "王小明"
    assert record["email"] == "wang@example.cn"
    assert record["phone"] == "'+86 138 0013 8000"
    assert record["organization_external_id"] == "ORG-1"
    response = client.get(_url("organizations"))
    org_row = dict(zip(*_csv_rows(response)[:2], strict=True))
    assert org_row["name"] == '\'=HYPERLINK("http://evil")'


def test_export_honours_the_list_filters(client, agent):
    ContactFactory(name="王小明")
    ContactFactory(name="李雷")
    client.force_login(agent)
    rows = _csv_rows(client.get(_url("contacts", q="王")))
    assert [row[1] for row in rows[1:]] == ["王小明"]


def test_xlsx_export_opens_with_openpyxl_and_keeps_chinese(client, agent):
    site = SiteFactory(name="=cmd|' /C calc'!A0", external_id="S-1")
    site.organization.external_id = "ORG-9"
    site.organization.save()
    SiteFactory(organization=site.organization, name="浦东门店")
    client.force_login(agent)
    response = client.get(_url("sites", format="xlsx"))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    names = {row[2] for row in values[1:]}
    assert names == {"'=cmd|' /C calc'!A0", "浦东门店"}
    assert all(
        cell.data_type == "s" for row in workbook.active.iter_rows() for cell in row if cell.value
    )


def test_exported_contacts_import_back_as_updates(agent):
    org = OrganizationFactory(external_id="ORG-1")
    contact = ContactFactory(name="王小明", external_id="C-1", primary_organization=org)
    IdentityFactory(
        contact=contact, kind="phone", value="+86 138 0013 8000", normalized="+8613800138000"
    )
    data = export_csv_bytes("contacts", Contact.objects.all())
    result, _ = import_file("contacts", data, dry_run=False)
    assert result.is_ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("kind", ["organizations", "sites", "contacts", "assets"])
def test_export_is_denied_without_the_view_permission(client, make_user, kind):
    AssetFactory()
    portal = make_user(None)
    nobody = make_user("agent")
    nobody.groups.clear()
    client.force_login(portal)
    assert client.get(_url(kind)).status_code == 403
    client.force_login(nobody)
    assert client.get(_url(kind)).status_code == 403


def test_export_redirects_anonymous_to_login(client):
    response = client.get(_url("contacts"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_export_of_unknown_kind_is_404(client, agent):
    client.force_login(agent)
    assert client.get(_url("tickets")).status_code == 404


def test_export_csv_command_writes_a_file(tmp_path):
    from django.core.management import call_command

    OrganizationFactory(name="星河银行")
    path = tmp_path / "orgs.xlsx"
    call_command(
        "export_csv", "organizations", "--format", "xlsx", "-o", str(path), stdout=io.StringIO()
    )
    workbook = openpyxl.load_workbook(path)
    assert workbook.active.cell(row=2, column=2).value == "星河银行"
    assert Organization.objects.count() == 1


def test_list_pages_link_to_export_with_the_current_filters(client, agent, admin_user):
    client.force_login(agent)
    page = client.get(reverse("customers:contact_list") + "?q=%E7%8E%8B").content.decode()
    assert 'id="export-csv"' in page
    assert reverse("customers:importexport:export", args=["contacts"]) + "?q=%E7%8E%8B" in page
    assert 'id="import-link"' not in page
    client.force_login(admin_user)
    page = client.get(reverse("customers:organization_list")).content.decode()
    assert 'id="import-link"' in page
