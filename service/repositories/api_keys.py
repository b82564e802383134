"""API keys: only a SHA-256 hash is stored; the plain key is returned once, at creation."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ApiKey
from models.api_key import reserved_organisation
from models.base import utcnow
from service.errors import Conflict, NotFound


def hash_key(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def create(session: Session, *, name: str, role: str, organisation: str) -> tuple[ApiKey, str]:
    if reserved_organisation(organisation):
        # taken, as it were, by a role or the service itself: a conflict with what exists, not a malformed field
        raise Conflict(f"the organisation name {organisation!r} is reserved (a role or the service's own name); name the organisation itself")
    plain = "mk_" + secrets.token_urlsafe(32)
    key = ApiKey(name=name, role=role, organisation=organisation, prefix=plain[:10], key_hash=hash_key(plain))
    session.add(key)
    session.flush()
    return key, plain


def find_active(session: Session, plain: str) -> ApiKey | None:
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(plain)))
    return key if key is not None and key.revoked_at is None else None


def listing(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"no API key with id {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key
