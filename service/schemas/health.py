"""The answers of the probes: /healthz and /readyz."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: Literal["ok"] = Field(description="always `ok` while the process answers")


class NotMatched(BaseModel):
    """Lawyers of the directory who are never recommended, by the first rule they fail."""

    pending: int = Field(description="registered or imported, not yet verified by an administrator")
    suspended: int = Field(description="suspended by an administrator")
    verification_lapsed: int = Field(description="verified, but the verification ran out (MATCHMAKER_VERIFICATION_VALID_DAYS)")
    not_accepting_clients: int = Field(description="verified, but not accepting clients now")
    no_listing_consent: int = Field(description="verified and accepting, but not consenting to be listed")


class Directory(BaseModel):
    lawyers: int = Field(description="lawyers in the database")
    matchable: int = Field(description="lawyers who may be recommended: verified, current, accepting clients, listed")
    not_matched: NotMatched = Field(description="why the others are not")


class Readiness(BaseModel):
    """The service answers /v1 requests."""

    status: Literal["ready"] = Field(description="always `ready`; any other state is a 503 (NotReady)")
    lawyers_indexed: int = Field(description="lawyers in the index (the matchable ones)")
    passages: int = Field(description="profile passages in the index")
    directory: Directory = Field(description="the directory's lawyers, and why some are not matched")


class NotReady(BaseModel):
    """A 503 problem+json (RFC 9457) with the readiness state and, while loading, its progress."""

    type: str = Field(description="`about:blank`")
    title: str = Field(description="`Service unavailable`")
    status: Literal[503] = Field(description="the HTTP status")
    detail: str = Field(description="what the service is doing, or what went wrong")
    state: Literal["loading", "failed", "unavailable"] = Field(
        description="`loading` while starting (retry after Retry-After); `failed`: start-up failed (see `detail`); "
        "`unavailable`: the database cannot be reached"
    )
    phase: str | None = Field(None, description="while loading or failed: `starting`, `importing demo` or `indexing`")
    done: int | None = Field(None, description="while loading: lines imported or lawyers indexed so far")
    of: int | None = Field(None, description="while loading: lines or lawyers in all")

    @classmethod
    def schema_inline(cls) -> dict[str, Any]:
        # inline under application/problem+json: FastAPI's `model=` would file it under application/json
        return cls.model_json_schema()
