"""An LMS for the tests, built on the `lti1p3platform` package (nobody here wrote it), served over
real HTTP on loopback beside pytest-django's live server.

It plays the platform's side of every step: the OIDC authorization endpoint (answering the tool's
login redirect with an auto-posting form carrying a signed id_token, as an LMS does), its JWKS,
the OAuth 2 token endpoint (client-credentials with the tool's signed JWT, checked against the
tool's /lti/jwks/), the AGS score endpoint, the NRPS membership endpoint and the deep linking
return URL. What a launch carries (roles, resource link, custom parameters, message type) is set
per test on `next_launch`; `tamper` lets a test spoil the id_token before it is signed.
"""

from __future__ import annotations

import html
import json
import re
import threading
import typing as t
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.exceptions import LtiException as PlatformLtiException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

ISSUER = "https://lms.example.edu"
CLIENT_ID = "pma-client-1"
DEPLOYMENT_ID = "deployment-1"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def rsa_pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class LaunchSpec:
    """What the LMS puts in the next launch."""

    sub: str = "lms-user-1"
    name: str = "Grace Hopper"
    email: str = "grace@lms.example.edu"
    roles: list[str] = field(default_factory=lambda: [ROLE + "Learner"])
    resource_link_id: str = "link-1"
    custom: dict[str, str] = field(default_factory=dict)
    context_id: str = "lms-course-101"
    context_title: str = "PM 101 (Spring)"
    deep_link: bool = False
    lineitem: str = ""  # path on the platform, e.g. "/lineitems/1"
    target_link_uri: str = ""
    expires_in: int = 300
    bad_signature: bool = False
    tamper: t.Callable[[dict], None] | None = None


class _Request(Request):
    def build_metadata(self, request: t.Any) -> t.Any:
        return {
            "method": "GET",
            "form_data": {},
            "get_data": request,
            "headers": {},
            "content_type": None,
            "path": "/auth",
            "json": None,
        }


