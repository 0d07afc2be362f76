"""Write the mail corpus: ``<name>.eml`` files and ``expected.json`` with the parse each must give.

Run ``.venv/bin/python kefu/channels/tests/corpus/generate.py`` after changing a case; the
files are committed so the corpus can also be read (and fed to other mail tools) as it is.
Cases are built byte by byte so that charsets, encodings and defects are exactly as stated;
they imitate what real systems send (Outlook/Exchange, Gmail, Foxmail/QQ, Postfix, Exim).
"""

import base64
import json
import quopri
import sys
from pathlib import Path
from urllib.parse import quote_from_bytes

HERE = Path(__file__).resolve().parent
CASES: dict[str, tuple[bytes, dict]] = {}


def b_word(text: str, charset: str, encode_as: str | None = None) -> str:
    data = text.encode(encode_as or charset)
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


def q_word(text: str, charset: str) -> str:
    data = text.encode(charset)
    body = "".join(
        chr(b) if (chr(b).isalnum() and b < 128) else ("_" if b == 32 else f"={b:02X}")
        for b in data
    )
    return f"=?{charset}?Q?{body}?="


def rfc2231(name: str, charset: str, encode_as: str | None = None) -> str:
    return f"{charset}''{quote_from_bytes(name.encode(encode_as or charset), safe='')}"


def headers(*lines: str | bytes) -> bytes:
    out = b""
    for line in lines:
        out += (line if isinstance(line, bytes) else line.encode("ascii")) + b"\r\n"
    return out


def simple(
    name: str,
    *,
    subject: str = "Printer offline",
    sender: str = "Zhang Wei <zhang.wei@example.cn>",
    body: bytes = b"The printer stopped printing.\r\n",
    content_type: str = "text/plain; charset=utf-8",
    encoding: str = "8bit",
    extra: tuple = (),
    expect: dict,
) -> None:
    raw = (
        headers(
            f"From: {sender}",
            "To: support@kefu.localhost",
            f"Subject: {subject}",
            f"Message-ID: <{name}@corpus.example>",
            "Date: Mon, 23 Nov 2026 10:00:00 +0800",
            "MIME-Version: 1.0",
            *extra,
            f"Content-Type: {content_type}",
            f"Content-Transfer-Encoding: {encoding}",
            "",
        )
        + body
    )
    CASES[name] = (raw, expect)


def multipart(
    name: str,
    *,
    parts: list[bytes],
    subtype: str = "mixed",
    subject: str = "Files attached",
    sender: str = "Li Na <li.na@example.cn>",
    extra: tuple = (),
    boundary: str = "==kefu-corpus==",
    expect: dict,
) -> None:
    raw = headers(
        f"From: {sender}",
        "To: support@kefu.localhost",
        f"Subject: {subject}",
        f"Message-ID: <{name}@corpus.example>",
        "Date: Mon, 23 Nov 2026 10:00:00 +0800",
        "MIME-Version: 1.0",
        *extra,
        f'Content-Type: multipart/{subtype}; boundary="{boundary}"',
        "",
    )
    raw += body_of(parts, boundary)
    CASES[name] = (raw, expect)


def body_of(parts: list[bytes], boundary: str) -> bytes:
    out = b"This is a multi-part message in MIME format.\r\n"
    for part in parts:
        out += f"--{boundary}\r\n".encode() + part + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def part(content_type: str, payload: bytes, *, encoding: str = "8bit", extra: tuple = ()) -> bytes:
    return (
        headers(
            f"Content-Type: {content_type}", f"Content-Transfer-Encoding: {encoding}", *extra, ""
        )
        + payload
    )


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def qp(data: bytes) -> bytes:
    return quopri.encodestring(data).replace(b"\n", b"\r\n")


