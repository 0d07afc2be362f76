"""Turning text into the tokens the full-text index stores, and queries into token groups.

Both databases receive the same pre-segmented tokens (separated by single spaces), so SQLite FTS5
and PostgreSQL match exactly the same things:

* Chinese runs are segmented by rjieba's search mode, so two-character words (``打印``, ``张伟``)
  are tokens of their own. Name fields (``name_tokens``) also get every single CJK character and
  every CJK bigram, so a partial name (``张``, ``阳娜``) still finds ``欧阳娜娜``.
* Other text is NFKC-folded, lower-cased and stripped of accents; English words also contribute
  their Snowball stem (``printers`` -> ``printer``), so "printing" finds "printed".
* E-mail addresses are kept whole as one token (prefix search on ``zhang.wei@exa``) besides their
  pieces. Phone numbers contribute their digits and every digit suffix of four or more, so a
  prefix query on the suffix tokens finds any run of digits (the last four, "0013 8000"...).

A token only ever contains letters, digits, CJK characters and ``@ . + - _`` (the FTS5 table
declares those as token characters), never quotes, so it is safe inside both query syntaxes.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import rjieba
import snowballstemmer

_CJK = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002ebef"
    "\u3040-\u30ff\uac00-\ud7af"
)
_CJK_RUN = re.compile(f"[{_CJK}]+")
_EMAIL = re.compile(r"[^\W_][\w.+-]*@[\w.-]*", re.UNICODE)
# A word: letters and digits, but not CJK (those are segmented separately) and not "_".
_WORD = re.compile(f"(?:(?![{_CJK}])[^\\W_])+")
_PHONE_QUERY = re.compile(r"^\+?[\d\s\-().]+$")
_SAFE = re.compile(r"[^\w@.+\-]", re.UNICODE)
_NON_DIGIT = re.compile(r"\D")
_MIN_STEM_LENGTH = 4
_PHONE_SUFFIX_MIN = 4
# Longer "words" are noise (encoded blobs); PostgreSQL also refuses lexemes over 2 KB.
_LONGEST_TOKEN = 100

_stemmer = snowballstemmer.stemmer("english")


_ACCENTED = re.compile("[\u00c0-\u024f\u1e00-\u1eff]")


def fold(text: str) -> str:
    """Return ``text`` NFKC-normalised, lower-cased and without accents (é -> e)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    if text.isascii() or not _ACCENTED.search(text):
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", stripped)


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    """Return the English stem of a lower-case ``word`` (itself for short or non-Latin words)."""
    if len(word) < _MIN_STEM_LENGTH or not word.isascii() or not word.isalpha():
        return word
    return _stemmer.stemWord(word)


@lru_cache(maxsize=50000)
def _segment(run: str) -> tuple[str, ...]:
    return tuple(w for w in rjieba.cut_for_search(run) if w.strip())


# The functions below append to ``out`` (a new list by default) and may repeat a token;
# :func:`join` drops repeats. Indexing a million documents spends its time here.


def text_tokens(text: str, *, out: list[str] | None = None) -> list[str]:
    """Return the index tokens of free text (titles, bodies, notes)."""
    out = [] if out is None else out
    folded = fold(text)
    if "@" in folded:
        out.extend(m.group(0).rstrip(".-") for m in _EMAIL.finditer(folded))
    for run in _CJK_RUN.findall(folded):
        out.extend(_segment(run))
    for word in _WORD.findall(folded):
        out.append(word)
        out.append(stem(word))
    return out


@lru_cache(maxsize=50000)
def _name_run_tokens(run: str) -> tuple[str, ...]:
    pairs = [run[i : i + 2] for i in range(len(run) - 1)]
    return (*_segment(run), *run, *pairs)


def name_tokens(text: str, *, out: list[str] | None = None) -> list[str]:
    """Return the index tokens of a name: words plus every CJK character and CJK bigram."""
    out = [] if out is None else out
    folded = fold(text)
    for run in _CJK_RUN.findall(folded):
        out.extend(_name_run_tokens(run))
    out.extend(_WORD.findall(folded))
    return out


def email_tokens(email: str, *, out: list[str] | None = None) -> list[str]:
    """Return the tokens of an e-mail address: the whole address and its words."""
    out = [] if out is None else out
    folded = fold(email).strip()
    out.append(_SAFE.sub("", folded))
    out.extend(_WORD.findall(folded))
    return out


