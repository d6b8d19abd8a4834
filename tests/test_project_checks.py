"""The build's own gates: lint, formatting, Django's system checks, migrations in step."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The archive itself; bench/ (benchmarks, synthetic data) is tooling that leans on these.
PRODUCT_APPS = ("accounts", "archive", "listings", "pages", "tags", "works")
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "a-production-like-secret-key-of-enough-length-and-variety-1234567890!",
    "ALLOWED_HOSTS": "archive.example",
}


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_ruff_lint_and_format_are_clean():
    lint = run("-m", "ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run("-m", "ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_deploy_checks_pass_with_production_settings():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run("manage.py", "check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_migrations_match_the_models():
    result = run("manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


def test_the_archive_does_not_import_the_bench_app():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for app in PRODUCT_APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        for module in imported_modules(path)
        if module == "bench" or module.startswith("bench.")
    ]
    assert offenders == []


# Apps import one way: each may import those before it, never one after it. archive/'s
# shared modules (errors, caching, pagination, ...) import no app; its URLs, middleware and
# settings tie the apps together and may import any.
APP_LAYERS = ("tags", "accounts", "works", "listings", "pages")
ARCHIVE_TOP = {"urls.py", "middleware.py", "settings.py", "wsgi.py", "asgi.py"}


def _app_of(module):
    return module.split(".", 1)[0]


def test_apps_import_one_way():
    offenders = []
    for layer, app in enumerate(APP_LAYERS):
        above = set(APP_LAYERS[layer + 1 :])
        for path in sorted((ROOT / app).rglob("*.py")):
            offenders += [
                f"{path.relative_to(ROOT)}: {module}"
                for module in imported_modules(path)
                if _app_of(module) in above
            ]
    for path in sorted((ROOT / "archive").glob("*.py")):
        if path.name not in ARCHIVE_TOP:
            offenders += [
                f"{path.relative_to(ROOT)}: {module}"
                for module in imported_modules(path)
                if _app_of(module) in APP_LAYERS
            ]
    assert offenders == []
