"""After the login, only a path of this site: no open redirect, and no value the cookie cannot hold."""

import pytest

from sollicitations_ui.auth import local_path

KEPT = ["/app", "/app?numero=8", "/contact", "/app?numero=8&x=1", "/"]
REFUSED = [
    "/\\evil.example/x",
    "/\\/evil.example",
    "//evil.example/",
    "///evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "evil.example",
    "/app x",
    "/app\tx",
    "/app\nLocation: https://evil.example",
    "/app?next=https://evil.example",
    "/%5Cevil.example",
    "javascript:alert(1)",
    "",
    None,
    "\\\\evil.example",
    "/app\x00",
    "/ap\u202ep",
]


@pytest.mark.parametrize("url", KEPT)
def test_a_local_path_is_kept(url):
    assert local_path(url) == url


@pytest.mark.parametrize("url", REFUSED)
def test_anything_else_goes_to_the_app(url):
    assert local_path(url) == "/app"
