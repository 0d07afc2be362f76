import io

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kefu.core.errors import ServiceError
from kefu.core.models import CustomFieldDefinition
from kefu.customers import services
from kefu.customers.importexport.importer import import_file
from kefu.customers.models import Contact, ContactIdentity, ContactMembership
from kefu.customers.tests.factories import ContactFactory, IdentityFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,name,title,organization_external_id,email,phone,wechat\n"


def _csv(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "\n".join(lines) + "\n").encode(encoding)


@pytest.fixture
def org():
    return OrganizationFactory(external_id="ORG-1", name="上海华东电子有限公司")


def test_dry_run_reports_bad_rows_with_line_and_column_and_writes_nothing(org, admin_user):
    data = _csv(
        "C-1,王小明,经理,ORG-1,wang@example.cn,13800138000,wxwang",
        "C-2,,工程师,ORG-1,not-an-email,12,",
        "C-3,Li Lei,,ORG-404,li@example.cn,,",
    )
    result, encoding = import_file("contacts", data, actor=admin_user, dry_run=True)
    assert encoding == "utf-8"
    assert result.total == 3
    found = {(e["line"], e["column"]) for e in result.errors}
    assert found == {(3, "name"), (3, "email"), (3, "phone"), (4, "organization_external_id")}
    assert Contact.objects.count() == 0
    assert ContactIdentity.objects.count() == 0


def test_dry_run_of_a_good_file_writes_nothing(org):
    result, _ = import_file("contacts", _csv("C-1,王小明,经理,ORG-1,wang@example.cn,,"))
    assert result.is_ok
    assert (result.created, result.updated) == (1, 0)
    assert Contact.objects.count() == 0


def test_import_creates_contacts_with_identities_membership_and_audit(org, admin_user):
    data = _csv(
        "C-1,王小明,经理,ORG-1,Wang@Example.cn|wang2@example.cn,138 0013 8000,wxwang",
        "C-2,Li Lei,Engineer,,li@example.cn,,",
    )
    result, _ = import_file("contacts", data, actor=admin_user, dry_run=False)
    assert result.is_ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    wang = Contact.objects.get(external_id="C-1")
    assert wang.name == "王小明"
    assert wang.primary_organization_id == org.pk
    assert ContactMembership.objects.filter(
        contact=wang, organization=org, is_primary=True
    ).exists()
    identities = {(i.kind, i.normalized, i.is_primary) for i in wang.identities.all()}
    assert identities == {
        ("email", "wang@example.cn", True),
        ("email", "wang2@example.cn", False),
        ("phone", "+8613800138000", True),
        ("wechat", "wxwang", True),
    }
    entry = LogEntry.objects.get_for_object(wang).get()
    assert entry.actor == admin_user
    assert entry.additional_data["source"] == "import"
    assert entry.changes["name"] == ["None", "王小明"]


def test_real_import_is_all_or_nothing(org):
    data = _csv("C-1,王小明,,ORG-1,wang@example.cn,,", "C-2,李雷,,ORG-1,bad-email,,")
    result, _ = import_file("contacts", data, dry_run=False)
    assert not result.is_ok
    assert result.created == 0
    assert Contact.objects.count() == 0


def test_reimport_by_external_id_updates_instead_of_duplicating(org):
    import_file("contacts", _csv("C-1,王小明,经理,ORG-1,wang@example.cn,,"), dry_run=False)
    other = OrganizationFactory(external_id="ORG-2")
    result, _ = import_file(
        "contacts", _csv("C-1,王晓明,总监,ORG-2,wang@example.cn,13900139000,"), dry_run=False
    )
    assert result.is_ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    contact = Contact.objects.get()
    assert (contact.name, contact.title, contact.primary_organization_id) == (
        "王晓明",
        "总监",
        other.pk,
    )
    assert contact.identities.count() == 2
    assert (
        ContactMembership.objects.get(contact=contact, is_primary=True).organization_id == other.pk
    )
    assert ContactMembership.objects.filter(contact=contact).count() == 2