class _PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        self.lms: TestLms = kwargs["lms"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        lms = self.lms
        return (
            Registration()
            .set_iss(ISSUER)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(lms.deployment_id)
            .set_launch_url(f"{lms.tool_url}/lti/launch/")
            .set_deeplink_launch_url(f"{lms.tool_url}/lti/launch/")
            .set_oidc_login_url(f"{lms.tool_url}/lti/login/")
            .set_platform_public_key(lms.public_pem)
            .set_platform_private_key(lms.private_pem)
            .set_tool_key_set_url(f"{lms.tool_url}/lti/jwks/")
        )


class _Launch(LTIAdvantageMessageLaunchAbstract):
    spec: LaunchSpec
    lms: TestLms

    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        return launch_data

    def get_launch_data(self) -> tuple[dict[str, t.Any], str]:
        message, state = super().get_launch_data()
        if self.spec.target_link_uri:
            message["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"] = (
                self.spec.target_link_uri
            )
        if self.spec.tamper:
            self.spec.tamper(message)
        return message, state

    def generate_launch_request(self) -> t.Any:
        data = super().generate_launch_request()
        if self.spec.bad_signature:
            # Same claims and kid, signed with a key the LMS never published.
            header = jwt.get_unverified_header(data["id_token"])
            claims = jwt.decode(data["id_token"], options={"verify_signature": False})
            data["id_token"] = jwt.encode(
                claims,
                self.lms.rogue_private_pem,
                algorithm="RS256",
                headers={"kid": header["kid"]},
            )
        return data


class TestLms:
    """The LMS, on its own HTTP server thread. Records what the tool sent it."""

    __test__ = False

    def __init__(self, tool_url: str) -> None:
        self.tool_url = tool_url.rstrip("/")
        self.private_pem, self.public_pem = rsa_pem_pair()
        self.rogue_private_pem, _public = rsa_pem_pair()
        self.deployment_id = DEPLOYMENT_ID
        self.next_launch = LaunchSpec()
        self.scores: list[dict[str, t.Any]] = []
        self.token_requests: list[dict[str, str]] = []
        self.deep_link_items: list[dict[str, t.Any]] = []
        self.members: list[dict[str, t.Any]] = []
        self.fail_scores = 0  # answer the next N score posts with a 503
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TestLms:
        self.thread.start()
        return self

    def __exit__(self, *exc: t.Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # What the tool's admin pastes into its registration.
    def registration_fields(self) -> dict[str, str]:
        return {
            "name": "Test LMS",
            "issuer": ISSUER,
            "client_id": CLIENT_ID,
            "auth_login_url": f"{self.url}/auth",
            "auth_token_url": f"{self.url}/token",
            "key_set_url": f"{self.url}/jwks",
        }

    def config(self) -> _PlatformConf:
        return _PlatformConf(lms=self)

    # The launch --------------------------------------------------------------------------

    def login_initiation_params(self) -> dict[str, str]:
        """What the LMS sends the browser to the tool's login URL with."""
        return {
            "iss": ISSUER,
            "login_hint": self.next_launch.sub,
            "target_link_uri": self.next_launch.target_link_uri or f"{self.tool_url}/lti/launch/",
            "lti_message_hint": uuid.uuid4().hex,
            "client_id": CLIENT_ID,
            "lti_deployment_id": self.deployment_id,
        }

    def authorize(self, query: dict[str, str]) -> dict[str, t.Any]:
        """The OIDC authorization endpoint: the launch form's fields (launch_url, id_token, state)."""
        spec = self.next_launch
        launch = _Launch(_Request(query), self.config())
        launch.spec, launch.lms = spec, self
        launch.set_id_token_expiration(spec.expires_in)
        launch.set_user_data(
            user_id=spec.sub, lis_roles=spec.roles, full_name=spec.name, email_address=spec.email
        )
        launch.set_launch_context_claim(spec.context_id, context_title=spec.context_title)
        if spec.deep_link:
            launch.set_dl(
                deep_link_return_url=f"{self.url}/deep_link_return",
                title="Add content",
                accept_types={"ltiResourceLink"},
            )
        else:
            launch.set_resource_link_claim(spec.resource_link_id, title="PM Academy link")
            if spec.custom:
                launch.set_custom_parameters_claim(spec.custom)
            launch.set_ags(
                lineitems_url=f"{self.url}/lineitems",
                lineitem_url=f"{self.url}{spec.lineitem}" if spec.lineitem else None,
            )
            launch.set_nrps(context_memberships_url=f"{self.url}/memberships")
        data = launch.lti_launch()
        if spec.deep_link:
            # lti1p3platform's deep linking claim leaves out what LTI-DL 2.0 requires.
            claims = jwt.decode(data["id_token"], options={"verify_signature": False})
            settings_claim = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
            claims[settings_claim]["accept_presentation_document_targets"] = ["iframe", "window"]
            claims[settings_claim]["accept_types"] = ["ltiResourceLink"]
            header = jwt.get_unverified_header(data["id_token"])
            data["id_token"] = jwt.encode(
                claims, self.private_pem, algorithm="RS256", headers={"kid": header["kid"]}
            )
        return data

    # HTTP ----------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:  # noqa: C901 - one LMS, its endpoints
        lms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: t.Any) -> None:
                pass

            def _send(self, status: int, body: t.Any, content_type: str = "application/json"):
                raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _bearer_ok(self, scopes: list[str]) -> bool:
                auth = self.headers.get("Authorization", "").split()
                if len(auth) != 2 or auth[0].lower() != "bearer":
                    return False
                conf = lms.config()
                conf.get_registration()
                try:
                    return conf.validate_token(auth[1], scopes)
                except Exception:  # noqa: BLE001 - any bad token is a 401
                    return False

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                if parts.path == "/jwks":
                    conf = lms.config()
                    conf.get_registration()
                    self._send(200, conf.get_jwks())
                elif parts.path == "/auth":
                    try:
                        data = lms.authorize(query)
                    except Exception as error:  # noqa: BLE001
                        self._send(400, {"error": str(error)})
                        return
                    form = (
                        f'<form method="post" action="{html.escape(data["launch_url"])}">'
                        f'<input type="hidden" name="id_token" value="{data["id_token"]}">'
                        f'<input type="hidden" name="state" value="{html.escape(data["state"])}">'
                        "</form><script>document.forms[0].submit();</script>"
                    )
                    self._send(200, form, "text/html")
                elif parts.path == "/course":
                    # The LMS's course page, showing the tool in an iframe (another origin).
                    login = f"{lms.tool_url}/lti/login/?" + urlencode(lms.login_initiation_params())
                    self._send(
                        200,
                        "<!doctype html><title>LMS course</title><h1>PM 101 in the LMS</h1>"
                        f'<iframe id="tool" src="{html.escape(login)}" width="1000" height="700">'
                        "</iframe>",
                        "text/html",
                    )
                elif parts.path == "/memberships":
                    if not self._bearer_ok([NRPS_SCOPE]):
                        self._send(401, {"error": "unauthorized"})
                        return
                    self._send(
                        200,
                        {
                            "id": f"{lms.url}/memberships",
                            "context": {"id": lms.next_launch.context_id},
                            "members": lms.members,
                        },
                        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                    )
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length).decode()
                path = urlsplit(self.path).path
                if path == "/token":
                    form = dict(parse_qsl(raw))
                    lms.token_requests.append(form)
                    conf = lms.config()
                    conf.get_registration()
                    try:
                        self._send(200, conf.get_access_token(form))
                    except (PlatformLtiException, jwt.PyJWTError, KeyError) as error:
                        self._send(400, {"error": str(error)})
                elif re.fullmatch(r"/lineitems/[^/]+/scores", path):
                    if not self._bearer_ok(AGS_SCOPES):
                        self._send(401, {"error": "unauthorized"})
                        return
                    if lms.fail_scores > 0:
                        lms.fail_scores -= 1
                        self._send(503, {"error": "gradebook busy"})
                        return
                    lms.scores.append({"lineitem": path[: -len("/scores")], **json.loads(raw)})
                    self._send(200, {})
                elif path == "/deep_link_return":
                    token = dict(parse_qsl(raw))["JWT"]
                    conf = lms.config()
                    conf.get_registration()
                    try:
                        lms.deep_link_items = conf.validate_deeplinking_resp({"JWT": token})
                    except Exception as error:  # noqa: BLE001
                        self._send(400, {"error": str(error)})
                        return
                    self._send(200, "<p>Content added.</p>", "text/html")
                else:
                    self._send(404, {"error": "not found"})

        return Handler
