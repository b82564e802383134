"""Reading the working languages a need asks for."""

from __future__ import annotations

import pytest

from service.matching.reading import read_languages
from tests.unit._readings import codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("团队里需要有人会俄语。", "ru"),
        ("律师需要懂阿拉伯语。", "ar"),
        ("团队里需要有人能看阿拉伯语文本。", "ar"),
        ("需要能直接用俄语跟当地政府部门沟通。", "ru"),
        ("律师需要能读俄文法规。", "ru"),
        ("需要一位英语流利的律师。", "en"),
        ("急需英文好的律师。", "en"),
        ("需要会印尼语。", "id"),
        ("最好懂西语。", "es"),
        ("We need French-speaking counsel.", "fr"),
        ("The lawyer must be fluent in Portuguese.", "pt"),
        ("Our counsel must speak Russian.", "ru"),
        ("We need a Spanish-speaking lawyer.", "es"),
        ("当地政府文件多是阿拉伯语，律师需要能看懂。", "ar"),
    ],
)
def test_reads_required_language(text: str, expected: str) -> None:
    found = read_languages(text)
    assert codes(found) == [expected]
    assert found[0].confidence >= 0.8


@pytest.mark.parametrize(
    "text",
    [
        "We do not need Russian.",
        "We don't need Russian; English is enough for the contract.",
        "不需要会俄语。",
        "不需要俄语。",
        "不要求英语。",
        "俄语不是必须的。",
        "Russian is not required.",
        "We sell to Russian customers.",  # an adjective, not a language requirement
    ],
)
def test_negated_or_adjectival_language_is_not_read(text: str) -> None:
    assert "ru" not in codes(read_languages(text))
    assert "en" not in codes(read_languages(text), 0.8) or "English is enough" in text


def test_negation_does_not_leak_into_the_next_clause() -> None:
    assert codes(read_languages("不需要会俄语，但英语要流利。")) == ["en"]
    assert codes(read_languages("We do not need Russian, but fluent French is a must.")) == ["fr"]


def test_document_language_is_a_softer_reading() -> None:
    found = read_languages("The contract is in French.")
    assert codes(found) == ["fr"] and found[0].confidence < 0.8
    found = read_languages("部分证据是阿拉伯语的。")
    assert codes(found) == ["ar"] and found[0].confidence < 0.8


def test_chinese_is_never_a_requirement() -> None:
    assert read_languages("需要会中文和普通话的律师。") == []
    assert read_languages("The lawyer must speak Mandarin Chinese.") == []


def test_legal_words_containing_a_language_name_are_not_languages() -> None:
    assert read_languages("请提供合法文件。") == []