# --- Chinese: gb2312-labelled GBK (characters outside GB2312) --------------------------------
GBK_NAMES = ["朱镕基", "王喆", "李玥", "张堃", "陈昇", "刘珺", "周赟", "吴祎"]
for index, person in enumerate(GBK_NAMES):
    subject = f"{person}的打印机故障（第{index + 1}号）"
    text = f"您好，我是{person}，门店打印机无法打印，请尽快处理。"
    simple(
        f"zh-gbk-as-gb2312-{index + 1:02d}",
        sender=f"{b_word(person, 'gb2312', 'gbk')} <user{index}@example.cn>",
        subject=b_word(subject, "gb2312", "gbk"),
        content_type="text/plain; charset=gb2312",
        encoding="base64" if index % 2 else "8bit",
        body=b64(text.encode("gbk")) if index % 2 else text.encode("gbk") + b"\r\n",
        expect={
            "subject": subject,
            "from_name": person,
            "from_address": f"user{index}@example.cn",
            "text_contains": [text],
        },
    )

# --- Chinese: GB18030 with 4-byte characters, cp936 and x-gbk labels --------------------------
for index, (label, text) in enumerate(
    [
        ("gb18030", "姓名：𠮷野家，䶮，价格 €100"),
        ("GB18030", "生僻字测试：𠀀𪚥，请核对。"),
        ("cp936", "发票抬头：上海镕鑫科技有限公司"),
        ("x-gbk", "联系人：欧阳玥，电话 021-5555 1234"),
    ]
):
    codec = "gb18030"
    simple(
        f"zh-gb18030-{index + 1:02d}",
        subject=b_word(text[:12].strip(), label, codec),
        content_type=f"text/plain; charset={label}",
        encoding="quoted-printable",
        body=qp(text.encode(codec)),
        expect={"subject": text[:12].strip(), "text_contains": [text]},
    )

# --- Chinese: Big5 labels carrying HKSCS characters ------------------------------------------
for index, text in enumerate(
    ["佢哋啱啱到咗香港", "呢部機冇反應嘅", "請問幾時嚟維修㗎", "峯景大廈恒生分行"]
):
    simple(
        f"zh-big5-hkscs-{index + 1:02d}",
        sender=f"{b_word('陳大文', 'big5', 'big5hkscs')} <chan{index}@example.hk>",
        subject=b_word(text, "big5", "big5hkscs"),
        content_type="text/plain; charset=big5",
        body=text.encode("big5hkscs") + b"\r\n",
        expect={"subject": text, "from_name": "陳大文", "text_contains": [text]},
    )

# --- Japanese ISO-2022-JP --------------------------------------------------------------------
for index, text in enumerate(["お問い合わせの件", "プリンターが故障しました", "請求書について"]):
    simple(
        f"ja-iso2022jp-{index + 1:02d}",
        sender=f"{b_word('山田太郎', 'iso-2022-jp')} <yamada{index}@example.jp>",
        subject=b_word(text, "iso-2022-jp"),
        content_type="text/plain; charset=iso-2022-jp",
        encoding="7bit",
        body=(text + "。よろしくお願いいたします。").encode("iso-2022-jp") + b"\r\n",
        expect={"subject": text, "from_name": "山田太郎", "text_contains": [text]},
    )

# --- Encoded words that split a multibyte character ------------------------------------------
for index, (text, charset, cut) in enumerate(
    [
        ("中文主题被切开了", "utf-8", 4),
        ("打印机无法连接网络", "utf-8", 7),
        ("朱镕基先生的来信", "gbk", 3),
        ("香港啱啱收到", "big5hkscs", 5),
        ("服务请求：空调漏水", "gb18030", 9),
    ]
):
    data = text.encode(charset)
    first, second = data[:cut], data[cut:]
    label = {"gbk": "gb2312", "big5hkscs": "big5"}.get(charset, charset)
    words = [
        f"=?{label}?B?{base64.b64encode(first).decode()}?=",
        f"=?{label}?B?{base64.b64encode(second).decode()}?=",
    ]
    simple(
        f"zh-split-encoded-word-{index + 1:02d}",
        subject="\r\n ".join(words),
        expect={"subject": text},
    )
simple(
    "zh-split-encoded-word-q",
    subject="=?utf-8?Q?=E6=94=B6=E9?= =?utf-8?Q?=93=B6=E6=9C=BA?=",
    expect={"subject": "收银机"},
)

