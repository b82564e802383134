"""What text a lawyer profile becomes in the vector index.

A profile is embedded sentence by sentence, not as one block: a need such as "EPC arbitration
in Kazakhstan" should meet the one sentence that says so, and that sentence is then shown as
the evidence of the match. This module is the only place that decides the split.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

MAX_PASSAGE_CHARS = 500
# A case of up to this many sentences stays one passage, so that its parts keep their context.
CASE_SENTENCES_KEPT_WHOLE = 2

BIO = "bio"
CASE = "case"

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CLOSERS = "\"'”’」』）)】》"
# Never a sentence end when the word before the period is one of these.
_ABBREVIATIONS = frozenset(
    """co ltd inc corp corps plc llc llp no nos mr mrs ms dr prof sr jr st vs v art arts para
    paras sec ch vol pp p fig approx dept gov univ assn bros jan feb mar apr jun jul aug sep sept
    oct nov dec""".split()
)
# A sentence end only when a capitalised (or Chinese) word follows: "customs, etc. He ...".
_SOFT_ABBREVIATIONS = frozenset({"etc"})
_INITIALS = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]?$")  # e.g, i.e, U.S, P.R.C
_STRONG_END = re.compile(rf"[。！？；]+[{_CLOSERS}]*")
_LATIN_END = re.compile(rf"[.!?]+[{_CLOSERS}]*(?=\s|$|[{_CJK}])")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=[ \t]*(?:[-•*·●▪◦]|\d+[.、)]|[（(]\d+[)）]))")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_BULLET = re.compile(r"^(?:[-•*·●▪◦]\s*|\d+[、)]\s*|\d+\.\s+|[（(]\d+[)）]\s*)")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class Passage:
    kind: str  # "bio" or "case"
    text: str
    position: int  # order within the profile's passages, from 0


def split_sentences(text: str) -> list[str]:
    """Split Chinese, English or mixed text into stripped, non-empty sentences.

    Chinese ends (。！？；) always split; "." splits only before whitespace or a Chinese
    character and not after an abbreviation (Co., Ltd., No., e.g., U.S.), so decimals such as
    3.5 stay whole. A blank line or a bulleted line also starts a new sentence, but a single
    line break does not: text pasted from a PDF is hard-wrapped mid-sentence.
    """
    sentences: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        paragraph = _LINE_BREAK.sub(_join_line, paragraph)
        for sentence in _split_paragraph(paragraph):
            sentence = _SPACES.sub(" ", _BULLET.sub("", sentence.strip())).strip()
            if _WORD.search(sentence):  # drops empties and bare punctuation
                sentences.append(sentence)
    return sentences


def profile_passages(bio: str | None, cases: Sequence[str] | None) -> list[Passage]:
    """The passages of one profile: each bio sentence, then each case (split when long).

    Identical texts are kept once; a sentence longer than MAX_PASSAGE_CHARS is cut into pieces
    at a space or comma so that nothing is lost. A non-empty bio always yields a passage.
    """
    items: list[tuple[str, str]] = []
    bio_sentences = split_sentences(bio or "")
    if not bio_sentences and bio and bio.strip():
        bio_sentences = [_SPACES.sub(" ", bio.strip())]
    items.extend((BIO, s) for s in bio_sentences)
    for case in cases or ():
        sentences = split_sentences(case)
        if len(sentences) <= CASE_SENTENCES_KEPT_WHOLE:
            sentences = [_join_sentences(sentences)] if sentences else []
        items.extend((CASE, s) for s in sentences)

    passages: list[Passage] = []
    seen: set[str] = set()
    for kind, sentence in items:
        for piece in _cap(sentence):
            if piece not in seen:
                seen.add(piece)
                passages.append(Passage(kind, piece, len(passages)))
    return passages


def _split_paragraph(paragraph: str) -> Iterator[str]:
    start = 0
    for end in _sentence_ends(paragraph):
        yield paragraph[start:end]
        start = end
    yield paragraph[start:]


def _sentence_ends(text: str) -> list[int]:
    ends = [m.end() for m in _STRONG_END.finditer(text)]
    for match in _LATIN_END.finditer(text):
        if match.group().startswith(".") and _is_abbreviation(text, match.start(), match.end()):
            continue
        ends.append(match.end())
    return sorted(set(ends))


def _is_abbreviation(text: str, dot: int, end: int) -> bool:
    if text[dot:end].startswith(".."):  # an ellipsis ends a sentence
        return False
    word = text[:dot].rsplit(None, 1)[-1] if text[:dot].strip() else ""
    word = word.lstrip("(\"'“‘（[").lower()
    if not word:
        return False
    if word.isdigit() and not text[:dot].strip()[: -len(word)].strip():
        return True  # "1. Represented ..." numbers a list item
    if word in _ABBREVIATIONS or _INITIALS.match(word):
        return True
    if word in _SOFT_ABBREVIATIONS:
        following = text[end:].lstrip()[:1]
        return not (following.isupper() or re.match(f"[{_CJK}]", following))
    return False


def _join_line(match: re.Match[str]) -> str:
    # A wrapped line joins without a space between Chinese characters, with one otherwise.
    text = match.string
    before = text[match.start() - 1] if match.start() else ""
    after = text[match.end()] if match.end() < len(text) else ""
    if re.match(f"[{_CJK}]", before) or re.match(f"[{_CJK}]", after):
        return ""
    return " "


def _join_sentences(sentences: Sequence[str]) -> str:
    out = ""
    for sentence in sentences:
        if out and not (re.match(f"[{_CJK}]", out[-1]) or re.match(f"[{_CJK}]", sentence[0])):
            out += " "
        out += sentence
    return out


def _cap(text: str) -> Iterator[str]:
    while len(text) > MAX_PASSAGE_CHARS:
        window = text[:MAX_PASSAGE_CHARS]
        cut = max(window.rfind(c) for c in " ，,、；;")
        if cut < MAX_PASSAGE_CHARS // 2:  # no natural break in the second half: cut hard
            cut = MAX_PASSAGE_CHARS
        else:
            cut += 1
        yield text[:cut].strip()
        text = text[cut:].strip()
    if text:
        yield text
