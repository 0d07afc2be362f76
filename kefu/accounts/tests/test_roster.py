"""The staff roster snapshot follows every change that shows in an assignee picker, and
ignores what does not (sign-ins, portal customers)."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from kefu.accounts.roster import staff_choices
from kefu.core.configstamp import current_token


def _names() -> dict[int, str]:
    return dict(staff_choices())


def test_roster_lists_active_staff_by_name(make_user):
    zhang = make_user("agent", username="zhang", first_name="伟", last_name="张")
    alice = make_user("agent", username="alice", first_name="Alice", last_name="Wong")
    make_user(None, username="portal-customer")
    names = _names()
    assert names[zhang.pk] == "张伟"
    assert names[alice.pk] == "Alice Wong"
    assert all(
        get_user_model().objects.get(pk=pk).is_staff for pk in names
    )  # the portal customer is not listed


def test_rename_new_staff_and_deactivation_show_at_once(make_user):
    agent = make_user("agent", username="li", first_name="Li", last_name="")
    assert _names()[agent.pk] == "Li"

    agent.first_name = "Lei"
    agent.save()
    assert _names()[agent.pk] == "Lei"

    newcomer = make_user("agent", username="newcomer")
    assert newcomer.pk in _names()

    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert agent.pk not in _names()

    newcomer.delete()
    assert newcomer.pk not in _names()


def test_demoted_staff_leaves_the_roster(make_user):
    agent = make_user("agent", username="demoted")
    assert agent.pk in _names()
    fresh = get_user_model().objects.get(pk=agent.pk)
    fresh.is_staff = False
    fresh.save()
    assert agent.pk not in _names()


def test_sign_ins_and_portal_customers_leave_the_token_alone(make_user):
    agent = make_user("agent", username="signs-in")
    staff_choices()
    token = current_token()

    agent.last_login = timezone.now()
    agent.save(update_fields=["last_login"])  # what every sign-in writes
    customer = make_user(None, username="new-portal-customer")
    customer.first_name = "王"
    customer.save()

    assert current_token() == token


def test_staff_by_email_any_case_follows_changes(make_user):
    from kefu.accounts.roster import staff_id_by_email

    agent = make_user("agent", username="mailer", email="Agent.Li@Example.cn")
    make_user(None, username="customer-mailer", email="customer@example.cn")
    assert staff_id_by_email("agent.li@example.cn") == agent.pk
    assert staff_id_by_email(" AGENT.LI@EXAMPLE.CN ") == agent.pk
    assert staff_id_by_email("customer@example.cn") is None  # not staff
    assert staff_id_by_email("") is None

    agent.email = "li@example.cn"
    agent.save(update_fields=["email"])
    assert staff_id_by_email("agent.li@example.cn") is None
    assert staff_id_by_email("li@example.cn") == agent.pk

    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert staff_id_by_email("li@example.cn") is None
