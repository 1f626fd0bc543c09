"""The text pipeline: cleaning, Chinese segmentation (jieba), pinyin (pypinyin) and query parsing.

Index side: every field becomes a space-separated list of lower-case tokens: jieba's
search-mode words, Latin words and their letter/digit parts, and for every Chinese word of
two or more characters its full pinyin ("shouji") and initials ("sj"). Both backends index
these pre-segmented strings, so they never have to understand Chinese themselves.

Query side: the text is cleaned (NFKC, no control or format characters such as NUL or RTL
marks, no emoji or symbols), cut into at most ``MAX_QUERY_TERMS`` terms; each term is a set
of alternatives (a word, its sub-words, typo corrections) that the backends turn into a safe
FTS5 MATCH expression or tsquery. Nothing the customer types reaches a query parser raw.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import jieba
from pypinyin import lazy_pinyin

MAX_RAW_QUERY_CHARS = 1000  # looked at before cleaning (a 10,000-character query is cut here)
MAX_QUERY_CHARS = 100
MAX_QUERY_TERMS = 10
MAX_TOKEN_CHARS = 60
MAX_FIELD_TOKENS = 400
MAX_RUN_CHARS = 8
CUT_CACHE_SIZE = 50_000
CUT_CACHE_TEXT_CHARS = 80

_WORD = re.compile(r"[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_DIGIT_SPLIT = re.compile(r"[^\W\d_]+|\d+")
_SPACES = re.compile(r"\s+")
_CLAUSE_SPLIT = re.compile(r"[\s,.;:!?，。；：！？、()（）《》“”\"'/]+")
STOPWORDS = frozenset({"的", "了", "和", "与", "及", "或", "a", "an", "the", "of", "for", "and", "with", "in"})

jieba.setLogLevel(logging.WARNING)


@functools.lru_cache(maxsize=100_000)
def clean(text: str) -> str:
    """NFKC-normalise; replace control/format characters (NUL, RTL marks, zero-width) and symbols (emoji) by spaces.

    Cached: indexing cleans the same brand, category and attribute names for every product.
    """
    text = unicodedata.normalize("NFKC", text)
    kept = [" " if unicodedata.category(ch)[0] in "CSZ" else ch for ch in text]
    return _SPACES.sub(" ", "".join(kept)).strip()


def clean_query(raw: str | None) -> str:
    """What is left of a customer's query after cleaning, at most ``MAX_QUERY_CHARS`` characters."""
    if not raw:
        return ""
    return clean(raw[:MAX_RAW_QUERY_CHARS])[:MAX_QUERY_CHARS].strip()


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def is_latin_word(token: str) -> bool:
    return token.isascii() and token.isalpha()


@functools.lru_cache(maxsize=200_000)
def pinyin_forms(word: str) -> tuple[str, str]:
    """Full pinyin and initials of the Chinese characters in ``word``: 手机 → ("shouji", "sj")."""
    han = "".join(_HAN.findall(word))
    if not han:
        return "", ""
    syllables = [s.lower() for s in lazy_pinyin(han, errors="ignore") if s.isascii() and s.isalpha()]
    return "".join(syllables), "".join(s[:1] for s in syllables)


def _normal_tokens(piece: str) -> list[str]:
    return [t.lower()[:MAX_TOKEN_CHARS] for t in _WORD.findall(piece)]


class Segmenter:
    """A jieba tokenizer with the catalogue's own words (brands, categories, attribute values) added."""

    def __init__(self) -> None:
        self._jieba = jieba.Tokenizer()
        self._words: set[str] = set()
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, bool], list[str]] = {}
        self.version: object = None

    def add_words(self, words: Iterable[str]) -> None:
        with self._lock:
            for raw in words:
                for word in _normal_tokens(clean(raw or "")):
                    if has_han(word) and len(word) >= 2 and word not in self._words:
                        self._words.add(word)
                        self._jieba.add_word(word, freq=None)
                        self._cache = {}

    @property
    def size(self) -> int:
        return len(self._words)

    def knows(self, word: str) -> bool:
        return word in self._words

    def cut(self, text: str, *, for_search: bool = False) -> list[str]:
        """Lower-case word tokens of already cleaned text; search mode adds the sub-words of long words.

        Words never span punctuation or spaces, so the text is cut clause by clause and each
        clause's tokens are cached (catalogue texts repeat clauses a lot).
        """
        tokens: list[str] = []
        for clause in _CLAUSE_SPLIT.split(text):
            if clause:
                tokens.extend(self._cut_clause(clause, for_search))
        return tokens

    def _cut_clause(self, clause: str, for_search: bool) -> list[str]:
        key = (clause, for_search)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        pieces = self._jieba.cut_for_search(clause) if for_search else self._jieba.cut(clause)
        tokens: list[str] = []
        for piece in pieces:
            tokens.extend(_normal_tokens(piece))
        if len(clause) <= CUT_CACHE_TEXT_CHARS:
            if len(self._cache) >= CUT_CACHE_SIZE:
                self._cache = {}
            self._cache[key] = tokens
        return tokens


_segmenter: Segmenter | None = None
_segmenter_lock = threading.Lock()


def segmenter() -> Segmenter:
    """The process's segmenter (jieba loads its dictionary once per process, about a second)."""
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                _segmenter = Segmenter()
    return _segmenter