# --- RFC 2231 file names -----------------------------------------------------------------------
for index, (filename, charset, codec) in enumerate(
    [
        ("维修报告.pdf", "utf-8", "utf-8"),
        ("朱镕基签字单.docx", "gb2312", "gbk"),
        ("報價單（香港）.xlsx", "big5", "big5hkscs"),
        ("一个非常非常长的附件文件名称用于测试参数续行功能是否正常工作.txt", "utf-8", "utf-8"),
    ]
):
    value = rfc2231(filename, charset, codec)
    if index == 3:
        # Continuations split between whole %XX escapes, as mailers do (RFC 2231 section 3).
        prefix, escaped = value.split("''", 1)
        tokens = [escaped[i : i + 3] for i in range(0, len(escaped), 3)]
        pieces = [prefix + "''" + "".join(tokens[:20])]
        pieces += ["".join(tokens[i : i + 20]) for i in range(20, len(tokens), 20)]
        disposition = "attachment;\r\n " + ";\r\n ".join(
            f"filename*{n}*={piece}" for n, piece in enumerate(pieces)
        )
    else:
        disposition = f"attachment; filename*={value}"
    multipart(
        f"zh-rfc2231-filename-{index + 1:02d}",
        subject=b_word("附件请查收", "utf-8"),
        parts=[
            part("text/plain; charset=utf-8", "附件是报告，请查收。\r\n".encode()),
            part(
                "application/octet-stream",
                b64(b"%PDF-1.4 test\n"),
                encoding="base64",
                extra=(f"Content-Disposition: {disposition}",),
            ),
        ],
        expect={"subject": "附件请查收", "attachments": [filename]},
    )
# Outlook puts encoded words inside the quoted parameter (not RFC 2231, but everywhere).
for index, (filename, label, codec) in enumerate(
    [("客户清单.xlsx", "gb2312", "gbk"), ("合同扫描件.pdf", "utf-8", "utf-8")]
):
    word = b_word(filename, label, codec)
    multipart(
        f"zh-outlook-encoded-filename-{index + 1:02d}",
        parts=[
            part(f"text/plain; charset={label}", "请查看附件。\r\n".encode(codec)),
            part(
                f'application/octet-stream; name="{word}"',
                b64(b"PK\x03\x04 data"),
                encoding="base64",
                extra=(f'Content-Disposition: attachment; filename="{word}"',),
            ),
        ],
        expect={"attachments": [filename], "text_contains": ["请查看附件。"]},
    )

# Foxmail and old Outlook write raw GBK bytes into the quoted file name, with no label at all.
multipart(
    "zh-raw-8bit-filename",
    parts=[
        part("text/plain; charset=gbk", "附件是合同。\r\n".encode("gbk")),
        part(
            "application/octet-stream",
            b64(b"%PDF-1.4"),
            encoding="base64",
            extra=(
                b'Content-Disposition: attachment; filename="'
                + "镕鑫合同.pdf".encode("gbk")
                + b'"',
            ),
        ),
    ],
    expect={"attachments": ["镕鑫合同.pdf"], "text": "附件是合同。"},
)

# --- Unlabelled 8-bit headers ------------------------------------------------------------------
for index, (subject, codec) in enumerate(
    [("未标注编码的主题", "utf-8"), ("未标注编码的国标主题镕", "gbk"), ("裸UTF-8发件人", "utf-8")]
):
    raw = (
        headers(
            b"From: " + "王小明".encode(codec) + b" <wang" + str(index).encode() + b"@example.cn>",
            "To: support@kefu.localhost",
            b"Subject: " + subject.encode(codec),
            f"Message-ID: <zh-raw-8bit-header-{index + 1:02d}@corpus.example>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
        )
        + "正文内容。\r\n".encode()
    )
    CASES[f"zh-raw-8bit-header-{index + 1:02d}"] = (
        raw,
        {"subject": subject, "from_name": "王小明", "text_contains": ["正文内容。"]},
    )

