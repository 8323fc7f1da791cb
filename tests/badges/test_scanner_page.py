"""The scanner page's shell, its service worker and its manifest (the browser tests drive it)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import translation

from badges.models import BadgeKind, CheckInResult
from badges.views.scanner import SCOPE, SHELL_ASSETS, scanner_strings

ROOT = Path(settings.BASE_DIR)
SCRIPT = (ROOT / "static/badges/scanner.js").read_text()
TEMPLATE = (ROOT / "templates/badges/scanner/page.html").read_text()


def json_block(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no {element_id} block"
    return json.loads(match.group(1))


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr"), ("en", "ltr")])
def test_page_renders_for_anonymous_in_each_language(
    db, client, language, direction, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/scan/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    css = "bootstrap.rtl.min.css" if direction == "rtl" else "bootstrap.min.css"
    assert f"vendor/bootstrap/{css}" in html
    strings = json_block(html, "scanner-strings")
    with translation.override(language):
        expected = json.loads(json.dumps(scanner_strings(), default=str))
    assert strings == expected
    config = json_block(html, "scanner-config")
    assert config["language"] == language
    assert config["service_worker"] == "/scan/sw.js"
    assert config["api"]["check_in"] == "/api/v1/check-ins/"
    assert config["api"]["upload"] == "/api/v1/check-ins/upload/"
    assert config["api"]["bundle"] == "/api/v1/scanner/fairs/{id}/bundle/"
    # The page hands a signed-in scanner's POSTs the CSRF cookie they need.
    assert settings.CSRF_COOKIE_NAME in response.cookies


def test_the_page_is_a_shell_without_personal_data(client, make_user):
    scanner_user = make_user(
        "scanner", username="gate-khadija", first_name="Khadija", last_name="Benjelloun",
        email="khadija@example.ma",
    )  # fmt: skip
    client.force_login(scanner_user)
    response = client.get("/scan/")
    assert response.status_code == 200
    html = response.content.decode()
    for personal in ("gate-khadija", "Khadija", "Benjelloun", "khadija@example.ma"):
        assert personal not in html
    assert "no-cache" in response["Cache-Control"]


def test_strings_name_every_result_and_kind():
    strings = scanner_strings()
    assert set(CheckInResult.values) <= set(strings["result_title"])
    assert set(CheckInResult.values) <= set(strings["reason"])
    assert set(strings["kind"]) == set(BadgeKind.values)


def test_every_string_the_script_and_page_use_exists():
    """The script shows only sentences from the strings block: a misspelt key would show nothing."""
    strings = scanner_strings()
    used = set(re.findall(r"STRINGS\.(\w+)", SCRIPT)) | set(re.findall(r'data-text="(\w+)"', TEMPLATE))
    assert used, "the script reads no strings?"
    assert used <= set(strings), used - set(strings)
    for key in re.findall(r"STRINGS\.reason\.(\w+)", SCRIPT):
        assert key in strings["reason"]
    for key in re.findall(r"reasonKey: '(\w+)'", SCRIPT):
        assert key in strings["reason"]
    for key in re.findall(r"showPairing\(state\.token \? '(\w+)'", SCRIPT):
        assert key in strings


def test_script_holds_no_sentence_of_its_own():
    """No quoted text with a space in the script, outside comments, that a person would read."""
    code = re.sub(r"/\*.*?\*/|^\s*//.*$|\s//\s.*$", "", SCRIPT, flags=re.S | re.M).replace("'use strict'", "")
    quoted = re.findall(r"'([^'\n]*)'|`([^`\n]*)`|\"([^\"\n]*)\"", code)
    sentences = [
        text
        for pair in quoted
        for text in pair
        if re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", text) and "${" not in text
    ]
    assert sentences == []
    assert not re.search("[\u0600-\u06ff]", code)  # nor Arabic text


def test_service_worker_is_served_with_its_scope_and_no_cache(client):
    response = client.get("/scan/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == SCOPE
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control
    assert "max-age=0" in cache_control
    body = response.content.decode()
    config = json.loads(re.search(r"const SW = (\{.*?\});", body).group(1))
    assert config["scope"] == SCOPE
    assert config["shell_cache"].startswith("souk-scanner-shell-")
    assert len(config["assets"]) == len(SHELL_ASSETS)
    for asset in SHELL_ASSETS:
        assert finders.find(asset), f"{asset} is not a static file"
        assert f"/static/{asset}" in config["assets"]


def test_service_worker_version_follows_the_files(client, settings, tmp_path):
    """Another copy of the shell files (another deployment) gives another cache name."""
    first = client.get("/scan/sw.js").content.decode()
    assert client.get("/scan/sw.js").content.decode() == first  # stable while nothing changes
    copy = tmp_path / "static"
    for asset in SHELL_ASSETS:
        target = copy / asset
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(Path(finders.find(asset)).read_bytes() + b"\n")
    settings.STATICFILES_DIRS = [copy]
    finders.get_finder.cache_clear()
    try:
        second = client.get("/scan/sw.js").content.decode()
    finally:
        finders.get_finder.cache_clear()
    name = re.compile(r'"shell_cache": "([^"]+)"')
    assert name.search(first).group(1) != name.search(second).group(1)


def test_manifest_describes_the_scanner_scope(client):
    response = client.get("/scan/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == data["scope"] == SCOPE
    assert data["dir"] == "rtl"
    assert data["lang"] == "ar"


@pytest.mark.parametrize("url", ["/scan/", "/scan/sw.js", "/scan/manifest.webmanifest"])
def test_scanner_urls_only_answer_get(client, url):
    assert client.post(url).status_code == 405
