"""A tiny OpenID Connect provider on 127.0.0.1 for the browser test of `st.login`.

Real OIDC, just small: discovery document, authorization-code flow with state and nonce, a
token endpoint that checks the client secret and the code's redirect URI and answers an
RS256-signed ID token, and the JWKS to verify it. It signs in whoever `provider.email` names
(the test sets it), as an identity provider would after its own login screen.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
import warnings
from urllib.parse import urlencode

import uvicorn

with warnings.catch_warnings():  # authlib.jose is deprecated for joserfc; it still signs RS256 tokens
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from tests.e2e.helpers import free_port


class Provider:
    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.email = "someone@example.gov"
        self.codes: dict[str, dict] = {}
        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        self.key = JsonWebKey.import_key(pem, {"kty": "RSA", "kid": "test-key"})
        app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/jwks", self.jwks),
        ])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    async def discovery(self, request: Request) -> JSONResponse:
        return JSONResponse({
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"]})

    async def authorize(self, request: Request) -> RedirectResponse | JSONResponse:
        q = request.query_params
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": q.get("nonce"), "redirect_uri": q.get("redirect_uri"), "email": self.email}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}",
                                status_code=302)

    async def token(self, request: Request) -> JSONResponse:
        form = await request.form()
        cid, secret = form.get("client_id"), form.get("client_secret")
        auth = request.headers.get("authorization", "")
        if auth.startswith("Basic "):
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        grant = self.codes.pop(str(form.get("code")), None)
        if cid != self.client_id or secret != self.client_secret or grant is None \
                or grant["redirect_uri"] != form.get("redirect_uri"):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": grant["email"], "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], "email": grant["email"], "email_verified": True,
                  "name": grant["email"].split("@")[0]}
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key).decode()
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                             "id_token": id_token, "scope": "openid email profile"})

    async def jwks(self, request: Request) -> JSONResponse:
        return JSONResponse({"keys": [{**self.key.as_dict(is_private=False), "kid": "test-key", "use": "sig",
                                       "alg": "RS256"}]})
