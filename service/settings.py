"""Every knob of the service: one pydantic-settings class, each field a MATCHMAKER_* variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ENCODER = "use-multilingual"
ENVIRONMENTS = ("dev", "test", "production")
# Keys that ship in examples, defaults and compose files: never an administrator's key in production.
KNOWN_KEYS = frozenset({"dev-admin-key", "test-admin-key", "change-me", "changeme", "admin", "password", "secret"})
# A production admin key: at least this long, with at least this many different characters
# (secrets.token_urlsafe(32) has 43 characters, ~30 different).
ADMIN_KEY_MIN_LENGTH = 24
ADMIN_KEY_MIN_DISTINCT = 12
STRONG_KEY_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def weak_key_reason(key: str) -> str | None:
    """Why a key is too weak for production, or None."""
    if key.lower() in KNOWN_KEYS:
        return "it is a published default"
    if len(key) < ADMIN_KEY_MIN_LENGTH:
        return f"it has {len(key)} characters; at least {ADMIN_KEY_MIN_LENGTH} are needed"
    if len(set(key)) < ADMIN_KEY_MIN_DISTINCT:
        return f"it has {len(set(key))} different characters; at least {ADMIN_KEY_MIN_DISTINCT} are needed"
    return None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHMAKER_", env_file=".env", extra="ignore")

    environment: str = Field("dev", description="dev, test or production; production refuses weak admin keys and hides the docs")
    data_dir: Path = Field(Path("./data"), description="SQLite file and index snapshots live here")
    database_url: str = Field("", description="SQLAlchemy URL; empty means a SQLite file in the data dir")
    embedding_model: str = Field(
        DEFAULT_ENCODER,
        description="'use-multilingual' (bundled) or 'sentence-transformers:<name or path>'",
    )
    admin_api_key: SecretStr = Field(SecretStr("dev-admin-key"), description="the bootstrap administrator key")
    docs_enabled: bool | None = Field(
        None, description="serve /docs, /redoc and /openapi.json; default: everywhere but production"
    )
    load_demo_data: bool = Field(True, description="import the bundled demo lawyers when the database is empty")
    max_per_firm: int = Field(3, ge=1, description="at most this many of the top 10 from one firm")
    import_max_bytes: int = Field(64 * 1024 * 1024, description="largest accepted import upload")
    max_body_bytes: int = Field(1024 * 1024, ge=1024, description="largest accepted request body (imports excepted)")
    rate_limit_per_minute: int = Field(600, ge=1, description="requests per minute per API key or lawyer token")
    registration_rate_limit_per_minute: int = Field(
        20, ge=1, description="public registrations per minute per client IP"
    )
    directory_rate_limit_per_minute: int = Field(
        120, ge=1, description="pages of the public directory per minute per client address (without a key)"
    )
    directory_export_rate_limit_per_minute: int = Field(
        10, ge=1, description="directory exports (CSV, XLSX) per minute per client address or key"
    )
    directory_export_max_rows: int = Field(
        20_000, ge=1, le=1_000_000, description="most lawyers in one export; the next part is named by X-Next-After"
    )
    trusted_proxies: str = Field(
        "",
        description="comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For is believed "
        "(e.g. 172.28.0.10); empty: the socket's peer is the client, whatever headers say",
    )
    match_concurrency_per_key: int = Field(2, ge=1, description="matches one API key may run at once in a process")
    match_concurrency_per_organisation: int = Field(
        3, ge=1, description="matches one organisation's keys may run at once in a process"
    )
    match_cost_per_minute: float = Field(
        600.0, gt=0, description="match cost units a minute per API key (1 + characters/500 + k/25 per match)"
    )
    match_cost_per_minute_per_organisation: float = Field(
        1200.0, gt=0, description="match cost units a minute per organisation"
    )
    auth_failures_per_minute: int = Field(
        10, ge=1, description="failed authentications a minute per client address and per credential prefix; then 429"
    )
    registrations_per_address_per_day: int = Field(
        50, ge=1, description="public registrations a day per client address (on top of the per-minute limit)"
    )
    prune_pending_after_days: int = Field(
        30, ge=1, description="`matchmaker prune` removes self-registrations still pending after this many days"
    )
    redis_url: str = Field(
        "",
        pattern=r"^$|^(redis|rediss|unix)://",
        description="redis://host:port/db shared by every process for the rate limits (default: each process limits alone)",
    )
    verification_valid_days: int = Field(
        365, ge=1, le=3650, description="a verification lapses this many days after it was given or renewed"
    )
    query_log_flush_seconds: float = Field(
        10.0, ge=0, le=3600, description="match queries are counted in memory and written to the query log at most this often"
    )
    encoder_threads: int = Field(1, ge=1, description="BLAS threads of the encoder; scale with processes instead")
    vector_cache_dir: Path | None = Field(None, description="where encoded passage texts are kept across runs (default: <data_dir>/vectors)")
    vector_cache_items: int = Field(
        50_000, ge=0, description="vectors a serving process keeps of that cache in memory (2 KB each); import and reindex keep all"
    )

    fair_schedule_seconds: float = Field(
        20.0, gt=0, le=600, description="time limit of a fair's schedule (CP-SAT); the greedy plan is kept if nothing better is found"
    )
    fair_solver_workers: int = Field(2, ge=1, le=32, description="CP-SAT search workers for fair schedules")

    # ---- consultation requests (service.engagement) ----
    request_sla_seconds: float = Field(
        3600, gt=0, le=30 * 86400, description="a pending consultation request expires this many seconds after it was sent"
    )
    request_max_rounds: int = Field(
        5, ge=1, le=50, description="the service offers a need automatically only while it has had fewer requests than this"
    )
    sweep_interval_seconds: float = Field(
        5.0, ge=0, description="how often each server looks for expired requests (0: never; run `matchmaker sweep` instead)"
    )
    # ---- e-mail notifications (service.engagement.notifications) ----
    smtp_host: str = Field("", description="SMTP server for notifications; empty: e-mails wait in the outbox, unsent")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port (587 for STARTTLS, 465 for TLS)")
    smtp_tls: Literal["none", "starttls", "tls"] = Field("none", description="none, starttls (upgrade) or tls (implicit, port 465)")
    smtp_username: str = Field("", description="SMTP login; empty: none")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password")
    smtp_from: str = Field("matchmaker@localhost", description="the From address of notifications")
    mail_interval_seconds: float = Field(2.0, gt=0, description="how often each server sends what waits in the outbox")
    public_base_url: str = Field(
        "http://127.0.0.1:8000", pattern=r"^https?://", description="the service's address as links in e-mails give it"
    )

    # webhooks (README "Webhooks")
    webhook_dispatcher: bool = Field(
        True, description="run the webhook dispatcher inside each API process (`matchmaker webhooks deliver` runs it alone)"
    )
    webhook_poll_seconds: float = Field(1.0, gt=0, le=60, description="how often the dispatcher looks for new events and due deliveries")
    webhook_timeout_seconds: float = Field(5.0, gt=0, le=30, description="a delivery's connect and read timeout")
    webhook_claim_seconds: float = Field(
        60.0, gt=0, le=3600, description="a claimed delivery is due again after this long (its worker died mid-send); above the timeout"
    )
    webhook_max_attempts: int = Field(8, ge=1, le=30, description="attempts before a delivery is marked failed")
    webhook_backoff_seconds: float = Field(10.0, gt=0, description="wait after the first failed attempt; doubled after each (with jitter)")
    webhook_backoff_max_seconds: float = Field(3600.0, gt=0, description="longest wait between two attempts")
    webhook_concurrency: int = Field(4, ge=1, le=32, description="deliveries sent at once by one dispatcher")
    webhook_max_subscriptions: int = Field(20, ge=1, le=1000, description="subscriptions one organisation may hold")
    webhook_log_days: int = Field(30, ge=1, le=3650, description="finished deliveries are kept in the log this many days")
    webhook_allow_private_addresses: bool = Field(
        False, description="allow webhook URLs on private, loopback or link-local addresses (tests, closed networks)"
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        from service.addresses import parse_networks

        try:
            parse_networks(value)
        except ValueError as error:
            raise ValueError(f"MATCHMAKER_TRUSTED_PROXIES: {error}") from None
        return value

    @field_validator("environment")
    @classmethod
    def _known_environment(cls, value: str) -> str:
        # a typo ("prod") must not start a production service with development defaults
        if value not in ENVIRONMENTS:
            raise ValueError(f"MATCHMAKER_ENVIRONMENT={value!r} is unknown; set it to one of: {', '.join(ENVIRONMENTS)}")
        return value

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> "Settings":
        key = self.admin_api_key.get_secret_value()
        reason = weak_key_reason(key) if key else None  # empty: no bootstrap administrator at all
        if self.environment == "production" and reason:
            raise ValueError(
                f"MATCHMAKER_ADMIN_API_KEY is too weak for production ({reason}); set it to a random key, "
                f"e.g. the output of {STRONG_KEY_HINT}, or leave it empty to have no bootstrap administrator"
            )
        if self.webhook_claim_seconds <= self.webhook_timeout_seconds:
            raise ValueError("MATCHMAKER_WEBHOOK_CLAIM_SECONDS must exceed MATCHMAKER_WEBHOOK_TIMEOUT_SECONDS")
        return self

    @property
    def serves_docs(self) -> bool:
        return self.docs_enabled if self.docs_enabled is not None else self.environment != "production"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'matchmaker.sqlite3').resolve()}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


@lru_cache
def get_settings() -> Settings:
    return Settings()
