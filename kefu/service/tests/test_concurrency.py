import threading

import pytest
from django.db import connections

from kefu.service.errors import StaleTicket
from kefu.service.models import Ticket
from kefu.service.services import ticket_update


def test_stale_update_is_refused_and_changes_nothing(make_ticket, admin_user):
    ticket = make_ticket(subject="original")
    read_version = ticket.version
    ticket_update(actor=admin_user, ticket=ticket, version=read_version, subject="first")

    with pytest.raises(StaleTicket) as caught:
        ticket_update(actor=admin_user, ticket=ticket, version=read_version, subject="second")

    assert "reload" in str(caught.value.detail)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.subject == "first"
    assert stored.version == read_version + 1


def test_twenty_sequential_read_modify_writes_lose_none(make_ticket, admin_user):
    ticket = make_ticket(subject="s")
    stale = [Ticket.objects.get(pk=ticket.pk) for _ in range(20)]
    for index, copy in enumerate(stale):
        while True:
            try:
                ticket_update(
                    actor=admin_user,
                    ticket=copy,
                    version=copy.version,
                    subject=f"{copy.subject} {index}",
                )
                break
            except StaleTicket:
                copy = Ticket.objects.get(pk=ticket.pk)
    subject = Ticket.objects.get(pk=ticket.pk).subject
    assert sorted(int(part) for part in subject.split()[1:]) == list(range(20))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_updates_lose_none_on_postgresql(desk, admin_user):
    from kefu.service.services import ticket_create

    ticket = ticket_create(actor=admin_user, subject="s")
    barrier = threading.Barrier(20)
    errors = []
    conflicts = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            while True:
                current = Ticket.objects.get(pk=ticket.pk)
                try:
                    ticket_update(
                        actor=admin_user,
                        ticket=current,
                        version=current.version,
                        subject=f"{current.subject} {index}",
                    )
                    return
                except StaleTicket:
                    conflicts.append(index)
        except Exception as exc:  # reported below; a thread must not die silently
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    stored = Ticket.objects.get(pk=ticket.pk)
    assert sorted(int(part) for part in stored.subject.split()[1:]) == list(range(20))
    assert stored.version == ticket.version + 20
