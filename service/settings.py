"""Every knob of the service: one pydantic-settings class, each field a MATCHMAKER_* variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ENCODER = "use-multilingual"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHMAKER_", env_file=".env", extra="ignore")

    environment: str = Field("dev", description="dev, test or production; production refuses the default admin key")
    data_dir: Path = Field(Path("./data"), description="SQLite file and index snapshots live here")
    database_url: str = Field("", description="SQLAlchemy URL; empty means a SQLite file in the data dir")
    embedding_model: str = Field(
        DEFAULT_ENCODER,
        description="'use-multilingual' (bundled) or 'sentence-transformers:<name or path>'",
    )
    admin_api_key: SecretStr = Field(SecretStr("dev-admin-key"), description="the bootstrap administrator key")
    load_demo_data: bool = Field(True, description="import the bundled demo lawyers when the database is empty")
    max_per_firm: int = Field(3, ge=1, description="at most this many of the top 10 from one firm")
    import_max_bytes: int = Field(64 * 1024 * 1024, description="largest accepted import upload")
    max_body_bytes: int = Field(1024 * 1024, ge=1024, description="largest accepted request body (imports excepted)")
    rate_limit_per_minute: int = Field(600, ge=1, description="requests per minute per API key or lawyer token")
    registration_rate_limit_per_minute: int = Field(
        20, ge=1, description="public registrations per minute per client IP"
    )
    redis_url: str = Field(
        "",
        pattern=r"^$|^(redis|rediss|unix)://",
        description="redis://host:port/db shared by every process for the rate limits (default: each process limits alone)",
    )
    verification_valid_days: int = Field(
        365, ge=1, le=3650, description="a verification lapses this many days after it was given or renewed"
    )
    encoder_threads: int = Field(1, ge=1, description="BLAS threads of the encoder; scale with processes instead")
    vector_cache_dir: Path | None = Field(None, description="where encoded passage texts are kept across runs (default: <data_dir>/vectors)")
    vector_cache_items: int = Field(
        50_000, ge=0, description="vectors a serving process keeps of that cache in memory (2 KB each); import and reindex keep all"
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

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.environment == "production" and self.admin_api_key.get_secret_value() == "dev-admin-key":
            raise ValueError("MATCHMAKER_ADMIN_API_KEY must be set in production")
        if self.webhook_claim_seconds <= self.webhook_timeout_seconds:
            raise ValueError("MATCHMAKER_WEBHOOK_CLAIM_SECONDS must exceed MATCHMAKER_WEBHOOK_TIMEOUT_SECONDS")
        return self

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
