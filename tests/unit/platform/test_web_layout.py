"""The web app's URL layout: what the local runner serves and a deploy copies, and nothing else."""

import json
from pathlib import Path

import pytest

from infrastructure import web


def test_the_root_serves_the_app_shell() -> None:
    assert web.static_file("/") == (web.WEB / "site" / "index.html").resolve()


@pytest.mark.parametrize(
    "url_path",
    [
        "/../../pyproject.toml",
        "/app/../../../template.yaml",
        "/assets/../../../../../../pyproject.toml",
        "/govuk/../../package.json",
        "/govuk/govuk-frontend.min.css.map",
        "/govuk/all.bundle.mjs",
        "/no-such-file.html",
        "/app/",
    ],
)
def test_nothing_outside_the_layout_and_its_chosen_files_is_served(url_path: str) -> None:
    assert web.static_file(url_path) is None


def test_govuk_frontend_is_served_from_its_built_files() -> None:
    if not web.GOVUK.is_dir():
        pytest.skip("web/node_modules is installed by `make test`; run `npm ci` in web/")
    assert (
        web.static_file("/govuk/govuk-frontend.min.css") == (web.GOVUK / "govuk-frontend.min.css").resolve()
    )
    served = web.static_file("/assets/manifest.json")
    assert served is not None
    assert served.parent == (web.GOVUK / "assets").resolve()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("main.mjs", "text/javascript"), ("font.woff2", "font/woff2"), ("app.css", "text/css")],
)
def test_modules_and_fonts_get_the_types_browsers_insist_on(name: str, expected: str) -> None:
    assert web.content_type(Path(name)) == expected


def test_a_build_is_the_layout_with_its_config_and_no_source_maps(tmp_path: Path) -> None:
    if not web.GOVUK.is_dir():
        pytest.skip("web/node_modules is installed by `make test`; run `npm ci` in web/")
    config = {"apiBaseUrl": "https://api.example", "auth": {"mode": "cognito"}}

    web.build(tmp_path / "out", config)

    out = tmp_path / "out"
    assert (out / "index.html").is_file()
    assert sorted(p.name for p in (out / "govuk").iterdir()) == [
        "govuk-frontend.min.css",
        "govuk-frontend.min.js",
    ]
    assert json.loads((out / "config.json").read_text()) == config
    assert not list(out.rglob("*.map"))


def test_a_deploys_config_signs_in_with_cognito_and_calls_the_api_on_the_apps_own_origin() -> None:
    config = web.cognito_config("https://probation-staff-dev.auth.eu-west-2.amazoncognito.com/", "client-1")
    assert config == {
        "apiBaseUrl": "",
        "auth": {
            "mode": "cognito",
            "domain": "https://probation-staff-dev.auth.eu-west-2.amazoncognito.com",
            "clientId": "client-1",
        },
    }
