"""Example requests and answers shown in the OpenAPI document (and so in /docs).

Plain JSON values, one demo lawyer throughout; tests/api/test_openapi.py validates each against
its model, so an example cannot drift from what the service accepts or answers.
"""

from __future__ import annotations

from typing import Any

_AT = "2026-11-21T09:30:00Z"
_EXPIRES = "2027-11-21T09:30:00Z"

MATCH_REQUEST: dict[str, Any] = {
    "description": "我们在哈萨克斯坦的光伏电站EPC合同发生争议，需要会俄语的仲裁律师",
    "k": 3,
}
MATCH_REQUEST_EN: dict[str, Any] = {
    "description": "Anti-dumping investigation by the European Commission into our steel exports; need counsel in Brussels",
    "countries": ["BE"],
    "k": 3,
}

_CARD: dict[str, Any] = {
    "id": 453,
    "external_id": "L-000453",
    "name": "何嘉怡",
    "name_en": "He Jiayi",
    "firm": "上海弘毅律师事务所",
    "firm_en": "Shanghai Hongyi Law Firm",
    "city": "上海",
    "years_of_practice": 17,
    "countries": ["KG", "KZ"],
    "offices": [],
    "practice_areas": ["compliance_anticorruption", "energy_resources"],
    "languages": [{"code": "zh", "level": "native"}, {"code": "en", "level": "working"}, {"code": "ru", "level": "working"}],
    "talent_pools": ["provincial_leading"],
    "hourly_rate": {"min": 1200.0, "max": 3900.0, "currency": "CNY"},
}
_EVIDENCE_TEXT = "为某中资企业在吉尔吉斯斯坦开发光伏电站，谈判购电协议并取得发电许可及并网批复。"

MATCH_RESPONSE: dict[str, Any] = {
    "need_id": None,
    "understood": {
        "countries": [{"code": "KZ", "confidence": 0.95, "source": "read", "evidence": "哈萨克斯坦", "binding": True}],
        "languages": [{"code": "ru", "confidence": 0.92, "source": "read", "evidence": "俄语", "binding": True}],
        "practice_areas": [
            {"code": "international_arbitration", "confidence": 0.775, "source": "read", "evidence": "仲裁", "binding": False},
            {"code": "energy_resources", "confidence": 0.647, "source": "read", "evidence": "光伏", "binding": False},
        ],
        "matter_types": [
            {"code": "international_arbitration/construction_disputes", "confidence": 0.7, "source": "read", "evidence": "EPC", "binding": False},
        ],
        "places": [{"code": "KZ", "role": "target", "evidence": "哈萨克斯坦", "binding": True, "members": []}],
    },
    "eligible": 81,
    "results": [
        {
            "rank": 1,
            "lawyer": _CARD,
            "score": 0.8682,
            "components": {"country": 0.95, "practice": 0.8348, "matter": 0.8143, "language": 1.0, "credentials": 0.6123, "track_record": 0.5},
            "matched": {"countries": ["KZ"], "region_countries": [], "languages": ["ru"], "practice_areas": ["energy_resources"], "matter_types": []},
            "reasons": ["服务国家：哈萨克斯坦", "工作语言：俄语（工作语言）", "执业领域：能源与矿产", f"最相关经历：{_EVIDENCE_TEXT}", "执业17年、省级领军人才"],
            "evidence": {"text": _EVIDENCE_TEXT, "kind": "bio", "similarity": 0.5572},
        }
    ],
    "empty_because": None,
}
NEED_MATCH_RESPONSE: dict[str, Any] = {**MATCH_RESPONSE, "need_id": 1}

