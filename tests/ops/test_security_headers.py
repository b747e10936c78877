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

    with override_settings(**production, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
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
            "QUEUES": ["default", "grading", "certificates"],
        }
    }
    assert sorted(production["RQ_QUEUES"]) == ["certificates", "default", "grading"]
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
