"""Security headers: a strict CSP on the public site, a documented relaxed one in the admins."""

import base64
import hashlib
import re

import pytest
from django.test import Client, override_settings

from tests.ops.conftest import production_settings

STRICT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-src 'self' https://www.youtube.com https://www.youtube-nocookie.com https://player.vimeo.com; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
ADMIN_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; "
    "frame-src 'self' https://www.youtube.com https://www.youtube-nocookie.com https://player.vimeo.com; "
    "object-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)
PUBLIC_PAGES = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]

# What a strict policy would block: inline scripts that execute, <style>, style="", on*="".
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
    r"|<style\b|\sstyle=\"|\son[a-z]+=\"",
    re.IGNORECASE,
)


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_carry_the_strict_policy_and_need_nothing_it_blocks(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == STRICT_CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert INLINE_CODE.findall(response.text) == []


@pytest.mark.django_db
def test_permissions_policy_turns_off_device_features_and_keeps_fullscreen_for_video(client):
    response = client.get("/accounts/login/")

    policy = response["Permissions-Policy"].split(", ")
    assert "camera=()" in policy
    assert "microphone=()" in policy
    assert "geolocation=()" in policy
    assert "payment=()" in policy
    assert "browsing-topics=()" in policy
    assert (
        'fullscreen=(self "https://www.youtube.com" "https://www.youtube-nocookie.com" '
        '"https://player.vimeo.com")'
    ) in policy


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/", "/admin/pages/", "/django-admin/"])
def test_the_admins_render_under_their_relaxed_policy(client, editor, url):
    client.force_login(editor)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == ADMIN_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_wagtail_admin_really_needs_inline_scripts(client, editor):
    # The reason for the relaxed policy: if Wagtail ever drops inline code, tighten it.
    client.force_login(editor)

    explorer = client.get("/admin/pages/")
    history = client.get("/admin/reports/site-history/")

    assert explorer.status_code == 200
    assert "<script>" in INLINE_CODE.findall(explorer.text)
    assert "<script>" in INLINE_CODE.findall(history.text)


@override_settings(ROOT_URLCONF="tests.ops.failing_urls")
@pytest.mark.django_db
def test_the_plain_500_page_is_allowed_exactly_its_own_inline_style():
    client = Client(raise_request_exception=False)

    response = client.get("/crash/")

    assert response.status_code == 500
    styles = re.findall(r"<style>(.*?)</style>", response.text, re.DOTALL)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert response["Content-Security-Policy"] == STRICT_CSP.replace(
        "style-src 'self';", f"style-src 'self' 'sha256-{digest}';"
    )


@pytest.mark.django_db
def test_production_settings_send_hsts_and_redirect_plain_http(client, tmp_path):
    production = production_settings(
        tmp_path,
        [
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_HSTS_PRELOAD",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
        ],
    )
    assert production == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }

    with override_settings(
        **production, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
    ):
        plain = client.get("/accounts/login/")
        secure = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})

    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert secure["Content-Security-Policy"] == STRICT_CSP
    assert "Secure" in secure.cookies["csrftoken"].output()


def test_production_settings_read_storage_and_queue_from_the_environment(tmp_path):
    production = production_settings(
        tmp_path,
        ["STORAGES", "TASKS", "RQ_QUEUES", "CACHES", "INSTALLED_APPS"],
        PMA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="pma-uploads",
        AWS_S3_ENDPOINT_URL="https://minio.example.org",
        AWS_S3_REGION_NAME="eu-west-1",
        REDIS_URL="redis://queue.example.org:6379/2",
    )

    default_storage = production["STORAGES"]["default"]
    assert default_storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default_storage["OPTIONS"]["bucket_name"] == "pma-uploads"
    assert default_storage["OPTIONS"]["endpoint_url"] == "https://minio.example.org"
    assert default_storage["OPTIONS"]["region_name"] == "eu-west-1"
    assert default_storage["OPTIONS"]["default_acl"] is None
    assert default_storage["OPTIONS"]["querystring_auth"] is True
    assert default_storage["OPTIONS"]["file_overwrite"] is False
    assert production["STORAGES"]["staticfiles"] == {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    }
    assert production["TASKS"] == {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default", "grading", "runs", "certificates", "notifications"],
        }
    }
    assert sorted(production["RQ_QUEUES"]) == [
        "certificates",
        "default",
        "grading",
        "notifications",
        "runs",
    ]
    assert production["RQ_QUEUES"]["grading"]["URL"] == "redis://queue.example.org:6379/2"
    assert production["CACHES"]["default"]["LOCATION"] == "redis://queue.example.org:6379/2"
    assert production["INSTALLED_APPS"][-2:] == ["django_rq", "django_tasks_rq"]


