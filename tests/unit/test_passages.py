from __future__ import annotations

import dataclasses

import pytest

from embeddings.passages import MAX_PASSAGE_CHARS, Passage, profile_passages, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "代理中国企业处理哈萨克斯坦EPC合同争议。曾撤销泰国恶意抢注商标！精通俄语；会英语吗？",
            [
                "代理中国企业处理哈萨克斯坦EPC合同争议。",
                "曾撤销泰国恶意抢注商标！",
                "精通俄语；",
                "会英语吗？",
            ],
        ),
        (
            (
                "He advised ABC Co., Ltd. on contract No. 5 worth 3.5 million U.S. dollars. "
                "He handles e.g. anti-dumping cases in the U.S. and the EU! Why? Clients ask."
            ),
            [
                "He advised ABC Co., Ltd. on contract No. 5 worth 3.5 million U.S. dollars.",
                "He handles e.g. anti-dumping cases in the U.S. and the EU!",
                "Why?",
                "Clients ask.",
            ],
        ),
        (
            "Partner since 2010.主要业务为跨境并购。Admitted in New York. 曾代理多起ICSID案件。",
            [
                "Partner since 2010.",
                "主要业务为跨境并购。",
                "Admitted in New York.",
                "曾代理多起ICSID案件。",
            ],
        ),
        (
            "Trade remedies, customs, etc. He speaks Russian.",
            ["Trade remedies, customs, etc.", "He speaks Russian."],
        ),
        ("Rates rose 3.5% in 2023, i.e. twice.", ["Rates rose 3.5% in 2023, i.e. twice."]),
        ("  one.   two  three.  ", ["one.", "two three."]),
        ("", []),
        ("   \n\t ", []),
        ("。。！ ... ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_split_sentences_joins_wrapped_lines_but_splits_paragraphs_and_bullets() -> None:
    text = (
        "第一段第一句。第二句\n被折行了。\n\n"
        "A wrapped English\nsentence here.\n1. Represented X.\n- Advised Y"
    )
    assert split_sentences(text) == [
        "第一段第一句。",
        "第二句被折行了。",
        "A wrapped English sentence here.",
        "Represented X.",
        "Advised Y",
    ]


def test_profile_passages_kinds_positions_and_case_splitting() -> None:
    passages = profile_passages(
        "执业二十年。专注一带一路项目。",
        [
            "Represented a Chinese contractor in an EPC arbitration in Kazakhstan. Won.",
            "First step. Second step. Third step.",
        ],
    )
    assert passages == [
        Passage("bio", "执业二十年。", 0),
        Passage("bio", "专注一带一路项目。", 1),
        Passage(
            "case", "Represented a Chinese contractor in an EPC arbitration in Kazakhstan. Won.", 2
        ),
        Passage("case", "First step.", 3),
        Passage("case", "Second step.", 4),
        Passage("case", "Third step.", 5),
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        passages[0].text = "x"  # type: ignore[misc]


def test_profile_passages_deduplicates_identical_texts() -> None:
    passages = profile_passages(
        "Member of ACLA. Member of ACLA.", ["Member of ACLA.", "Other case."]
    )
    assert [(p.kind, p.text) for p in passages] == [
        ("bio", "Member of ACLA."),
        ("case", "Other case."),
    ]
    assert [p.position for p in passages] == [0, 1]


def test_profile_passages_caps_length_without_losing_text() -> None:
    long_en = " ".join(f"arbitration{i}" for i in range(120))  # ~1,500 characters, no end
    long_zh = "".join(f"仲裁{i}，" for i in range(200))
    passages = profile_passages(long_en, [long_zh])
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert " ".join(p.text for p in passages if p.kind == "bio") == long_en
    assert "".join(p.text for p in passages if p.kind == "case") == long_zh


@pytest.mark.parametrize("bio", ["。。", "!!!", "x", "  律师  "])
def test_non_empty_bio_always_gives_a_passage(bio: str) -> None:
    passages = profile_passages(bio, None)
    assert passages and passages[0].kind == "bio" and passages[0].text


def test_empty_profile_gives_no_passages() -> None:
    assert profile_passages(None, None) == []
    assert profile_passages("  ", ["", " "]) == []
