"""The practitioner web app's files: one URL layout, served by the local runner and copied for S3.

The app is static: ``web/site`` at ``/``, govuk-frontend's built CSS and JS at ``/govuk/`` and its fonts
and images at ``/assets/`` (where its CSS looks for them). The API is on the app's own origin, locally and
in AWS (where the web distribution passes the API's paths to API Gateway), so ``config.json`` says only
how to sign in: the runner serves its own, a deploy writes one.

    python -m infrastructure.web build/web --cognito-domain https://... --client-id ...
    # then: aws s3 sync build/web s3://<WebBucketName> --delete
"""

import argparse
import json
import mimetypes
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
GOVUK = WEB / "node_modules" / "govuk-frontend" / "dist" / "govuk"
# Longest prefix first: each URL prefix, the folder it is served from and, where not all of it is the
# app's, the files it serves (govuk-frontend's package also holds its Sass and Nunjucks sources).
LAYOUT: tuple[tuple[str, Path, frozenset[str] | None], ...] = (
    ("/assets/", GOVUK / "assets", None),
    ("/govuk/", GOVUK, frozenset({"govuk-frontend.min.css", "govuk-frontend.min.js"})),
    ("/", WEB / "site", None),
)
INDEX = "index.html"
CONTENT_TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".woff2": "font/woff2"}


def static_file(url_path: str) -> Path | None:
    """The file a GET of ``url_path`` serves, or None; never one outside the layout's folders."""
    if url_path == "/":
        url_path = f"/{INDEX}"
    for prefix, folder, names in LAYOUT:
        if url_path.startswith(prefix):
            candidate = (folder / url_path.removeprefix(prefix)).resolve()
            inside = candidate.is_relative_to(folder.resolve()) and candidate.is_file()
            return candidate if inside and (names is None or candidate.name in names) else None
    return None


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def cognito_config(domain: str, client_id: str) -> dict[str, Any]:
    """The app's settings in AWS: the API on its own origin, signing in through the staff pool's hosted UI."""
    return {
        "apiBaseUrl": "",
        "auth": {"mode": "cognito", "domain": domain.rstrip("/"), "clientId": client_id},
    }


def build(target: Path, config: dict[str, Any]) -> None:
    """The layout as one folder, with its config.json, ready for ``aws s3 sync``."""
    if not GOVUK.is_dir():
        raise SystemExit(f"{GOVUK} is missing: run `npm ci` in web/ first")
    shutil.rmtree(target, ignore_errors=True)
    for prefix, folder, names in LAYOUT:
        destination = target / prefix.strip("/")
        destination.mkdir(parents=True, exist_ok=True)
        if names is None:
            shutil.copytree(folder, destination, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.map"))
        else:
            for name in names:
                shutil.copy2(folder / name, destination / name)
    (target / "config.json").write_text(json.dumps(config, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m infrastructure.web", description=__doc__)
    parser.add_argument("target", type=Path)
    parser.add_argument("--cognito-domain", required=True, help="the stack's WebSignInDomain output")
    parser.add_argument("--client-id", required=True, help="the stack's WebAppClientId output")
    arguments = parser.parse_args()
    build(arguments.target, cognito_config(arguments.cognito_domain, arguments.client_id))


if __name__ == "__main__":
    main()