def test_identity_owned_by_another_contact_is_reported(org):
    owner = ContactFactory(name="赵敏")
    IdentityFactory(contact=owner, kind="email", value="zhao@example.cn")
    result, _ = import_file("contacts", _csv("C-1,王小明,,ORG-1,ZHAO@example.cn,,"), dry_run=False)
    assert result.errors == [
        {"line": 2, "column": "email", "message": "ZHAO@example.cn already belongs to 赵敏."}
    ]
    assert not Contact.objects.filter(external_id="C-1").exists()


def test_identity_twice_in_one_file_is_reported_on_the_second_line(org):
    data = _csv("C-1,王小明,,,a@example.cn,,", "C-2,李雷,,,A@example.cn,,")
    result, _ = import_file("contacts", data)
    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "email")]


def test_gb18030_file_is_detected_and_chinese_kept(org):
    data = _csv("C-1,欧阳娜娜,经理,ORG-1,ouyang@example.cn,,", encoding="gb18030")
    result, encoding = import_file("contacts", data, dry_run=False)
    assert encoding == "gb18030"
    assert result.is_ok, result.errors
    assert Contact.objects.get().name == "欧阳娜娜"


def test_utf8_bom_file_is_read(org):
    data = b"\xef\xbb\xbf" + _csv("C-1,王小明,,ORG-1,,,")
    result, encoding = import_file("contacts", data, dry_run=False)
    assert encoding == "utf-8"
    assert result.is_ok, result.errors
    assert Contact.objects.get().external_id == "C-1"


def test_unknown_column_is_reported_on_the_header_line():
    result, _ = import_file("contacts", b"name,shoe_size\n\xe7\x8e\x8b,42\n")
    assert result.errors == [{"line": 1, "column": "shoe_size", "message": "Unknown column."}]


def test_custom_field_columns_are_validated_like_the_service(org):
    CustomFieldDefinition.objects.create(
        target="customers.contact", key="vip_level", label="VIP level", field_type="number"
    )
    header = "external_id,name,cf_vip_level\n"
    result, _ = import_file(
        "contacts", _csv("C-1,王小明,abc", "C-2,李雷,3", header=header), dry_run=False
    )
    assert result.errors == [{"line": 2, "column": "cf_vip_level", "message": "Enter a number."}]
    result, _ = import_file("contacts", _csv("C-2,李雷,3", header=header), dry_run=False)
    assert result.is_ok
    assert Contact.objects.get().custom_fields == {"vip_level": 3}


@pytest.mark.parametrize(
    ("row", "service_kwargs"),
    [
        ("C-9,,,,,,", {"name": ""}),
        ("C-9,王,,,x@,,", {"name": "王", "identities": [{"kind": "email", "value": "x@"}]}),
        ("C-9,王,,,,12,", {"name": "王", "identities": [{"kind": "phone", "value": "12"}]}),
        (
            "C-9,王,,,taken@example.cn,,",
            {"name": "王", "identities": [{"kind": "email", "value": "taken@example.cn"}]},
        ),
        ("C-9," + "王" * 201 + ",,,,,", {"name": "王" * 201}),
    ],
)
def test_a_row_the_service_refuses_is_refused_by_the_importer(row, service_kwargs):
    IdentityFactory(kind="email", value="taken@example.cn")
    with pytest.raises((ValidationError, ServiceError)):
        services.contact_create(actor=None, **service_kwargs)
    result, _ = import_file("contacts", _csv(row), dry_run=False)
    assert not result.is_ok
    assert not Contact.objects.filter(external_id="C-9").exists()


def test_import_csv_command_dry_run_then_import(org, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(_csv("C-1,王小明,,ORG-1,wang@example.cn,,"))
    out = io.StringIO()
    call_command("import_csv", "contacts", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "dry run" in out.getvalue()
    assert Contact.objects.count() == 0
    call_command("import_csv", "contacts", str(path), stdout=out, stderr=io.StringIO())
    assert Contact.objects.count() == 1


def test_import_csv_command_fails_on_bad_rows_and_writes_nothing(org, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(_csv("C-1,王小明,,ORG-404,,,"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_csv", "contacts", str(path), stdout=out, stderr=io.StringIO())
    assert "line 2 [organization_external_id]" in out.getvalue()
    assert Contact.objects.count() == 0