def test_production_settings_refuse_s3_storage_without_a_bucket(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    from tests.ops.conftest import production_env

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=production_env(tmp_path, PMA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME=""),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "PMA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME." in result.stderr


# Every kind of response the site sends, with the policy it must carry.
@pytest.fixture
def response_kinds(db, settings, tmp_path, editor):
    from certificates.services import certificate_issue
    from tests.factories import UserFactory, completed, course_page, site_catalog

    settings.PMA_CERT_KEYS_DIR = tmp_path / "keys"
    course = course_page(site_catalog())
    learner = UserFactory()
    completed(learner, course, percent=90)
    certificate = certificate_issue(learner=learner, course=course)
    (settings.STATIC_ROOT / "hardening-probe.css").write_text("body { color: black; }\n")
    return {
        "page": (None, course.url, STRICT_CSP, "text/html; charset=utf-8"),
        "admin": (editor, "/admin/", ADMIN_CSP, "text/html; charset=utf-8"),
        "static file": (
            None,
            "/static/hardening-probe.css",
            STRICT_CSP,
            'text/css; charset="utf-8"',
        ),
        "PDF download": (
            learner,
            f"/certificates/{certificate.code}/pdf/a4/",
            STRICT_CSP,
            "application/pdf",
        ),
        "JSON": (None, "/.well-known/pma-issuer-keys.json", STRICT_CSP, "application/ld+json"),
        "404": (None, "/no-such-page/", STRICT_CSP, "text/html; charset=utf-8"),
        "health": (None, "/healthz", STRICT_CSP, "application/json"),
    }


def _get(client, user, url, **headers):
    if user is not None:
        client.force_login(user)
    else:
        client.logout()
    return client.get(url, headers=headers)


def test_every_kind_of_response_carries_the_security_headers(client, response_kinds):
    statuses = {}
    for kind, (user, url, csp, content_type) in response_kinds.items():
        response = _get(client, user, url)
        statuses[kind] = response.status_code
        assert response["Content-Type"] == content_type, kind
        assert response["Content-Security-Policy"] == csp, kind
        assert response["X-Content-Type-Options"] == "nosniff", kind
        assert response["Referrer-Policy"] == "same-origin", kind
        assert "camera=()" in response["Permissions-Policy"], kind
        assert response["X-Frame-Options"] == "DENY", kind
        assert "frame-ancestors 'none'" in csp or kind == "admin", kind

    assert statuses == {
        "page": 200,
        "admin": 200,
        "static file": 200,
        "PDF download": 200,
        "JSON": 200,
        "404": 404,
        "health": 200,
    }


def test_under_production_settings_every_https_response_sends_hsts_and_secure_cookies(
    client, response_kinds, tmp_path
):
    production = production_settings(
        tmp_path,
        [
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_HSTS_PRELOAD",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "SESSION_COOKIE_SAMESITE",
        ],
    )
    hsts = "max-age=31536000; includeSubDomains; preload"

    with override_settings(
        **production, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
    ):
        for kind, (user, url, csp, _type) in response_kinds.items():
            response = _get(client, user, url, **{"X-Forwarded-Proto": "https"})
            assert response["Content-Security-Policy"] == csp, kind
            if kind != "health":
                # /healthz answers load balancers before SecurityMiddleware (see ops.middleware).
                assert response["Strict-Transport-Security"] == hsts, kind
        client.logout()
        login = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
        session = client.post(
            "/accounts/login/",
            {
                "login": response_kinds["PDF download"][0].email,
                "password": "correct-horse-battery-staple-42",
            },
            headers={"X-Forwarded-Proto": "https"},
        )

    csrf_cookie = login.cookies["csrftoken"].output()
    assert "Secure" in csrf_cookie and "SameSite=Lax" in csrf_cookie
    session_cookie = session.cookies["sessionid"].output()
    assert (
        "Secure" in session_cookie
        and "HttpOnly" in session_cookie
        and "SameSite=Lax" in session_cookie
    )