# --- index side ---------------------------------------------------------------------------------------


def _add_forms(token: str, into: dict[str, None]) -> None:
    into.setdefault(token, None)
    if has_han(token):
        if len(token) >= 2:
            full, initials = pinyin_forms(token)
            if full:
                into.setdefault(full, None)
            if len(initials) >= 2:
                into.setdefault(initials, None)
    elif not token.isalpha() and not token.isdigit():
        for part in _LATIN_DIGIT_SPLIT.findall(token):  # iphone15 → iphone, 15
            into.setdefault(part, None)


def field_tokens(
    texts: Iterable[str], seg: Segmenter | None = None, *, limit: int = MAX_FIELD_TOKENS
) -> tuple[list[str], list[str]]:
    """The tokens of one field, unique and in order: (whole words with their pinyin, initials and
    Latin/digit parts; the sub-words of long words). Sub-words are indexed in the low-weight field,
    so 手机 ranks a phone (whole word) above a phone case (手机壳)."""
    seg = seg or segmenter()
    words: dict[str, None] = {}
    subs: dict[str, None] = {}
    for text in texts:
        cleaned = clean(text or "")
        if not cleaned:
            continue
        for run in _HAN_RUN.findall(cleaned):  # 老人机 may be cut 老人/机: "laorenji" still finds it
            if 2 <= len(run) <= MAX_RUN_CHARS:
                full, initials = pinyin_forms(run)
                words.setdefault(full, None)
                words.setdefault(initials, None)
        precise = seg.cut(cleaned)
        for token in precise:
            _add_forms(token, words)
        whole = set(precise)
        for token in seg.cut(cleaned, for_search=True):
            if token not in whole:
                _add_forms(token, subs)
        if len(words) >= limit:
            break
    return list(words)[:limit], [t for t in subs if t not in words][:limit]


def index_tokens(texts: Iterable[str], seg: Segmenter | None = None, *, limit: int = MAX_FIELD_TOKENS) -> list[str]:
    words, subs = field_tokens(texts, seg, limit=limit)
    return (words + subs)[:limit]


def index_text(texts: Iterable[str], seg: Segmenter | None = None) -> str:
    return " ".join(index_tokens(texts, seg))


def suggestion_keys(text: str) -> list[str]:
    """Prefix keys under which ``text`` is suggested: the text itself, its pinyin and its initials."""
    cleaned = clean(text or "").lower()
    if not cleaned:
        return []
    keys = [cleaned.replace(" ", "")[:100]]
    if has_han(cleaned):
        syllables: list[str] = []
        initials: list[str] = []
        for chunk in _normal_tokens(cleaned):
            if has_han(chunk):
                full, first = pinyin_forms(chunk)
                syllables.append(full)
                initials.append(first)
            else:
                syllables.append(chunk)
                initials.append(chunk[:1])
        keys.extend(["".join(syllables)[:100], "".join(initials)[:100]])
    return [k for k in dict.fromkeys(keys) if k]


# --- query side ---------------------------------------------------------------------------------------


@dataclass
class QueryTerm:
    """One term of a query; it matches when any alternative (all of its tokens) matches."""

    text: str
    alternatives: list[tuple[str, ...]] = field(default_factory=list)
    corrected_to: str | None = None

    def add(self, *tokens: str) -> None:
        alternative = tuple(t for t in tokens if t)
        if alternative and alternative not in self.alternatives:
            self.alternatives.append(alternative)


@dataclass
class ParsedQuery:
    text: str
    terms: list[QueryTerm]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def latin_words(self) -> list[str]:
        return [t.text for t in self.terms if is_latin_word(t.text)]

    def corrected_text(self) -> str | None:
        """The query with corrections applied, when any term was corrected."""
        if not any(t.corrected_to for t in self.terms):
            return None
        return " ".join(t.corrected_to or t.text for t in self.terms)


def _sub_words(word: str, seg: Segmenter) -> tuple[str, ...]:
    """Shorter dictionary words that together cover a long Chinese word (苹果手机 → 苹果, 手机)."""
    parts = [t for t in seg.cut(word, for_search=True) if t != word and len(t) >= 2]
    covered = set()
    for part in parts:
        start = word.find(part)
        if start >= 0:
            covered.update(range(start, start + len(part)))
    return tuple(parts) if parts and len(covered) == len(word) else ()


def parse_query(raw: str | None, seg: Segmenter | None = None) -> ParsedQuery:
    text = clean_query(raw)
    if not text:
        return ParsedQuery("", [])
    seg = seg or segmenter()
    tokens = list(dict.fromkeys(seg.cut(text)))
    meaningful = [t for t in tokens if t not in STOPWORDS]
    tokens = meaningful or tokens
    terms: list[QueryTerm] = []
    for token in tokens[:MAX_QUERY_TERMS]:
        term = QueryTerm(token)
        term.add(token)
        if has_han(token) and len(token) >= 3:
            subs = _sub_words(token, seg)
            if subs:
                term.add(*subs)
        terms.append(term)
    return ParsedQuery(text, terms)


# --- typo distance ----------------------------------------------------------------------------------


def deletes(word: str) -> set[str]:
    """The word and every string one deletion away from it (the SymSpell key set, distance 1)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
