"""The CDS Hooks security model: the EHR's JWT bearer token, verified against configured keys.

Every CDS request carries ``Authorization: Bearer <JWT>`` signed by the EHR's private key
(CDS Hooks 2.0, "Trusting CDS Clients"). The service verifies it with public keys given to
it in a file or environment variable (a JWK Set, a single JWK, or a PEM public key): keys
are never fetched from a URL (``jku`` is ignored), so the service makes no request of its
own. A token is accepted only if its signature verifies with an asymmetric algorithm, its
``aud`` is the URL of the endpoint called, it has not expired and expires within the
configured lifetime, its ``iss`` is allowed (when issuers are configured), and its ``jti``
has not been seen before (replay). Anything else is :class:`AuthError`, answered with 401.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ALGORITHMS", "AuthError", "Keys", "ReplayCache", "load_keys", "verify"]

#: Signing algorithms accepted: asymmetric only (the spec forbids "none" and shared secrets);
#: ES384 and RS384 are the ones it recommends.
ALGORITHMS: tuple[str, ...] = ("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA")
LEEWAY = 30  # seconds of clock difference tolerated


class AuthError(Exception):
    """A request whose bearer token is missing or not accepted; the message says why."""


@dataclass(frozen=True)
class Keys:
    """Public keys of the trusted EHRs: by ``kid``, and keys that verify any ``kid``."""

    by_kid: dict[str, Any] = field(default_factory=dict)
    any_kid: tuple[Any, ...] = ()
    origin: str = ""

    def for_kid(self, kid: str | None) -> list[Any]:
        if kid is not None and kid in self.by_kid:
            return [self.by_kid[kid]]
        return list(self.any_kid)

    def __len__(self) -> int:
        return len(self.by_kid) + len(self.any_kid)


def load_keys(text: str, origin: str = "keys") -> Keys:
    """Public keys from a JWK Set, a JWK or a PEM public key (as text).

    Parameters
    ----------
    text : str
        The JSON of ``{"keys": [...]}`` or of one JWK, or PEM text of a public key.
    origin : str
        Where the text came from, for messages (a file name or an environment variable).

    Raises
    ------
    ValueError
        If the text is none of those, holds a private or symmetric key, or no key.
    """
    import jwt  # PyJWT: only the service loads it
    from cryptography.hazmat.primitives import serialization

    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{origin}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
        jwks = data.get("keys") if isinstance(data, dict) and "keys" in data else [data]
        if not isinstance(jwks, list) or not jwks:
            raise ValueError(f"{origin}: a JWK Set must have a non-empty 'keys' list")
        by_kid, anonymous = {}, []
        for i, jwk in enumerate(jwks):
            if not isinstance(jwk, dict):
                raise ValueError(f"{origin}: key {i} is not a JSON object")
            if jwk.get("kty") == "oct":
                raise ValueError(f"{origin}: key {i} is a shared secret (kty 'oct'); CDS Hooks tokens use public keys")
            if "d" in jwk:
                raise ValueError(f"{origin}: key {i} is a private key; give the EHR's public key only")
            try:
                key = jwt.PyJWK.from_dict(jwk).key
            except Exception as exc:  # PyJWT raises several kinds for a malformed JWK
                raise ValueError(f"{origin}: key {i} is not a usable JWK ({exc})") from None
            if jwk.get("kid"):
                by_kid[str(jwk["kid"])] = key
            else:
                anonymous.append(key)
        return Keys(by_kid=by_kid, any_kid=tuple(anonymous), origin=origin)
    if "PRIVATE KEY" in stripped:
        raise ValueError(f"{origin}: a private key; give the EHR's public key only")
    if "BEGIN" not in stripped:
        raise ValueError(f"{origin}: neither a JWK Set (JSON) nor a PEM public key")
    try:
        key = serialization.load_pem_public_key(stripped.encode())
    except ValueError as exc:
        raise ValueError(f"{origin}: not a PEM public key ({exc})") from None
    return Keys(any_kid=(key,), origin=origin)


def read_keys(path: str | Path) -> Keys:
    """:func:`load_keys` of a file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read the keys file {str(p)!r}: {exc.strerror}") from None
    return load_keys(text, origin=str(p))


class ReplayCache:
    """``jti`` values seen, kept until their token expires, so a token is accepted once."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def first_time(self, issuer: str, jti: str, expires: float) -> bool:
        now = time.time()
        with self._lock:
            if len(self._seen) > 10_000:  # forget expired ones now and then
                self._seen = {k: v for k, v in self._seen.items() if v > now - LEEWAY}
            key = (issuer, jti)
            if key in self._seen and self._seen[key] > now - LEEWAY:
                return False
            self._seen[key] = expires
            return True


def verify(
    header: str | None,
    keys: Keys,
    audience: str,
    *,
    issuers: tuple[str, ...] = (),
    max_lifetime: int = 300,
    replay: ReplayCache | None = None,
) -> dict[str, Any]:
    """The claims of the request's bearer token, if it is accepted.

    Parameters
    ----------
    header : str or None
        The ``Authorization`` header.
    keys : Keys
        Trusted public keys.
    audience : str
        The URL of the endpoint called; the token's ``aud`` must be it (or a list holding it).
    issuers : tuple of str
        Allowed ``iss`` values; empty allows any issuer whose key verifies.
    max_lifetime : int
        Seconds ``exp`` may lie ahead of now.
    replay : ReplayCache, optional
        Refuses a ``jti`` already accepted.

    Raises
    ------
    AuthError
        Naming what is wrong: no token, not a JWT, an algorithm not accepted, no key for its
        ``kid``, a signature that does not verify, wrong audience or issuer, expired or too
        long-lived, or replayed.
    """
    import jwt

    if not header:
        raise AuthError("no Authorization header; expected 'Bearer <JWT>' signed by the EHR")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header is not 'Bearer <JWT>'")
    token = token.strip()
    try:
        head = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AuthError("the bearer token is not a JWT") from None
    alg = head.get("alg")
    if alg not in ALGORITHMS:
        raise AuthError(f"JWT algorithm {alg!r} is not accepted; expected one of {', '.join(ALGORITHMS)}")
    candidates = keys.for_kid(head.get("kid"))
    if not candidates:
        raise AuthError(f"no configured key has kid {head.get('kid')!r}")
    last: Exception | None = None
    for key in candidates:
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=audience,
                leeway=LEEWAY,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
            break
        except jwt.InvalidSignatureError as exc:
            last = exc
            continue
        except jwt.ExpiredSignatureError:
            raise AuthError("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise AuthError(f"the token's aud is not this endpoint ({audience})") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError(f"the token has no {exc.claim!r} claim") from None
        except jwt.ImmatureSignatureError:
            raise AuthError("the token's iat is in the future") from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"the token is not accepted: {exc}") from None
    else:
        raise AuthError("the token's signature does not verify with the configured keys") from last
    if issuers and claims["iss"] not in issuers:
        raise AuthError(f"issuer {claims['iss']!r} is not allowed")
    now = time.time()
    if float(claims["exp"]) - now > max_lifetime + LEEWAY:
        raise AuthError(f"the token is valid for more than {max_lifetime} s; expected a short-lived token")
    if float(claims["iat"]) > now + LEEWAY:
        raise AuthError("the token's iat is in the future")
    if replay is not None and not replay.first_time(str(claims["iss"]), str(claims["jti"]), float(claims["exp"])):
        raise AuthError("the token's jti was already used (replay)")
    return claims
