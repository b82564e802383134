"""Every knob of the service: one pydantic-settings class, each field a MATCHMAKER_* variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

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

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.environment == "production" and self.admin_api_key.get_secret_value() == "dev-admin-key":
            raise ValueError("MATCHMAKER_ADMIN_API_KEY must be set in production")
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
