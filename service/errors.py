"""Domain errors carry their HTTP status; ``service.problems`` renders them as problem+json.

Plain exceptions, no web framework: repositories and the engine raise them too.
"""

from __future__ import annotations

import math
from typing import Any


class ServiceError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.extra = extra


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class Unauthorized(ServiceError):
    status = 401
    title = "Unauthorized"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class PayloadTooLarge(ServiceError):
    status = 413
    title = "Payload too large"


class TooManyRequests(ServiceError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(detail, headers={"Retry-After": str(seconds)}, retry_after=seconds)


class Invalid(ServiceError):
    """A 422 found by the service rather than by the request models; names the field like they do."""

    status = 422
    title = "Invalid request"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message}])


class Unavailable(ServiceError):
    status = 503
    title = "Service unavailable"
