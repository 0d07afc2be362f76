from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture
def world(db, make_user, admin_user, agent):
    """Two organizations: A (a customer, an administrator) and B (a customer), each with a
    request; A's customer's request has a public reply with a file and an internal note with
    a file; one public and one internal article are published."""
    from kefu.core.search import index_objects
    from kefu.customers.models import ContactMembership
    from kefu.customers.tests.factories import ContactFactory, OrganizationFactory
    from kefu.knowledge import services as kb
    from kefu.service import facade
    from kefu.service.defaults import install_defaults_live
    from kefu.service.models import Ticket, TicketAttachment
    from kefu.service.services import ticket_note_add

    install_defaults_live()
    org_a, org_b = OrganizationFactory(), OrganizationFactory()
    users = {}
    contacts = {}
    for key, org in (("a", org_a), ("a_admin", org_a), ("b", org_b)):
        user = make_user(None, username=f"portal-{key}", email=f"{key}@customer.example")
        contacts[key] = ContactFactory(primary_organization=org, user=user)
        users[key] = user
    ContactMembership.objects.filter(contact=contacts["a_admin"]).update(is_admin=True)
    tickets = {
        key: facade.ticket_open(
            actor=admin_user,
            subject=f"Request of {key}",
            description=f"描述 {key}",
            requester_id=contacts[key].pk,
        )
        for key in ("a", "b")
    }
    facade.ticket_agent_reply(
        actor=admin_user,
        ticket_id=tickets["a"],
        body="Public answer",
        attachments=[SimpleUploadedFile("answer.txt", b"public file", "text/plain")],
    )
    ticket_note_add(
        actor=admin_user,
        ticket=Ticket.objects.get(pk=tickets["a"]),
        body="SECRET internal note",
        attachments=[SimpleUploadedFile("secret.txt", b"secret file", "text/plain")],
    )
    public_file = TicketAttachment.objects.get(filename="answer.txt")
    secret_file = TicketAttachment.objects.get(filename="secret.txt")

    def publish(title, visibility):
        article = kb.article_create(actor=agent, title=title, body="正文", visibility=visibility)
        kb.article_submit(actor=agent, article=article)
        return kb.article_approve(actor=admin_user, article=article)

    public_article = publish("公开文章 Public article", "public")
    internal_article = publish("内部文章 Internal article", "internal")
    # Tests run in one transaction: index now what would be indexed on commit.
    index_objects("knowledge.article", [public_article.pk, internal_article.pk])
    return SimpleNamespace(
        users=users,
        contacts=contacts,
        tickets=tickets,
        public_file=public_file,
        secret_file=secret_file,
        public_article=public_article,
        internal_article=internal_article,
    )
