import pytest


@pytest.fixture
def desk(db):
    from kefu.service.defaults import install_defaults_live

    install_defaults_live()


@pytest.fixture
def make_ticket(desk, admin_user):
    """``make_ticket(**fields)`` -> ticket id, created through the service desk's facade."""
    from kefu.service import facade

    def make(**fields):
        fields.setdefault("subject", "打印机无法连接 Printer offline")
        fields.setdefault("description", "门店的打印机从早上开始无法打印。")
        actor = fields.pop("actor", admin_user)
        return facade.ticket_open(actor=actor, **fields)

    return make


@pytest.fixture
def make_article(agent, supervisor):
    """``make_article(title, body, publish=True, **fields)`` -> an article (published by
    the supervisor unless ``publish=False``)."""
    from kefu.knowledge import services

    def make(title="打印机离线怎么办", body="重启打印机并检查网络。", *, publish=True, **fields):
        article = services.article_create(actor=agent, title=title, body=body, **fields)
        if publish:
            services.article_submit(actor=agent, article=article)
            article = services.article_approve(actor=supervisor, article=article)
        return article

    return make