NEED_CREATE: dict[str, Any] = {
    "external_id": "SP-2026-017",
    "enterprise": "Sunpower EPC Co., Ltd.",
    "industry": "solar power",
    "description": "Our EPC contract for a solar plant in Kazakhstan is in dispute; we need arbitration counsel who speaks Russian",
    "countries": ["KZ"],
    "languages": ["ru"],
    "practice_areas": ["international_arbitration", "construction_infrastructure"],
    "budget": {"max": 3000, "currency": "CNY", "unit": "hour"},
    "preferred_cities": ["上海"],
    "counterparties": ["Kazakh Grid Co., Ltd.", "哈萨克电网有限公司"],
    "contact_email": "legal@sunpower-epc.cn",
}
NEED_PUBLIC: dict[str, Any] = {
    **NEED_CREATE,
    "id": 1,
    "budget": {"max": 3000.0, "currency": "CNY", "unit": "hour"},
    "organisation": "sunpower-epc",
    "created_at": _AT,
}
NEED_PAGE: dict[str, Any] = {"items": [NEED_PUBLIC], "total": 1, "offset": 0, "limit": 20}

_PROFILE: dict[str, Any] = {
    "name": "何嘉怡",
    "name_en": "He Jiayi",
    "firm": "上海弘毅律师事务所",
    "firm_en": "Shanghai Hongyi Law Firm",
    "city": "上海",
    "years_of_practice": 17,
    "bar_admissions": ["CN"],
    "countries": ["KG", "KZ"],
    "offices": [],
    "practice_areas": ["energy_resources", "compliance_anticorruption"],
    "languages": [{"code": "zh", "level": "native"}, {"code": "ru", "level": "working"}],
    "bio": _EVIDENCE_TEXT,
    "cases": [],
    "talent_pools": ["provincial_leading"],
    "hourly_rate": {"min": 1200, "max": 3900, "currency": "CNY"},
    "accepting_clients": True,
}
_CONTACT: dict[str, Any] = {"license_no": "13101200910000453", "email": "he.jiayi@hongyi-law.cn", "phone": "+86 21 5555 0453"}

LAWYER_CREATE: dict[str, Any] = {**_PROFILE, **_CONTACT, "consent_listing": True, "consent_contact_sharing": False}
LAWYER_UPDATE: dict[str, Any] = {"countries": ["KG", "KZ", "UZ"], "accepting_clients": True}

CONSENT_UPDATE: dict[str, Any] = {"listing": True, "contact_sharing": True}
CONSENT_VIEW: dict[str, Any] = {
    "consent_listing": True,
    "consent_listing_at": _AT,
    "consent_contact_sharing": True,
    "consent_contact_sharing_at": _AT,
}

LAWYER_PUBLIC: dict[str, Any] = {
    **_PROFILE,
    "id": 453,
    "external_id": "L-000453",
    "hourly_rate": {"min": 1200.0, "max": 3900.0, "currency": "CNY"},
    "status": "verified",
    "verified_at": _AT,
    "last_verified_at": _AT,
    "verification_expires_at": _EXPIRES,
    "updated_at": _AT,
}
_CAPACITY: dict[str, Any] = {"max_open_engagements": 3, "open_engagements": 1, "at_capacity": False, "adverse_parties": ["Almaty Power JSC", "阿拉木图电力"]}
LAWYER_PRIVATE: dict[str, Any] = {**LAWYER_PUBLIC, **_CONTACT, **CONSENT_VIEW, **_CAPACITY, "created_at": _AT}
_PENDING = {"status": "pending", "verified_at": None, "last_verified_at": None, "verification_expires_at": None}
REGISTERED: dict[str, Any] = {
    **LAWYER_PRIVATE,
    **_PENDING,
    "external_id": None,
    "consent_contact_sharing": False,
    "consent_contact_sharing_at": None,
    "management_token": "lt_3q2F0m6bW1yXhQy3n0tV8sJ0cK4pZ7eR2uL9aD5gH1w",
}
MANAGEMENT_TOKEN: dict[str, Any] = {"management_token": "lt_9xK2mP4qR7sT1vW3yZ5bC8dF0gH2jL4nQ6rS8tV0wX2"}

VERIFY: dict[str, Any] = {"reason": "practising certificate checked with the Shanghai Bar Association"}
SUSPEND: dict[str, Any] = {"reason": "complaint upheld by the bar association; suspended pending review"}
REISSUE: dict[str, Any] = {"reason": "identity checked by video call against the practising certificate"}