# --- Chinese quoted history (Foxmail/QQ and Outlook CN) -----------------------------------------
simple(
    "zh-quoted-foxmail",
    subject=b_word("回复：打印机故障", "utf-8"),
    body=(
        "已经修好了，谢谢！\r\n\r\n------------------ 原始邮件 ------------------\r\n"
        '发件人: "客服"<support@kefu.localhost>;\r\n发送时间: 2026年11月22日\r\n'
        "请重启打印机。\r\n"
    ).encode(),
    expect={"text_new": "已经修好了，谢谢！", "text_contains": ["请重启打印机。"]},
)
simple(
    "zh-quoted-outlook",
    subject=b_word("答复: 网络中断", "utf-8"),
    body=(
        "今天又断了两次。\r\n\r\n发件人: 客服中心 <support@kefu.localhost>\r\n"
        "发送时间: 2026年11月22日 星期日 10:00\r\n收件人: 张伟\r\n主题: 网络中断\r\n\r\n"
        "请提供路由器型号。\r\n"
    ).encode(),
    expect={"text_new": "今天又断了两次。"},
)
simple(
    "zh-quoted-gmail",
    subject=b_word("Re: 发票", "utf-8"),
    body=(
        "收到发票了。\r\n\r\n在 2026年11月22日周日 10:00，客服中心 <support@kefu.localhost> 写道：\r\n"
        "> 发票已寄出。\r\n"
    ).encode(),
    expect={"text_new": "收到发票了。"},
)
simple(
    "zh-html-only-gbk",
    subject=b_word("网页格式的来信", "gb2312", "gbk"),
    content_type="text/html; charset=gb2312",
    body="<html><body><p>您好，<b>镕鑫</b>门店</p><p>空调不制冷。</p></body></html>".encode("gbk"),
    expect={"text_contains": ["您好，镕鑫门店", "空调不制冷。"], "html_contains": ["<b>镕鑫</b>"]},
)
simple(
    "zh-qp-utf8-body",
    subject=q_word("退款申请", "utf-8"),
    encoding="quoted-printable",
    body=qp("订单号 20261123001，申请退款。\r\n".encode()),
    expect={"subject": "退款申请", "text_contains": ["订单号 20261123001，申请退款。"]},
)

# --- HTML-only, alternative, nested, inline images -------------------------------------------
for index, html in enumerate(
    [
        "<p>Hello,<br>the <i>scanner</i> is jammed.</p>",
        "<div>Our VPN &amp; Wi-Fi are down.</div><script>steal()</script>",
        "<table><tr><td>Store</td><td>Pudong</td></tr></table><p onclick='x()'>Click</p>",
        "<html><head><style>p{color:red}</style></head><body><p>Styled text</p></body></html>",
    ]
):
    simple(
        f"en-html-only-{index + 1:02d}",
        content_type="text/html; charset=utf-8",
        body=html.encode(),
        expect={"html_excludes": ["<script", "onclick", "steal()"], "text_nonempty": True},
    )
multipart(
    "en-alternative",
    subtype="alternative",
    parts=[
        part("text/plain; charset=utf-8", b"Plain version of the request.\r\n"),
        part("text/html; charset=utf-8", b"<p>HTML version of the request.</p>"),
    ],
    expect={"text": "Plain version of the request.", "html_contains": ["HTML version"]},
)
inner_alt = body_of(
    [
        part("text/plain; charset=utf-8", b"See the photo of the broken screen.\r\n"),
        part("text/html; charset=utf-8", b'<p>See the photo</p><img src="cid:photo1@x">'),
    ],
    "alt-b",
)
related = body_of(
    [
        headers('Content-Type: multipart/alternative; boundary="alt-b"', "") + inner_alt,
        part(
            "image/png",
            b64(b"\x89PNG\r\n\x1a\n fake"),
            encoding="base64",
            extra=("Content-ID: <photo1@x>", 'Content-Disposition: inline; filename="screen.png"'),
        ),
    ],
    "rel-b",
)
multipart(
    "en-nested-mixed-related-alternative",
    parts=[
        headers('Content-Type: multipart/related; boundary="rel-b"', "") + related,
        part(
            "application/pdf",
            b64(b"%PDF-1.7"),
            encoding="base64",
            extra=('Content-Disposition: attachment; filename="invoice.pdf"',),
        ),
    ],
    expect={
        "text": "See the photo of the broken screen.",
        "attachments": ["screen.png", "invoice.pdf"],
        "inline": ["screen.png"],
    },
)
for index, count in enumerate([2, 5, 10]):
    multipart(
        f"en-many-attachments-{index + 1:02d}",
        parts=[part("text/plain; charset=utf-8", b"Logs attached.\r\n")]
        + [
            part(
                "text/plain; charset=utf-8",
                f"log line {n}\r\n".encode(),
                extra=(f'Content-Disposition: attachment; filename="log-{n}.txt"',),
            )
            for n in range(count)
        ],
        expect={"attachments": [f"log-{n}.txt" for n in range(count)], "text": "Logs attached."},
    )
