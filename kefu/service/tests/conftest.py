import pytest


@pytest.fixture
def desk(db):
    """The default lifecycle, general queue and priority matrix (re-created after a flush)."""
    from kefu.service.defaults import install_defaults_live
    from kefu.service.models import Queue

    install_defaults_live()
    return Queue.objects.get(is_default=True)


@pytest.fixture
def make_agent(make_user, desk):
    """``make_agent(queue, availability="online", capacity=20, role="agent")`` -> user in queue."""
    from kefu.service.tests.factories import AgentProfileFactory, MembershipFactory

    def make(queue=None, *, availability="online", capacity=20, role="agent", **fields):
        user = make_user(role, **fields)
        MembershipFactory(queue=queue or desk, user=user)
        AgentProfileFactory(user=user, availability=availability, capacity=capacity)
        return user

    return make


@pytest.fixture
def make_ticket(desk, admin_user):
    """``make_ticket(**fields)`` -> a ticket created through ``ticket_create``."""
    from kefu.service.services import ticket_create

    def make(**fields):
        fields.setdefault("subject", "打印机无法连接 Printer offline")
        fields.setdefault("description", "门店的打印机从早上开始无法打印。")
        actor = fields.pop("actor", admin_user)
        return ticket_create(actor=actor, **fields)

    return make