def phone_tokens(e164: str, national: str = "", *, out: list[str] | None = None) -> list[str]:
    """Return the tokens of a phone number: all its digits, its national digits and their
    suffixes of four or more digits (so any run of digits is a prefix of one of them)."""
    out = [] if out is None else out
    digits = _NON_DIGIT.sub("", e164 or "")
    national = _NON_DIGIT.sub("", national or "") or digits
    out.append(digits)
    out.extend(national[start:] for start in range(len(national) - _PHONE_SUFFIX_MIN + 1))
    return out


def safe(text: str) -> str:
    """Return ``text`` folded and reduced to the token alphabet (for tags such as facets)."""
    return _SAFE.sub("", fold(text))


def join(tokens: list[str]) -> str:
    """Return tokens as the space-separated text the index columns store.

    Tokens made by the functions above are already in the safe alphabet (that is what their
    patterns match), so this only joins; a caller's own tokens must come from them too.
    """
    return " ".join(t for t in dict.fromkeys(tokens) if t and len(t) <= _LONGEST_TOKEN)


@dataclass(frozen=True)
class Term:
    """One query token; ``prefix`` matches every indexed token that starts with it."""

    text: str
    prefix: bool = False


# A query is a list of groups that must all match; a group matches when any of its terms does.
Query = list[list[Term]]


def phone_digits(query: str) -> str | None:
    """Return the digits of a query that looks like a phone number (4+ digits), else None."""
    text = (query or "").strip()
    if not _PHONE_QUERY.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= _PHONE_SUFFIX_MIN else None


def parse_query(query: str, *, bigrams: bool = False) -> Query:
    """Turn what a user typed into token groups.

    The last word is a prefix (the user may still be typing). Chinese runs are segmented like
    the index; with ``bigrams`` they are cut into overlapping pairs instead, which name fields
    always contain (the fallback when the segmenter splits a query differently from the name).
    """
    folded = fold(query).strip()
    if not folded:
        return []
    digits = phone_digits(folded)
    if digits:
        return [[Term(digits, prefix=True)]]
    groups: Query = []
    # Tokens in the order typed, so "the last one" is really the last.
    pieces: list[tuple[int, str, str]] = []
    taken = [False] * len(folded)
    for match in _EMAIL.finditer(folded):
        pieces.append((match.start(), "email", match.group(0)))
        for i in range(match.start(), match.end()):
            taken[i] = True
    rest = "".join(" " if taken[i] else c for i, c in enumerate(folded))
    for match in _CJK_RUN.finditer(rest):
        pieces.append((match.start(), "cjk", match.group(0)))
    for match in _WORD.finditer(rest):
        pieces.append((match.start(), "word", match.group(0)))
    pieces.sort()
    ends_with_space = query != query.rstrip()
    for index, (_start, kind, text) in enumerate(pieces):
        is_last = index == len(pieces) - 1 and not ends_with_space
        if kind == "email":
            groups.append([Term(_SAFE.sub("", text), prefix=True)])
        elif kind == "word":
            stemmed = stem(text)
            if is_last:
                group = [Term(text, prefix=True)]
                if stemmed != text:
                    group.append(Term(stemmed))
            else:
                group = [Term(text)] if stemmed == text else [Term(text), Term(stemmed)]
            groups.append(group)
        elif len(text) == 1:
            # A single character: a name's own character token, or the start of a word.
            groups.append([Term(text, prefix=True)])
        elif bigrams:
            for i in range(len(text) - 1):
                groups.append([Term(text[i : i + 2])])
        else:
            words = [w for w in rjieba.cut(text) if w.strip()]
            for position, word in enumerate(words):
                last_word = is_last and position == len(words) - 1
                groups.append([Term(word, prefix=last_word and len(word) == 1)])
    # A word longer than any indexed token cannot match: the whole query cannot either.
    groups = [[t for t in group if len(t.text) <= _LONGEST_TOKEN] for group in groups]
    return groups if all(groups) else []


def has_cjk_pairs(query: str) -> bool:
    """Return whether ``query`` has a Chinese run of two or more characters."""
    return any(len(run) >= 2 for run in _CJK_RUN.findall(fold(query)))


def query_words(query: str) -> list[str]:
    """Return the words to highlight in a snippet for ``query``."""
    words = []
    for group in parse_query(query):
        for term in group:
            if term.text not in words:
                words.append(term.text)
    return words
