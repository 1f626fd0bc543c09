"""Typo tolerance and "did you mean", against the vocabulary of the catalogue (``SearchTerm``).

A Latin word of four or more letters that is not in the vocabulary is expanded with the
vocabulary terms one edit away (insertion, deletion, substitution or swap of neighbours),
found with one indexed look-up of deletion variants (SymSpell). Chinese words that find
nothing are corrected through their pinyin: 首机 (shouji) → 手机.
"""

from __future__ import annotations

from zizhu.search import text
from zizhu.search.models import SearchTerm, SearchTermVariant

MIN_TYPO_CHARS = 4
MAX_EXPANSIONS = 3


def expand_typos(parsed: text.ParsedQuery) -> None:
    """Add corrections as alternatives of the query's unknown Latin words (one query at most)."""
    words = [t for t in parsed.terms if text.is_latin_word(t.text) and len(t.text) >= MIN_TYPO_CHARS]
    if not words:
        return
    keys: set[str] = set()
    for term in words:
        keys |= text.deletes(term.text)
    rows = set(
        SearchTermVariant.objects.filter(variant__in=sorted(keys)).values_list(
            "term__term", "term__display", "term__weight"
        )
    )
    known = {row[0] for row in rows}
    for term in words:
        if term.text in known:
            continue
        candidates = sorted(
            (row for row in rows if text.within_one_edit(term.text, row[0])), key=lambda r: (-r[2], r[0])
        )[:MAX_EXPANSIONS]
        for candidate, _display, _weight in candidates:
            term.add(candidate)
        if candidates:
            term.corrected_to = candidates[0][0]


def correct_query(parsed: text.ParsedQuery) -> str | None:
    """A better query for one that found nothing: Chinese words replaced by the catalogue word
    with the same pinyin. ``None`` when there is nothing better to offer."""
    pinyin_of: dict[str, str] = {}
    for term in parsed.terms:
        if text.has_han(term.text) and len(term.text) >= 2:
            full, _initials = text.pinyin_forms(term.text)
            if full:
                pinyin_of[term.text] = full
    if not pinyin_of:
        return None
    shown = dict(SearchTerm.objects.filter(term__in=set(pinyin_of.values())).values_list("term", "display"))
    changed = False
    words = []
    for term in parsed.terms:
        replacement = shown.get(pinyin_of.get(term.text, ""))
        if replacement and replacement != term.text:
            changed = True
            words.append(replacement)
        else:
            words.append(term.corrected_to or term.text)
    return " ".join(words) if changed else None