multipart(
    "en-unnamed-attachment",
    parts=[
        part("text/plain; charset=utf-8", b"Unnamed file.\r\n"),
        part(
            "application/zip",
            b64(b"PK\x03\x04"),
            encoding="base64",
            extra=("Content-Disposition: attachment",),
        ),
    ],
    expect={"attachments": ["attachment-1.zip"]},
)

# --- Forwarded mail -----------------------------------------------------------------------------
forwarded_inner = (
    headers(
        "From: Customer <customer@example.com>",
        "To: sales@example.cn",
        f"Subject: {b_word('原始问题：无法登录', 'utf-8')}",
        "Message-ID: <inner-1@example.com>",
        "Content-Type: text/plain; charset=utf-8",
        "",
    )
    + "我无法登录系统。\r\n".encode()
)
multipart(
    "fwd-message-rfc822",
    subject="Fwd: customer problem",
    parts=[
        part("text/plain; charset=utf-8", b"Please handle this.\r\n"),
        part(
            "message/rfc822",
            forwarded_inner,
            encoding="8bit",
            extra=("Content-Disposition: inline",),
        ),
    ],
    expect={"text": "Please handle this.", "attachments": ["原始问题：无法登录.eml"]},
)
simple(
    "fwd-inline-gmail",
    subject="Fwd: VPN",
    body=(
        b"FYI\r\n\r\n---------- Forwarded message ---------\r\nFrom: Customer <c@example.com>\r\n"
        b"Date: Sun, Nov 22, 2026\r\nSubject: VPN\r\n\r\nThe VPN is down.\r\n"
    ),
    expect={"text_contains": ["The VPN is down."], "text_new_contains": ["The VPN is down."]},
)
simple(
    "fwd-inline-outlook-zh",
    subject=b_word("转发: 投诉", "utf-8"),
    body=(
        "请处理以下投诉。\r\n\r\n-----原始邮件-----\r\n发件人: 顾客 <c@example.com>\r\n"
        "发送时间: 2026年11月22日\r\n主题: 投诉\r\n\r\n服务太慢了。\r\n"
    ).encode(),
    expect={"text_new": "请处理以下投诉。", "text_contains": ["服务太慢了。"]},
)

