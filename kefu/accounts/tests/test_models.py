from kefu.accounts.models import User


def test_display_name_puts_the_family_name_first_for_chinese_names():
    assert User(username="li", first_name="磊", last_name="李").display_name == "李磊"


def test_display_name_is_given_then_family_name_otherwise():
    assert User(username="ann", first_name="Ann", last_name="Lee").display_name == "Ann Lee"


def test_display_name_falls_back_to_the_username():
    assert User(username="ops").display_name == "ops"
