"""Named lawyers judged for a need: the same rules, formula and reasons as a match, or the rule
that excludes each (real database, real encoder, real index)."""

from __future__ import annotations

import json

from service import importing
from service.repositories import lawyers as lawyer_repo
from service.state import Runtime
from tests.conftest import lawyer_record


def _load(runtime: Runtime) -> dict[str, int]:
    records = [
        lawyer_record(external_id="KZ-RU", bio="Represented a Chinese EPC contractor in an ICC arbitration over a solar plant in Kazakhstan."),
        lawyer_record(external_id="KG-RU", countries=["KG"]),  # Central Asia: admitted through the region
        lawyer_record(external_id="KZ-EN", languages=[{"code": "zh", "level": "native"}, {"code": "en", "level": "fluent"}]),
        lawyer_record(external_id="DE-RU", countries=["DE"]),
        lawyer_record(external_id="KZ-SUSP", status="suspended"),
    ]
    importing.import_lawyers(runtime.sessions, [json.dumps(r, ensure_ascii=False) for r in records])
    runtime.load_index()
    with runtime.sessions() as session:
        found = lawyer_repo.by_external_ids(session, [r["external_id"] for r in records])
        return {external_id: lawyer.id for external_id, lawyer in found.items()}


def test_each_named_lawyer_is_scored_or_told_which_rule_excludes_them(runtime: Runtime) -> None:
    ids = _load(runtime)
    query = runtime.matcher.understand("EPC arbitration in Kazakhstan", countries=["KZ"], languages=["ru"])
    judged = runtime.matcher.assess(query, [ids["KZ-RU"], ids["KG-RU"], ids["KZ-EN"], ids["DE-RU"], ids["KZ-SUSP"], 999_999])
    assert [a.lawyer_id for a in judged.values()] == [ids["KZ-RU"], ids["KG-RU"], ids["KZ-EN"], ids["DE-RU"], ids["KZ-SUSP"], 999_999]
    assert judged[ids["KZ-EN"]].excluded_by == "languages"
    assert judged[ids["DE-RU"]].excluded_by == "countries"
    assert judged[ids["KZ-SUSP"]].excluded_by == "recommendable"
    assert judged[999_999].excluded_by == "recommendable"
    exact, near = judged[ids["KZ-RU"]].match, judged[ids["KG-RU"]].match
    assert exact is not None and near is not None
    assert exact.score > near.score
    assert exact.matched["countries"] == ["KZ"] and near.matched["region_countries"] == ["KG"]
    assert exact.evidence is not None and "Kazakhstan" in exact.evidence["text"]
    assert exact.reasons and exact.card is not None and exact.card.external_id == "KZ-RU"


def test_an_assessed_lawyer_scores_as_in_the_ranking(runtime: Runtime) -> None:
    ids = _load(runtime)
    query = runtime.matcher.understand("我们在哈萨克斯坦的光伏电站EPC合同发生争议，需要会俄语的仲裁律师")
    ranked = {m.lawyer.id: m for m in runtime.matcher.match(query, k=10).matches}
    judged = runtime.matcher.assess(query, list(ranked))
    for lawyer_id, match in ranked.items():
        assessed = judged[lawyer_id].match
        assert assessed is not None
        assert assessed.components == match.components
        assert assessed.reasons == match.reasons
