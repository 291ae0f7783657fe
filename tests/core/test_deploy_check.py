"""The production configuration stays deployable: Django's deployment checklist passes with
production settings, and the files in deploy/ stay true to toolcrm/settings.py.

These run ``manage.py`` in a subprocess because production mode is decided when settings load,
which a test inside the already-configured test process cannot redo.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from toolcrm.core.crypto import generate_key_spec

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
SETTINGS = REPO / "toolcrm" / "settings.py"

# Variables the subprocess inherits; everything else (DEBUG, TOOLCRM_TESTING, …) is left out so
# that the check sees production defaults, not the test run's environment.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")


def production_env(**overrides: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in _INHERITED if name in os.environ}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="toolcrm.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        PII_KEYS=f"{generate_key_spec('k1')},{generate_key_spec('k2')}",
        PII_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="crm.example.com",
        CSRF_TRUSTED_ORIGINS="https://crm.example.com",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_env_names() -> set[str]:
    source = SETTINGS.read_text()
    helpers = re.findall(r"\benv(?:_bool|_list)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source)
    direct = re.findall(
        r"os\.(?:environ\.get|getenv|environ\[)\(?\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source
    )
    return set(helpers) | set(direct)


def example_env_names() -> set[str]:
    text = (DEPLOY / "toolcrm.env.example").read_text()
    return set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


@pytest.mark.parametrize("tasks_backend", ["database", "rq"])
def test_deploy_checklist_passes_in_production(tasks_backend: str) -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(TASKS_BACKEND=tasks_backend),
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output, output


def test_production_refuses_development_keys() -> None:
    from django.conf import settings

    env = production_env(PII_KEYS=settings.PII_KEYS)  # the test run uses the development ring

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "must not use the development keys" in result.stderr


def test_production_refuses_missing_secrets() -> None:
    env = production_env()
    del env["SECRET_KEY"], env["PII_INDEX_KEY"]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "PII_INDEX_KEY" in result.stderr


def test_settings_env_vars_are_all_found() -> None:
    """Guards the parser below: if it found nothing, the next test would pass vacuously."""
    names = settings_env_names()

    assert {"SECRET_KEY", "PII_KEYS", "DATABASE_URL", "TASKS_BACKEND"} <= names
    assert "OTP_REQUIRED_ROLES" in names  # a call split over two lines


def test_env_example_lists_every_variable_settings_reads() -> None:
    missing = settings_env_names() - example_env_names()

    assert not missing, f"add these to deploy/toolcrm.env.example: {sorted(missing)}"


def test_env_example_holds_no_real_or_development_secret() -> None:
    from django.conf import settings

    text = (DEPLOY / "toolcrm.env.example").read_text()

    assert re.search(r"^SECRET_KEY=$", text, flags=re.MULTILINE)
    assert re.search(r"^PII_KEYS=$", text, flags=re.MULTILINE)
    assert re.search(r"^PII_INDEX_KEY=$", text, flags=re.MULTILINE)
    assert settings.PII_INDEX_KEY not in text


def test_gunicorn_config_compiles_and_loads() -> None:
    from gunicorn.config import Config

    path = DEPLOY / "gunicorn.conf.py"
    compile(path.read_text(), str(path), "exec")
    namespace: dict[str, object] = {"__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), namespace)

    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)  # gunicorn validates each value as it would at start
    assert config.wsgi_app == "toolcrm.wsgi:application"
    assert config.bind == ["127.0.0.1:8000"]
    assert config.worker_class_str == "gthread"


def _unit_files() -> list[Path]:
    return sorted((DEPLOY / "systemd").glob("*.service"))


def test_systemd_units_use_files_that_exist() -> None:
    units = _unit_files()
    assert {unit.name for unit in units} >= {"toolcrm-web.service", "toolcrm-worker@.service"}
    for unit in units:
        text = unit.read_text()
        assert "EnvironmentFile=/etc/toolcrm/toolcrm.env" in text
        for relative in re.findall(r"/srv/toolcrm/((?:deploy|\.venv/bin)/[\w./-]+)", text):
            if relative.startswith(".venv/bin/"):
                assert (REPO / relative).exists() or shutil.which(Path(relative).name), relative
            else:
                assert (REPO / relative).exists(), relative
        assert "deploy/gunicorn.conf.py" in text or "manage.py" in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_units_verify(tmp_path: Path) -> None:
    # Point the units at this checkout so that their ExecStart binaries exist.
    venv_bin = Path(sys.executable).parent
    copies = []
    for unit in _unit_files():
        text = unit.read_text().replace("/srv/toolcrm/.venv/bin", str(venv_bin))
        name = unit.name.replace("@.service", "@1.service")
        copy = tmp_path / name
        copy.write_text(text.replace("/srv/toolcrm", str(REPO)))
        copies.append(str(copy))

    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *copies],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # unknown keys are only warnings


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx not installed")
def test_nginx_site_config_is_valid(tmp_path: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    self_signed = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=crm.example.com",
    ]
    subprocess.run(
        [openssl, *self_signed, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = (DEPLOY / "nginx" / "toolcrm.conf").read_text()
    site = site.replace("/etc/ssl/certs/crm.example.com.pem", str(cert))
    site = site.replace("/etc/ssl/private/crm.example.com.key", str(key))
    (tmp_path / "site.conf").write_text(site)
    temp_paths = "".join(
        f"  {kind}_temp_path {tmp_path}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n  access_log off;\n{temp_paths}  include {tmp_path}/site.conf;\n}}\n"
    )

    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
