"""Build ``service/matching/reading/lexicons/typo_words.json``: the English words that are one letter
from a country's or city's name ("surname" from Suriname, "Cameron" from Cameroon), so that the need
reader does not take them for a misspelt place (see ``places._misspelt_places``). From wordfreq's
200,000 most frequent English words, leaving out the misspellings themselves ("afganistan"): a word
much rarer than the place's name.

    pip install -e ".[lexicons]" && python scripts/build_typo_words.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from wordfreq import top_n_list, zipf_frequency

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from service.matching.reading.places import TYPO_MIN_LETTERS, _gazetteer, misspelt_codes, one_letter_apart  # noqa: E402

OUT = REPO / "service" / "matching" / "reading" / "lexicons" / "typo_words.json"


def _a_word(word: str, exact: dict, folded: dict) -> bool:
    """A word in its own right, not a misspelling of the place: common ("surname", "germans"), or
    nearly as common as the place's name ("Cameron" beside Cameroon); "afganistan" is a misspelling."""
    frequency = zipf_frequency(word, "en")
    names = [n for n, place in [*exact.items(), *folded.items()]
             if place.code in misspelt_codes(word) and n.isascii() and one_letter_apart(word, n.lower())]
    return frequency >= 3.0 or frequency >= max(zipf_frequency(n.lower(), "en") for n in names) - 1.0


def main() -> None:
    exact, folded, _ = _gazetteer(True)
    words = sorted(
        w for w in top_n_list("en", 200_000)
        if len(w) >= TYPO_MIN_LETTERS and w.isascii() and w.isalpha() and w not in folded
        and w.capitalize() not in exact and misspelt_codes(w) and _a_word(w, exact, folded)
    )
    OUT.write_text(json.dumps({
        "about": "English words one letter from a country's or city's name; never read as a misspelt place. "
                 "From wordfreq's 200,000 most frequent English words, built by scripts/build_typo_words.py.",
        "words": words,
    }, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
