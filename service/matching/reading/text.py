"""What the readers share: normalisation, the script test, the trie regex, sentence and clause
bounds, the Reading they return, and the lexicon files beside them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from itertools import islice
from typing import Any


@dataclass(frozen=True)
class Reading:
    code: str
    confidence: float
    evidence: str  # the span read


# Same-length normalisation so that spans found in it are spans of the original text.
NORMALISE = str.maketrans({"（": "(", "）": ")", "’": "'", "‘": "'", "，": ",", "\u3000": " "})
EN_WORD = "A-Za-zÀ-ÿ"
_PACKAGE = __name__.rpartition(".")[0]


def is_cjk(s: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in s)


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc  # OpenCC's own tables: traditional characters and phrases to simplified

    return opencc.OpenCC("t2s")


# Words saying a matter is already in someone's hands ("已经委托了律师", "already has a US firm"):
# the practice reader discounts the matter, the place reader sets the place aside.
ZH_IN_HAND = r"(?:已经|已)[^，。,；;]{0,3}?(?:有|找好?了?|请好?了?|委托了?|委任了?|委聘了?|聘请?了?|安排了?|交给了?|由)(?:了)?"
EN_IN_HAND = r"\balready\s+(?:has|have|had|got|retained|engaged|instructed|appointed|hired)"
IN_HAND_BY = r"(?:律师|律所|团队|team|counsel|firm|顾问|事务所)"


def to_simplified(text: str) -> str:
    """The text in simplified characters, character for character (same length, so that spans found
    in it are spans of the original): a Hong Kong or Taiwan desk writes 哈薩克斯坦 and 稅務局, and
    the lexicons are written in simplified characters."""
    if not is_cjk(text):
        return text
    converted: str = _t2s().convert(text)
    if len(converted) != len(text):  # a phrase mapped to another length: convert one by one
        converted = "".join(ch if len(c := _t2s().convert(ch)) != 1 else c for ch in text)
    return converted


def in_original(evidence: str, read_text: str, original: str) -> str:
    """The words of ``original`` at the place ``evidence`` was read from ``read_text`` (its
    same-length simplified form), so that the caller sees their own script."""
    if read_text == original or not evidence:
        return evidence
    at = read_text.find(evidence)
    return original[at:at + len(evidence)] if at >= 0 else evidence


@lru_cache(maxsize=None)
def load_lexicon(name: str) -> Any:
    """The parsed ``lexicons/<name>.json`` shipped with this package (read once; do not mutate)."""
    resource = files(_PACKAGE) / "lexicons" / f"{name}.json"
    return json.loads(resource.read_text(encoding="utf-8"))


def trie_pattern(surfaces: Iterable[str], wildcard: str = "") -> str:
    """One regex alternation factored as a trie: Python's re tries alternatives one by one, so
    2,000 flat alternatives cost ~20 ms a text; a trie branches on the next character. Longer
    continuations are tried before stopping, so the longest surface wins. With ``wildcard``
    set, a trailing "*" in a surface stands for it (a word prefix)."""
    trie: dict[str, Any] = {}
    for s in surfaces:
        node = trie
        for ch in s:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        branches = []
        # a wildcard last: "liquidated damages" must be tried before "liquidat*" stops at "liquidated"
        for ch in sorted((k for k in node if k), key=lambda k: (k == "*", k)):
            if ch == "*" and wildcard:
                branches.append(wildcard + ("" if len(node[ch]) == 1 else emit(node[ch])))
            else:
                branches.append(re.escape(ch) + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


class TermMatcher:
    """Finds the terms of a weighted lexicon in a text, longest first: English terms as whole words
    (a trailing "*" a word prefix), matched with their case when written in capitals, with three
    letters or fewer, or capitalised ("SEP", "Madrid"), without it otherwise; Chinese terms anywhere."""

    def __init__(self, terms: dict[str, list[tuple[str, float]]]) -> None:
        self.terms = terms
        zh_terms = [t for t in terms if is_cjk(t)]
        en_terms = [t.lower() for t in terms if not is_cjk(t)]
        self.pattern = re.compile(
            rf"(?<![{EN_WORD}])(?i:{trie_pattern(en_terms, wildcard=f'[{EN_WORD}]*')})"
            rf"(?![{EN_WORD}])|" + trie_pattern(zh_terms)
        )
        self._starred = sorted((t for t in terms if t.endswith("*")), key=len, reverse=True)
        # a term written in lower case is what its other casings mean ("The union" is "the union"; only
        # "the Union" itself, the EU's, is its own entry)
        self._folded = {t.lower(): t for t in sorted(terms, key=lambda t: t == t.lower())
                        if not t.endswith("*") and not self._case_sensitive(t)}
        self._found: dict[str, str | None] = {}

    @staticmethod
    def _case_sensitive(term: str) -> bool:
        stem = term.rstrip("*")
        return stem.isupper() or len(stem) <= 3 or stem[0].isupper()

    def which(self, found: str) -> str | None:
        """The lexicon term a match of the pattern stands for (None: a case-sensitive term in the wrong case)."""
        if found in self._found:
            return self._found[found]
        term: str | None = None
        if found in self.terms:
            term = found
        else:
            low = found.lower()
            term = self._folded.get(low)
            if term is None:
                for starred in self._starred:
                    stem = starred[:-1]
                    if low.startswith(stem.lower()) and (not self._case_sensitive(starred) or found.startswith(stem)):
                        term = starred
                        break
        if len(self._found) < 16384:
            self._found[found] = term
        return term


_SENT_END = re.compile(r"[。！？!?；;\n]|\.(?:\s|$|[)）\"”’](?:\s|$))")  # "(... act here.) FYI" ends there
# Chat and voice-to-text Chinese separate clauses by spaces alone ("律师要会英语 这个是必须的 马来语的文件…"),
# but not a list of languages ("阿语 英语都要会").
_CLAUSE = re.compile(r"[。；;！!？?\n]|\.(?:\s|$)|[，,、](?!\s*(?:and|or)\b)|\bbut\b|但|(?<!好)不过(?!关)|而且|"  # not "再好不过", "不过关"
                     r"(?<=[\u4e00-\u9fff])(?<![语文])\s+(?=[\u4e00-\u9fff])")


def sentence_bounds(text: str, start: int, end: int, *, with_stop: bool = False) -> tuple[int, int]:
    """(start, end) of the sentence holding text[start:end]; with_stop keeps its final mark (a question's "?")."""
    lo = 0
    for m in _SENT_END.finditer(text, max(0, start - 200), start):
        lo = m.end()
    after = _SENT_END.search(text, end)
    if not after:
        return lo, len(text)
    return lo, after.end() if with_stop else after.start()


def sentence_around(text: str, start: int, end: int, *, with_stop: bool = False) -> str:
    """The sentence holding text[start:end]; with_stop keeps its final mark (a question's "?")."""
    lo, hi = sentence_bounds(text, start, end, with_stop=with_stop)
    return text[lo:hi]


def line_end(text: str, at: int) -> int:
    """Where the line holding position ``at`` ends (its newline, or the end of the text)."""
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every clause of the text, in order."""
    spans, lo = [], 0
    for m in _CLAUSE.finditer(text):
        spans.append((lo, m.start()))
        lo = m.end()
    return [*spans, (lo, len(text))]


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = 0
    # one character past the start, for the look-ahead of a space that ends a clause
    for m in _CLAUSE.finditer(text, 0, start + 1):
        if m.end() <= start:
            lo = m.end()
    after = _CLAUSE.search(text, end)
    return lo, (after.start() if after else len(text))


# A mail pasted into a need: its header lines, subject line, and where its quoted history starts
MAIL_HEADER = re.compile(r"^[ \t>]*(?:from|sent|to|cc|bcc|date|发件人|收件人|抄送|发送时间|时间|寄件者|寄件人|收件者|副本|寄件日期|"
                         r"date)\s*[:：].*$|"
                         r"^[ \t>]*-{2,}\s*(?:original message|forwarded message|原始邮件|原始郵件|转发邮件|轉寄郵件)\s*-{2,}.*$", re.I | re.M)
# Where a mail's quoted history starts: a separator, a quoted line, "On … wrote:", "Earlier msg:",
# or a second header ("From:" after the body); what is above it is the latest word
HISTORY_START = re.compile(r"^[ \t]*(?:-{2,}\s*(?:original message|forwarded message|原始邮件|原始郵件|转发邮件|轉寄郵件)\s*-{2,}|"
                           r"-{2,}\s*(?:earlier|previous|prior|older)\b[^\n]{0,60}?-{2,}|"  # "--- Earlier (Ms. Zhao, 9 May) ---"
                           r"_{5,}\s*$|begin forwarded message|>|on\s[^\n]{4,80}\swrote\s*:|[^\n]{1,30}(?:写道|寫道)\s*[:：]|"
                           r"(?:earlier|original|previous|prior)\s+(?:msg|message|mail|e-?mail|request)\s*[:：]|原邮件|原郵件|之前的邮件|"
                           r"(?:from|发件人|寄件者|寄件人)\s*[:：])", re.I | re.M)
SUBJECT_LINE = re.compile(r"^[ \t>]*(?:subject|主题|主旨|主題|事由)\s*[:：].*$|"
                          r"^[ \t>]*(?:(?:fwd?|re)\s*:\s*)+(?=\S)[^\n.!?。！？]{0,90}$", re.I | re.M)  # "Fwd: Re: Re: counsel for Egypt / Ethiopia", not a body's line


# "（引用上月需求）「需要日本律师…」——此事已经与房东和解，不用再找了。现在有新的需要：…",
# "Ref. our request of 2 May below:\n> Need a Polish lawyer … please disregard. What we need now …": an old
# request quoted, then replaced
_QUOTED_REQUEST = re.compile(r"^[ \t]*>[^\n]*|[『「“\"][^』」”\"\n]{8,600}[』」”\"]", re.M)
_REPLACED = re.compile(r"不用再找|不再需要|不需要了|已经?和解|已和解|取消了|搁置|作罢|改到|改为|换成|(?i:\bdisregard\b|\binstead\b|"
                       r"\boff\s+the\s+table\b|\bis\s+off\b|\bsettled\b|\bno\s+longer\s+(?:needed|required)\b|\bscrap\s+that\b)")
MAX_QUOTES = 60


def replaced_requests(norm: str) -> list[tuple[int, int]]:
    """The spans of quoted old requests, when the words around them say the request was replaced."""
    quoted = [m.span() for m in islice(_QUOTED_REQUEST.finditer(norm), MAX_QUOTES)]
    if not quoted:
        return []
    outside = "".join(norm[b:a] for (_, b), (a, _) in zip([(0, 0), *quoted], [*quoted, (len(norm), len(norm))]))
    return quoted if _REPLACED.search(outside) else []


def history_start(norm: str) -> int | None:
    """Where a forwarded or replied mail's quoted history begins, if below some text of the latest mail."""
    body_seen = False
    offset = 0
    for line in norm.split("\n"):
        if HISTORY_START.match(line):
            if body_seen:
                return offset
        elif line.strip() and not MAIL_HEADER.match(line) and not SUBJECT_LINE.match(line):
            body_seen = True
        offset += len(line) + 1
    return None


# "设汽配厂", "在墨西哥建个电池工厂", "去泰国开一家分公司": a plant or an entity set up, whatever words stand
# between the verb and the plant (read as outbound investment, and the market it sells to as no target)
ZH_SETS_UP = re.compile(r"(?:设|建|开|办|新建|投建|设立)(?:个|一个|一家|一座|了)?[^\s，。,；;、？?！!]{0,6}?(?:厂|工厂|组装厂|基地|分公司|子公司|工业园)")