# --- Calendar invites ----------------------------------------------------------------------------
ICS = (
    "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:季度回顾会议\r\n"
    "DTSTART:20261201T020000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()
multipart(
    "cal-outlook-invite",
    subtype="alternative",
    subject=b_word("会议邀请：季度回顾", "utf-8"),
    parts=[
        part("text/plain; charset=utf-8", "请参加季度回顾会议。\r\n".encode()),
        part("text/calendar; charset=utf-8; method=REQUEST", ICS),
    ],
    expect={"has_calendar": True, "attachments": ["invite.ics"], "text": "请参加季度回顾会议。"},
)
multipart(
    "cal-gmail-invite",
    parts=[
        part("text/plain; charset=utf-8", b"Invitation: Service review\r\n"),
        part(
            "application/ics",
            b64(ICS),
            encoding="base64",
            extra=('Content-Disposition: attachment; filename="invite.ics"',),
        ),
    ],
    expect={"attachments": ["invite.ics"]},
)
simple(
    "cal-calendar-only",
    content_type="text/calendar; charset=utf-8; method=CANCEL",
    body=ICS,
    expect={"has_calendar": True, "attachments": ["invite.ics"]},
)

# --- Robots: auto-replies of common systems, lists, bulk ----------------------------------------
ROBOTS = {
    "robot-exchange-oof": ("Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All"),
    "robot-gmail-vacation": ("Auto-Submitted: auto-replied", "Precedence: bulk"),
    "robot-auto-generated": ("Auto-Submitted: auto-generated",),
    "robot-auto-notified": ("Auto-Submitted: auto-notified",),
    "robot-precedence-bulk": ("Precedence: bulk",),
    "robot-precedence-list": ("Precedence: list",),
    "robot-precedence-junk": ("Precedence: junk",),
    "robot-x-auto-response-suppress": ("X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply",),
    "robot-list-id": ("List-Id: Kefu users <users.lists.example.cn>",),
    "robot-list-unsubscribe": ("List-Unsubscribe: <mailto:unsubscribe@lists.example.cn>",),
    "robot-empty-return-path": ("Return-Path: <>",),
    "robot-qq-autoreply": ("X-Autoreply: yes", "Auto-Submitted: auto-replied"),
    "robot-exim-autorespond": ("X-Autorespond: vacation",),
}
for name, extra in ROBOTS.items():
    simple(
        name,
        subject=b_word("自动回复：我正在休假", "utf-8"),
        extra=extra,
        expect={"robot": True, "subject": "自动回复：我正在休假"},
    )
simple(
    "robot-mailer-daemon",
    sender="Mail Delivery System <MAILER-DAEMON@mx.example.cn>",
    expect={"robot": True},
)
simple("robot-noreply", sender="no-reply@shop.example.cn", expect={"robot": True})
simple(
    "robot-own-message-id",
    extra=(),
    expect={"robot": True},
)
CASES["robot-own-message-id"] = (
    CASES["robot-own-message-id"][0].replace(
        b"<robot-own-message-id@corpus.example>", b"<kefu.0123456789abcdef@kefu.localhost>"
    ),
    {"robot": True},
)
simple("human-auto-submitted-no", extra=("Auto-Submitted: no",), expect={"robot": False})
simple("human-plain", expect={"robot": False, "text": "The printer stopped printing."})

# --- Delivery status notifications (RFC 3464) ----------------------------------------------------
ORIGINAL = (
    headers(
        "From: Kefu <support@kefu.localhost>",
        "To: gone@example.cn",
        "Subject: [T-000042] Re: printer",
        "Message-ID: <kefu.deadbeef@kefu.localhost>",
        "",
    )
    + b"Your printer is fixed.\r\n"
)


def dsn(name: str, status: str, action: str, recipient: str, *, headers_only=False) -> None:
    status_part = part(
        "message/delivery-status",
        headers("Reporting-MTA: dns; mx.example.cn", "")
        + headers(
            f"Final-Recipient: rfc822; {recipient}",
            f"Action: {action}",
            f"Status: {status}",
            f"Diagnostic-Code: smtp; {status} mailbox problem",
            "",
        ),
        encoding="7bit",
    )
    original = (
        part("text/rfc822-headers", ORIGINAL.split(b"\r\n\r\n")[0] + b"\r\n", encoding="7bit")
        if headers_only
        else part("message/rfc822", ORIGINAL, encoding="7bit")
    )
    multipart(
        name,
        subtype="report; report-type=delivery-status",
        sender="Mail Delivery System <MAILER-DAEMON@mx.example.cn>",
        subject="Undelivered Mail Returned to Sender",
        extra=("Auto-Submitted: auto-replied",),
        parts=[
            part("text/plain; charset=us-ascii", b"This is the mail system. I'm sorry...\r\n"),
            status_part,
            original,
        ],
        expect={
            "robot": True,
            "report_permanent": [recipient] if status.startswith("5") else [],
            "report_original": "kefu.deadbeef@kefu.localhost",
        },
    )


dsn("dsn-postfix-user-unknown", "5.1.1", "failed", "gone@example.cn")
dsn("dsn-exchange-headers-only", "5.1.10", "failed", "left@example.cn", headers_only=True)
dsn("dsn-gmail-mailbox-full", "5.2.2", "failed", "full@gmail.example")
dsn("dsn-delayed", "4.4.7", "delayed", "slow@example.cn")
dsn("dsn-qq-no-such-user", "5.0.0", "failed", "123456@qq.example")

# --- Quoting habits, recipients and bodies in more encodings -----------------------------------
simple(
    "en-quoted-gt-lines",
    subject="Re: printer",
    body=b"Still broken after the restart.\r\n\r\n> Please restart the printer.\r\n> Thanks\r\n",
    expect={"text_new": "Still broken after the restart."},
)
simple(
    "en-quoted-on-wrote",
    subject="Re: invoice",
    body=(
        b"Got it, thanks.\r\n\r\nOn Sun, Nov 22, 2026 at 10:00 AM Kefu <support@kefu.localhost>"
        b" wrote:\r\n> The invoice is attached.\r\n"
    ),
    expect={"text_new": "Got it, thanks."},
)
simple(
    "en-quoted-outlook-block",
    subject="RE: access",
    body=(
        b"Access works now.\r\n\r\n________________________________\r\nFrom: Kefu Support\r\n"
        b"Sent: Sunday, November 22, 2026 10:00\r\nTo: Li Na\r\nSubject: access\r\n"
    ),
    expect={"text_new": "Access works now."},
)
simple(
    "zh-utf8-base64-body",
    subject=b_word("电子发票开具申请", "utf-8"),
    encoding="base64",
    body=b64("请为订单 A-2026-1123 开具增值税专用发票。\r\n".encode()),
    expect={"subject": "电子发票开具申请", "text_contains": ["增值税专用发票"]},
)
simple(
    "zh-cc-encoded-names",
    subject=b_word("抄送测试", "utf-8"),
    extra=(
        f"Cc: {b_word('李娜', 'gb2312', 'gbk')} <li.na@example.cn>, "
        f"{b_word('欧阳玥', 'gb2312', 'gbk')} <ouyang@example.cn>",
        f"Reply-To: {b_word('王喆', 'utf-8')} <wang.zhe@example.cn>",
    ),
    expect={"cc": [["李娜", "li.na@example.cn"], ["欧阳玥", "ouyang@example.cn"]]},
)
multipart(
    "zh-gbk-alternative",
    subtype="alternative",
    subject=b_word("账户被锁定", "gb2312", "gbk"),
    parts=[
        part(
            "text/plain; charset=gb2312", "账户被锁定，无法登录（用户名：镕鑫）。\r\n".encode("gbk")
        ),
        part(
            "text/html; charset=gb2312",
            "<p>账户被锁定，无法登录（用户名：<b>镕鑫</b>）。</p>".encode("gbk"),
        ),
    ],
    expect={"text": "账户被锁定，无法登录（用户名：镕鑫）。", "html_contains": ["<b>镕鑫</b>"]},
)
simple(
    "zh-hz-gb-2312",
    subject=b_word("HZ 编码", "utf-8"),
    content_type="text/plain; charset=hz-gb-2312",
    encoding="7bit",
    body="旧式 HZ 编码的中文邮件\r\n".encode("hz"),
    expect={"text_contains": ["旧式 HZ 编码的中文邮件"]},
)
simple(
    "intl-latin1-name",
    sender=f"{b_word('José Müller', 'iso-8859-1')} <jose@example.de>",
    subject=b_word("Drucker defekt – bitte helfen", "windows-1252"),
    content_type="text/plain; charset=iso-8859-1",
    body="Grüße aus München\r\n".encode("latin-1"),
    expect={"from_name": "José Müller", "subject": "Drucker defekt – bitte helfen"},
)
simple(
    "intl-euc-kr-korean",
    subject=b_word("프린터 고장", "euc-kr"),
    content_type="text/plain; charset=ks_c_5601-1987",
    body="프린터가 작동하지 않습니다\r\n".encode("cp949"),
    expect={"subject": "프린터 고장", "text_contains": ["프린터가 작동하지 않습니다"]},
)

# --- Malformed and hostile ------------------------------------------------------------------------
simple(
    "bad-utf8-bytes-in-utf8",
    body=b"caf\xc3 broken \xff\xfe bytes\r\n",
    expect={"defects": True, "text_contains": ["\\xff"]},
)
simple(
    "bad-unknown-charset",
    content_type="text/plain; charset=x-made-up",
    body="未知编码标签\r\n".encode(),
    expect={"defects": True, "text_contains": ["未知编码标签"]},
)
simple(
    "bad-base64",
    encoding="base64",
    body=b"5L2g5aW9!!!not base64***\r\n",
    expect={"defects": True},
)
multipart(
    "bad-missing-final-boundary",
    parts=[part("text/plain; charset=utf-8", b"Truncated multipart.\r\n")],
    expect={"text": "Truncated multipart."},
)
CASES["bad-missing-final-boundary"] = (
    CASES["bad-missing-final-boundary"][0].replace(b"--==kefu-corpus==--\r\n", b""),
    CASES["bad-missing-final-boundary"][1],
)
simple(
    "bad-lf-only-line-ends",
    body=b"Unix line ends only.\n",
    expect={"text": "Unix line ends only."},
)
CASES["bad-lf-only-line-ends"] = (
    CASES["bad-lf-only-line-ends"][0].replace(b"\r\n", b"\n"),
    {"text": "Unix line ends only.", "subject": "Printer offline"},
)
simple("bad-no-sender", sender="", expect={"quarantine": "no_sender"})
simple("bad-sender-not-an-address", sender="Just A Name", expect={"quarantine": "no_sender"})
simple("bad-null-bytes", body=b"null\x00byte\r\n", expect={"text": "nullbyte"})
simple(
    "bad-long-header",
    subject="Long " + "x" * 5000,
    expect={"from_address": "zhang.wei@example.cn"},
)
simple("bad-empty-body", body=b"", expect={"text": ""})
simple(
    "bad-forged-internal-header",
    extra=("X-Kefu-Ticket: 1", "X-Kefu-Entry: 99"),
    expect={"headers_exclude": ["x-kefu-ticket", "x-kefu-entry"]},
)
simple(
    "bad-broken-encoded-word",
    subject="=?utf-8?B?###?= ok",
    expect={"from_address": "zhang.wei@example.cn"},
)
simple(
    "bad-path-in-filename",
    content_type="text/plain; charset=utf-8",
    body=b"see file\r\n",
    expect={"text": "see file"},
)
multipart(
    "bad-path-traversal-filename",
    parts=[
        part("text/plain; charset=utf-8", b"see file\r\n"),
        part(
            "application/octet-stream",
            b64(b"x"),
            encoding="base64",
            extra=('Content-Disposition: attachment; filename="../../etc/passwd"',),
        ),
    ],
    expect={"attachments": ["passwd"]},
)


def nested(depth: int) -> bytes:
    payload = part("text/plain; charset=utf-8", b"deep\r\n")
    for level in range(depth):
        boundary = f"n{level}"
        payload = headers(f'Content-Type: multipart/mixed; boundary="{boundary}"', "") + body_of(
            [payload], boundary
        )
    return payload


CASES["bad-too-deep"] = (
    headers(
        "From: bomb@example.cn",
        "To: support@kefu.localhost",
        "Subject: nesting bomb",
        "Message-ID: <bad-too-deep@corpus.example>",
        "MIME-Version: 1.0",
    )
    + nested(40),
    {"quarantine": "too_deep"},
)
multipart(
    "bad-too-many-parts",
    parts=[part("text/plain; charset=utf-8", f"p{n}\r\n".encode()) for n in range(400)],
    expect={"quarantine": "too_many_parts"},
)


def main() -> int:
    expected = {}
    for name, (raw, expect) in sorted(CASES.items()):
        (HERE / f"{name}.eml").write_bytes(raw)
        expected[name] = expect
    (HERE / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(CASES)} messages to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