IMPORT_LINES = (
    '{"external_id": "L-000453", "name": "何嘉怡", "license_no": "13101200910000453", "countries": ["KZ"], '
    '"practice_areas": ["energy_resources"], "languages": [{"code": "ru", "level": "working"}], "status": "verified"}\n'
)
IMPORT_SUMMARY: dict[str, Any] = {
    "committed": False,
    "created": 0,
    "updated": 0,
    "unchanged": 0,
    "rejected": [{"line": 2, "external_id": "L-000454", "reason": "license_no: Field required"}],
    "rejected_total": 1,
}

KEY_CREATE: dict[str, Any] = {"name": "Sunpower EPC legal desk", "role": "enterprise", "organisation": "sunpower-epc"}
KEY_PUBLIC: dict[str, Any] = {**KEY_CREATE, "id": 1, "prefix": "mk_epNOYbp", "created_at": _AT, "revoked_at": None}
KEY_CREATED: dict[str, Any] = {**KEY_PUBLIC, "api_key": "mk_epNOYbp6-Xq1cV8zR2tL5wB9nM3kJ7hG4fD0sA"}
KEY_REVOKED: dict[str, Any] = {**KEY_PUBLIC, "revoked_at": _EXPIRES}
REINDEXED: dict[str, Any] = {"lawyers": 1629, "passages": 7088}
AUDIT_PAGE: dict[str, Any] = {
    "items": [
        {
            "id": 12,
            "at": _AT,
            "actor": "admin:admin",
            "action": "status_changed",
            "lawyer_id": 453,
            "reason": SUSPEND["reason"],
            "before": {"status": "verified"},
            "after": {"status": "suspended"},
        }
    ],
    "total": 1,
    "offset": 0,
    "limit": 50,
}

WEBHOOK_CREATE: dict[str, Any] = {
    "url": "https://platform.example.com/hooks/matchmaker",
    "event_types": ["request.accepted", "request.expired", "lawyer.verified"],
    "description": "the trade-fair platform's request board",
}
WEBHOOK_PUBLIC: dict[str, Any] = {
    "id": 3,
    "url": "https://platform.example.com/hooks/matchmaker",
    "event_types": ["request.accepted", "request.expired", "lawyer.verified"],
    "active": True,
    "description": "the trade-fair platform's request board",
    "owner_role": "bureau",
    "organisation": "上海市商务委员会",
    "created_at": _AT,
    "updated_at": _AT,
}
WEBHOOK_CREATED: dict[str, Any] = {**WEBHOOK_PUBLIC, "secret": "whsec_Jq1HgM0n2o7cTBk7yZ9v3qgkH8Wx0f3cN5pQ2rL6sYw"}
WEBHOOK_UPDATE: dict[str, Any] = {"active": False}
WEBHOOK_PAGE: dict[str, Any] = {"items": [WEBHOOK_PUBLIC], "total": 1, "offset": 0, "limit": 20}
DELIVERY: dict[str, Any] = {
    "id": 41,
    "subscription_id": 3,
    "event_id": "0b6f4a52-3c1e-4c0e-9a43-2f9e6f6f1d7e",
    "event_type": "lawyer.verified",
    "status": "succeeded",
    "attempts": 2,
    "next_attempt_at": None,
    "created_at": _AT,
    "last_attempt_at": "2026-11-21T09:30:12Z",
    "delivered_at": "2026-11-21T09:30:12Z",
    "response_status": 204,
    "response_excerpt": "",
    "error": None,
    "replay_of": None,
}
DELIVERY_PAGE: dict[str, Any] = {"items": [DELIVERY], "total": 1, "offset": 0, "limit": 20}
DELIVERY_REPLAY: dict[str, Any] = {
    **DELIVERY,
    "id": 57,
    "status": "pending",
    "attempts": 0,
    "next_attempt_at": "2026-11-22T08:00:00Z",
    "created_at": "2026-11-22T08:00:00Z",
    "last_attempt_at": None,
    "delivered_at": None,
    "response_status": None,
    "response_excerpt": None,
    "replay_of": 41,
}

