"""The answers of the probes: /healthz and /readyz."""

from __future__ import annotations

from typing import Literal

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
    """Whether the service can answer /v1 requests; fields appear as the status has them."""

    status: Literal["ready", "loading", "failed", "unavailable"] = Field(
        description="`ready`; `loading` while starting (retry); `failed`: start-up failed (see `detail`); "
        "`unavailable`: the database cannot be reached"
    )
    phase: str | None = Field(
        None, description="while loading or failed: `starting`, `importing demo` or `indexing`"
    )
    done: int | None = Field(None, description="while loading: lines imported or lawyers indexed so far")
    of: int | None = Field(None, description="while loading: lines or lawyers in all")
    detail: str | None = Field(None, description="what went wrong, when failed or unavailable")
    lawyers_indexed: int | None = Field(None, description="when ready: lawyers in the index (the matchable ones)")
    passages: int | None = Field(None, description="when ready: profile passages in the index")
    directory: Directory | None = Field(None, description="when ready: the directory's lawyers, and why some are not matched")
