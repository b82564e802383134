"""The fault tests' comparison of searches tolerates encoder noise and nothing more."""

from tests.integration._integrity import SCORE_NOISE, search_differences

WANT = [(88, 381, 0.349), (158, 956, 0.349), (194, 1137, 0.349), (7, 40, 0.31)]


def test_owners_tied_within_noise_may_change_places() -> None:
    got = [(194, 1137, 0.349 + 1e-7), (88, 381, 0.349), (158, 956, 0.349), (7, 40, 0.31)]
    assert search_differences(got, WANT) == []


def test_an_owner_tied_at_the_cut_may_replace_another() -> None:
    got = WANT[:3] + [(9, 55, 0.31 + SCORE_NOISE / 10)]
    assert search_differences(got, WANT) == []


def test_real_differences_are_reported() -> None:
    swapped_scores = [(7, 40, 0.349), (158, 956, 0.349), (194, 1137, 0.349), (88, 381, 0.31)]
    assert any("owner 7" in p for p in search_differences(swapped_scores, WANT))
    stranger = WANT[:3] + [(9, 55, 0.30)]
    assert any("owner 9" in p for p in search_differences(stranger, WANT))
    assert search_differences(WANT[:3], WANT) == ["3 results, 4 expected"]
    shifted = [(o, p, s + 10 * SCORE_NOISE) for o, p, s in WANT]
    assert search_differences(shifted, WANT)
