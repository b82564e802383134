"""Production refuses to start with a weak or default admin key or a mistyped environment name,
and says what to set: the settings themselves, and `matchmaker serve` as the README starts it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from service.settings import Settings

STRONG = "kQ3v_9Zr-Lp2Wx8Ty5Nb7Hc4Md6Fg1Js"


@pytest.mark.parametrize("key", ["a", "change-me", "dev-admin-key", "CHANGE-ME", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abcdefabcdefabcdefabcdefab"])
def test_production_refuses_weak_admin_keys(key: str) -> None:
    with pytest.raises(ValidationError) as error:
        Settings(environment="production", admin_api_key=key, _env_file=None)
    message = str(error.value)
    assert "MATCHMAKER_ADMIN_API_KEY" in message and "secrets.token_urlsafe" in message


def test_production_accepts_a_strong_key_and_dev_keeps_its_default() -> None:
    assert Settings(environment="production", admin_api_key=STRONG, _env_file=None).environment == "production"
    assert Settings(environment="dev", admin_api_key="dev-admin-key", _env_file=None).environment == "dev"


@pytest.mark.parametrize("name", ["prod", "Production", "staging", ""])
def test_unknown_environment_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as error:
        Settings(environment=name, admin_api_key=STRONG, _env_file=None)
    assert "MATCHMAKER_ENVIRONMENT" in str(error.value) and "dev, test, production" in str(error.value)


def test_serve_exits_with_what_to_set(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env |= {"MATCHMAKER_ENVIRONMENT": "production", "MATCHMAKER_ADMIN_API_KEY": "change-me", "MATCHMAKER_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", "1"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert "MATCHMAKER_ADMIN_API_KEY is too weak for production" in done.stderr
    env["MATCHMAKER_ENVIRONMENT"] = "prod"
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", "1"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "MATCHMAKER_ENVIRONMENT='prod' is unknown" in done.stderr, done.stderr
