"""Built-in wording of Kefu's mails in both languages, and the sandboxed renderer.

Administrators override any of these with a ``MailTemplate`` row. Rendering is
``string.Template.safe_substitute`` over plain strings: a template can only name the values it
is given (``$ticket_number``...), never reach an object, a setting or code.
"""

from string import Template

# Values every template may use; the template pages list them.
PLACEHOLDERS = ("ticket_number", "ticket_subject", "contact_name", "agent_name", "body")

DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("acknowledgement", "en"): (
        "[$ticket_number] We received your request: $ticket_subject",
        "Dear $contact_name,\n\n"
        "Thank you for contacting us. Your request is recorded as $ticket_number and we will "
        "answer you soon. To add information, reply to this mail and keep the reference in the "
        "subject.\n\nThis message was sent automatically.",
    ),
    ("acknowledgement", "zh-hans"): (
        "[$ticket_number] 我们已收到您的请求：$ticket_subject",
        "$contact_name 您好：\n\n"
        "感谢您联系我们。您的请求已登记，编号为 $ticket_number，我们会尽快答复。"
        "如需补充信息，请直接回复本邮件，并保留主题中的编号。\n\n此邮件由系统自动发送。",
    ),
    ("reply", "en"): (
        "[$ticket_number] Re: $ticket_subject",
        "$body\n\n-- \n$agent_name\nReference: $ticket_number",
    ),
    ("reply", "zh-hans"): (
        "[$ticket_number] 回复：$ticket_subject",
        "$body\n\n-- \n$agent_name\n工单编号：$ticket_number",
    ),
    ("notification", "en"): (
        "[$ticket_number] Update on your request: $ticket_subject",
        "Dear $contact_name,\n\n$body\n\nThis message was sent automatically.",
    ),
    ("notification", "zh-hans"): (
        "[$ticket_number] 您的请求有更新：$ticket_subject",
        "$contact_name 您好：\n\n$body\n\n此邮件由系统自动发送。",
    ),
    ("resolved", "en"): (
        "[$ticket_number] Your request was resolved: $ticket_subject",
        "Dear $contact_name,\n\n"
        "Your request $ticket_number has been resolved. If the problem is not solved, reply to "
        "this mail (keep the reference in the subject) and we will reopen it.\n\n"
        "This message was sent automatically.",
    ),
    ("resolved", "zh-hans"): (
        "[$ticket_number] 您的请求已解决：$ticket_subject",
        "$contact_name 您好：\n\n"
        "您的请求 $ticket_number 已处理完毕。如果问题仍未解决，请直接回复本邮件（保留主题中的编号），"
        "我们会重新处理。\n\n此邮件由系统自动发送。",
    ),
    # The survey's $body is the desk's invitation with the rating link.
    ("survey", "en"): (
        "[$ticket_number] How did we do? $ticket_subject",
        "Dear $contact_name,\n\n$body\n\nThank you for helping us improve.\n\n"
        "This message was sent automatically.",
    ),
    ("survey", "zh-hans"): (
        "[$ticket_number] 我们做得怎么样？$ticket_subject",
        "$contact_name 您好：\n\n$body\n\n感谢您帮助我们改进服务。\n\n此邮件由系统自动发送。",
    ),
    # Text messages: the subject is unused. Chinese SMS begin with the sender's 【signature】.
    ("sms", "en"): ("", "Kefu: $ticket_number $body"),
    ("sms", "zh-hans"): ("", "【客服中心】$ticket_number $body"),
}


def render_text(template: str, values: dict[str, str]) -> str:
    """Fill ``$name`` placeholders from ``values`` only; unknown ones stay as written."""
    return Template(template).safe_substitute({k: str(v) for k, v in values.items()})


def default_for(key: str, language: str) -> tuple[str, str]:
    return DEFAULTS.get((key, language)) or DEFAULTS[(key, "en")]
