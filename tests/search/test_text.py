"""The text pipeline: cleaning, segmentation with pinyin, query parsing, typo distance, safe query syntax."""

from __future__ import annotations

import pytest

from zizhu.search import text
from zizhu.search.backends import Fts5Backend, PostgresBackend

pytestmark = pytest.mark.smoke


def test_clean_removes_control_format_and_symbol_characters():
    assert text.clean("手\x00机\u200f \u202eiPhone😀 ＡＢＣ") == "手 机 iPhone ABC"


def test_a_very_long_query_is_cut():
    assert len(text.clean_query("手机" * 5000)) == text.MAX_QUERY_CHARS


def test_index_tokens_have_words_pinyin_initials_and_parts():
    tokens = text.index_tokens(["华为 Mate60 手机"])
    for expected in ("华为", "huawei", "hw", "mate60", "mate", "60", "手机", "shouji", "sj"):
        assert expected in tokens


def test_custom_words_keep_brand_names_whole():
    seg = text.Segmenter()
    assert "优品汇" not in seg.cut("优品汇电饭煲")
    seg.add_words(["优品汇"])
    assert "优品汇" in seg.cut("优品汇电饭煲")


def test_pinyin_forms():
    assert text.pinyin_forms("手机") == ("shouji", "sj")
    assert text.pinyin_forms("iPhone") == ("", "")


def test_parse_query_splits_chinese_and_drops_stop_words():
    parsed = text.parse_query("苹果的手机")
    assert [t.text for t in parsed.terms] == ["苹果", "手机"]


def test_parse_query_of_only_symbols_is_empty():
    assert not text.parse_query('" * : - ( ) 😀 \u200f \x00')


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [("apple", "aple", True), ("apple", "appel", True), ("huawei", "huawie", True), ("sony", "sonyy", True),
     ("xiaomi", "xiaomo", True), ("apple", "apply", True), ("apple", "ample", True), ("apple", "pale", False),
     ("huawei", "haweii", False)],
)  # fmt: skip
def test_within_one_edit(a, b, close):
    assert text.within_one_edit(a, b) is close


def test_deletion_keys_meet_for_one_edit():
    assert text.deletes("apple") & text.deletes("aple")
    assert text.deletes("huawei") & text.deletes("huawie")


@pytest.mark.parametrize("raw", ['a" OR "b', "NEAR(a b)", "x*", "col:val", "-a", "(", "a' | b", "\\'"])
def test_compiled_queries_quote_every_token(raw):
    parsed = text.ParsedQuery(raw, [text.QueryTerm(raw, [(raw,)])])
    assert Fts5Backend().compile(parsed) == '"' + raw.replace('"', '""') + '"'
    assert PostgresBackend().compile(parsed) == "'" + raw.replace("\\", "\\\\").replace("'", "''") + "'"


def test_compiled_query_groups_alternatives():
    parsed = text.ParsedQuery(
        "aple 手机", [text.QueryTerm("aple", [("aple",), ("apple",)]), text.QueryTerm("手机", [("手机",)])]
    )
    assert Fts5Backend().compile(parsed) == '("aple" OR "apple") AND "手机"'
    assert PostgresBackend().compile(parsed, any_term=True) == "('aple' | 'apple') | '手机'"
