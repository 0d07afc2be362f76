"""The customer master end to end in a real browser (issue #2, section 6): create an organization,
add a site, add a contact with two identities, see the organization's 360° page and its timeline,
add a note, then read the same page in Chinese. A screenshot of the Chinese page goes to
test-results/ so a person can check the CJK rendering."""

import pytest

from kefu.customers.models import Contact, Organization, Site, TimelineEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORG_NAME = "华东精密仪器有限公司"
ORG_ALT_NAME = "East China Precision Instruments"
SITE_NAME = "上海浦东工厂"
CONTACT_NAME = "王晓明"
EMAIL = "Wang.Xiaoming@ECPI.example.com"
PHONE = "138 0013 8000"
NOTE = "首次拜访：客户希望下季度升级设备。 First visit: upgrade next quarter."


def _submit(page):
    with page.expect_navigation():
        page.click("#submit")


def test_admin_builds_an_organization_360_page_and_reads_it_in_chinese(
    page, log_in, admin_user, results_dir
):
    log_in(admin_user)

    # An organization, from the list page's navigation.
    page.click("nav.mainnav >> text=Organizations")
    page.goto("/customers/organizations/new/")
    page.fill("#id_name", ORG_NAME)
    page.fill("#id_alt_name", ORG_ALT_NAME)
    _submit(page)
    organization = Organization.objects.get(name=ORG_NAME)
    assert page.url.endswith(organization.get_absolute_url())
    assert ORG_NAME in page.locator("#org-name").inner_text()

    # A site, from the 360° page.
    with page.expect_navigation():
        page.click("#add-site")
    page.fill("#id_name", SITE_NAME)
    page.fill("#id_city", "上海")
    _submit(page)
    assert Site.objects.get(organization=organization).name == SITE_NAME
    assert SITE_NAME in page.locator("#panel-sites").inner_text()

    # A contact with two identities (email and phone rows are offered), linked to the organization.
    with page.expect_navigation():
        page.click("#add-contact")
    page.fill("#id_name", CONTACT_NAME)
    page.fill("#id_identities-0-value", EMAIL)
    page.fill("#id_identities-1-value", PHONE)
    _submit(page)
    contact = Contact.objects.get(name=CONTACT_NAME)
    identities = {identity.kind: identity.normalized for identity in contact.identities.all()}
    assert identities == {"email": EMAIL.lower(), "phone": "+8613800138000"}
    assert list(contact.memberships.values_list("organization_id", flat=True)) == [organization.pk]

    # The 360° page shows the site, the contact and the timeline; a note lands on the timeline.
    page.goto(organization.get_absolute_url())
    assert SITE_NAME in page.locator("#panel-sites").inner_text()
    assert CONTACT_NAME in page.locator("#panel-contacts").inner_text()
    page.fill("#note-form textarea[name=text]", NOTE)
    page.click("#note-submit")
    page.wait_for_selector(f"#timeline-events li:has-text('{NOTE[:8]}')")
    note = TimelineEvent.objects.get(organization=organization, kind="note")
    assert NOTE in note.body or NOTE in note.title
    assert note.actor_id == admin_user.pk

    # The same page in Chinese.
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.url.endswith(organization.get_absolute_url())
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    nav = page.locator("nav.mainnav").inner_text()
    assert "组织" in nav
    assert "联系人" in nav
    assert page.locator("#add-site").inner_text() != "Add site"
    assert page.locator("#note-submit").inner_text() != "Add note"
    assert NOTE[:8] in page.locator("#timeline-events").inner_text()
    page.screenshot(path=str(results_dir / "organization-360-zh-hans.png"), full_page=True)
    assert page.failed_requests == []
    assert page.console_errors == []
