"""Demo articles for ``kefu seed --demo`` (see ``kefu.core.demo``): published, public, in both
languages, through the knowledge services (so they are versioned and searchable)."""

DEMO_ARTICLES = [
    (
        "收银机打印小票时提示“纸张未就绪”怎么办？",
        "1. 打开打印机盖，确认纸卷方向正确（热敏面朝外）。\n"
        "2. 关闭机盖后长按 **FEED** 键 3 秒。\n"
        "3. 仍然报错时，重启收银机并联系客服。",
        "zh-hans",
    ),
    (
        "The receipt printer says “paper not ready”",
        "1. Open the cover and check the roll direction (thermal side out).\n"
        "2. Close the cover and hold **FEED** for 3 seconds.\n"
        "3. If the error stays, restart the till and contact support.",
        "en",
    ),
    (
        "会员积分多久同步到小程序？",
        "门店消费产生的积分一般在 **5 分钟内** 同步。若超过 1 小时仍未显示，请提交工单并附上小票号。",
        "zh-hans",
    ),
]


def load_demo(*, users: dict, stdout=None) -> None:
    from kefu.knowledge.services import article_approve, article_create, article_submit

    admin = users["admin"]
    previous = None
    for title, body, language in DEMO_ARTICLES:
        # The English printer article is the translation of the Chinese one before it.
        translation_of = previous if language == "en" else None
        article = article_create(
            actor=admin,
            title=title,
            body=body,
            language=language,
            visibility="public",
            translation_of=translation_of,
        )
        article = article_submit(actor=admin, article=article)
        article_approve(actor=admin, article=article)
        previous = article
    if stdout is not None:
        stdout.write(f"demo: {len(DEMO_ARTICLES)} knowledge articles")
