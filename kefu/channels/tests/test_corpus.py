"""Every message of the corpus parses as expected, and no result anywhere contains U+FFFD.

The corpus (``corpus/*.eml`` with ``corpus/expected.json``) is written by
``corpus/generate.py``; see there for what each case imitates.
"""

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from kefu.channels.email.parse import MailRejected, parse_message
from kefu.channels.email.robots import robot_reasons

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.dbless


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def test_corpus_is_large_and_chinese_enough():
    names = sorted(EXPECTED)
    assert len(names) >= 100
    assert len([n for n in names if n.startswith(("zh-", "ja-"))]) >= 30
    assert {path.stem for path in CORPUS.glob("*.eml")} == set(names)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message_parses_as_expected(name):
    expect = EXPECTED[name]
    raw = (CORPUS / f"{name}.eml").read_bytes()
    if "quarantine" in expect:
        with pytest.raises(MailRejected) as caught:
            parse_message(raw)
        assert caught.value.code == expect["quarantine"]
        return
    parsed = parse_message(raw)
    data = asdict(parsed)
    data.pop("attachments")
    assert not any("\ufffd" in text for text in _strings(data)), "U+FFFD in the parse"
    names = [a.filename for a in parsed.attachments]
    assert not any("\ufffd" in n for n in names)
    if "subject" in expect:
        assert parsed.subject == expect["subject"]
    if "from_name" in expect:
        assert parsed.from_name == expect["from_name"]
    if "from_address" in expect:
        assert parsed.from_address == expect["from_address"]
    if "text" in expect:
        assert parsed.text.strip() == expect["text"]
    for snippet in expect.get("text_contains", []):
        assert snippet in parsed.text
    if "text_new" in expect:
        assert parsed.text_new == expect["text_new"]
    for snippet in expect.get("text_new_contains", []):
        assert snippet in parsed.text_new
    if "text_nonempty" in expect:
        assert bool(parsed.text.strip()) == expect["text_nonempty"]
    for snippet in expect.get("html_contains", []):
        assert snippet in parsed.html
    for snippet in expect.get("html_excludes", []):
        assert snippet not in parsed.html
    if "attachments" in expect:
        assert names == expect["attachments"]
    if "inline" in expect:
        assert [a.filename for a in parsed.attachments if a.is_inline] == expect["inline"]
    if "cc" in expect:
        assert [list(pair) for pair in parsed.cc] == expect["cc"]
    if "has_calendar" in expect:
        assert parsed.has_calendar == expect["has_calendar"]
    if "defects" in expect:
        assert bool(parsed.defects) == expect["defects"]
    for header in expect.get("headers_exclude", []):
        assert header not in parsed.headers
    if "robot" in expect:
        reasons = robot_reasons(parsed, domain="kefu.localhost", own_addresses=set())
        assert bool(reasons) == expect["robot"], reasons
    if "report_permanent" in expect:
        assert parsed.report is not None
        failed = [r.address for r in parsed.report.recipients if r.is_permanent_failure]
        assert failed == expect["report_permanent"]
        assert parsed.report.original_message_id == expect["report_original"]