HEALTH: dict[str, Any] = {"status": "ok"}
READY: dict[str, Any] = {
    "status": "ready",
    "lawyers_indexed": 1629,
    "passages": 7088,
    "directory": {
        "lawyers": 2000,
        "matchable": 1629,
        "not_matched": {
            "pending": 157,
            "suspended": 88,
            "verification_lapsed": 0,
            "not_accepting_clients": 126,
            "no_listing_consent": 0,
        },
    },
}
LOADING: dict[str, Any] = {
    "type": "about:blank",
    "title": "Service Unavailable",
    "status": 503,
    "detail": "the service is starting: indexing (800 of 2000); retry in 5 s",
    "state": "loading",
    "phase": "indexing",
    "done": 800,
    "of": 2000,
}


def request(value: Any, summary: str) -> dict[str, dict[str, Any]]:
    """`openapi_examples` of a request body: one named example."""
    return {"example": {"summary": summary, "value": value}}


def answer(value: Any, description: str, media_type: str = "application/json") -> dict[str, Any]:
    """One entry of a route's `responses`: what the answer means, with an example of it."""
    return {"description": description, "content": {media_type: {"example": value}}}


# ---- consultation requests ------------------------------------------------------------------

REQUEST_CHOSEN: dict[str, Any] = {"lawyer_ids": [453, 1207]}
REQUEST_AUTO: dict[str, Any] = {"auto": True}
DECLINE: dict[str, Any] = {"reason": "I act for the counterparty's parent company"}
WITHDRAW: dict[str, Any] = {"reason": "the dispute was settled"}
CLOSE: dict[str, Any] = {"rating": 5, "solved": True}
_REQUEST_LAWYER: dict[str, Any] = {"id": 453, "name": "何嘉怡", "name_en": "He Jiayi", "firm": "上海弘毅律师事务所", "firm_en": "Shanghai Hongyi Law Firm"}
REQUEST_VIEW: dict[str, Any] = {
    "id": 31,
    "need_id": 1,
    "lawyer": _REQUEST_LAWYER,
    "state": "accepted",
    "round": 1,
    "auto": True,
    "created_at": _AT,
    "deadline_at": "2026-11-21T10:30:00Z",
    "answered_at": "2026-11-21T09:42:10Z",
    "engaged_at": None,
    "closed_at": None,
    "reason": None,
    "rating": None,
    "solved": None,
    "contact": {"email": "he.jiayi@hongyi-law.cn", "phone": "+86 21 5555 0453"},
}
REQUEST_LIST: dict[str, Any] = {"need_id": 1, "items": [REQUEST_VIEW]}
_INBOX_NEED: dict[str, Any] = {
    "id": 1,
    "enterprise": "Sunpower EPC Co., Ltd.",
    "description": NEED_CREATE["description"],
    "countries": ["KZ"],
    "languages": ["ru"],
    "practice_areas": ["international_arbitration", "construction_infrastructure"],
}
INBOX_ITEM: dict[str, Any] = {
    "id": 31,
    "state": "pending",
    "round": 1,
    "created_at": _AT,
    "deadline_at": "2026-11-21T10:30:00Z",
    "answered_at": None,
    "need": _INBOX_NEED,
}
INBOX_PAGE: dict[str, Any] = {"items": [INBOX_ITEM], "total": 1, "offset": 0, "limit": 20}

_WAITS: dict[str, Any] = {"needs": 40, "accepted": 37, "median_seconds": 1260.0, "p90_seconds": 3310.0, "within_hour_share": 0.9}
RESPONSE_TIMES: dict[str, Any] = {
    "since": "2026-11-01T00:00:00Z",
    "until": None,
    "overall": _WAITS,
    "by_country": {"KZ": {"needs": 12, "accepted": 12, "median_seconds": 840.0, "p90_seconds": 2400.0, "within_hour_share": 1.0}},
    "by_practice_area": {"international_arbitration": _WAITS},
}
