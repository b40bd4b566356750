"""The suggestion rules as data, and the token checks without a server."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest

from b12risk.cds.auth import AuthError, ReplayCache, load_keys, verify
from b12risk.cds.suggestions import rules, suggest
from b12risk.errors import KnowledgeError
from b12risk.words import t
from cds_cases import new_key

NAN = float("nan")


@pytest.mark.parametrize(
    ("row", "band", "rule"),
    [
        ({"pregnant": 1.0, "serum_b12_pmol_l": NAN}, "moderate", "active_b12_in_pregnancy"),
        ({"pregnant": 1.0}, "low", None),  # low risk: no test suggested
        ({"pregnant": 0.0}, "high", "serum_b12_first"),
        ({}, "moderate", "serum_b12_first"),
        ({"serum_b12_pmol_l": 200.0}, "low", "mma_when_indeterminate"),  # an indeterminate result whatever the band
        ({"serum_b12_pmol_l": 200.0, "egfr_ml_min": 75.0}, "high", "mma_when_indeterminate"),
        ({"serum_b12_pmol_l": 200.0, "egfr_ml_min": 45.0}, "high", "holotc_when_kidneys_are_weak"),
        ({"serum_b12_pmol_l": 133.0}, "high", "mma_when_indeterminate"),  # the lower cut-off is inside
        ({"serum_b12_pmol_l": 258.0}, "high", None),  # the upper one is not
        ({"serum_b12_pmol_l": 120.0}, "high", None),  # clearly low: no second test needed to decide
        ({"serum_b12_pmol_l": 200.0, "mma_umol_l": 0.5}, "high", None),
        ({"serum_b12_pmol_l": 200.0, "holotc_pmol_l": 30.0}, "high", None),
    ],
)
def test_which_rule_holds(row, band, rule):
    got = suggest(row, band)
    assert (got.id if got else None) == rule


def test_every_rule_has_words_in_both_languages_and_a_source():
    for r in rules():
        assert t(r.words, "en") and t(r.words, "ar") and len(r.source) > 30


def test_a_rule_naming_a_threshold_the_knowledge_lacks_is_refused(tmp_path, monkeypatch):
    from b12risk.cds import suggestions

    text = suggestions._path().read_text().replace('"nice_unlikely"]', '"nice_maybe"]', 1)
    (tmp_path / "suggestions.toml").write_text(text)
    monkeypatch.setattr(suggestions, "_path", lambda: tmp_path / "suggestions.toml")
    rules.cache_clear()
    try:
        with pytest.raises(KnowledgeError, match="'nice_maybe' is not a threshold of serum_b12_pmol_l"):
            rules()
    finally:
        rules.cache_clear()


def pem_public(key) -> str:
    from cryptography.hazmat.primitives import serialization

    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def test_an_rsa_pem_public_key_verifies_rs384_tokens():
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys = load_keys(pem_public(key), origin="ehr.pem")
    now = int(time.time())
    claims = {
        "iss": "https://ehr",
        "aud": "https://cds/cds-services",
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }
    tok = jwt.encode(claims, key, algorithm="RS384", headers={"kid": "any"})
    assert verify("Bearer " + tok, keys, "https://cds/cds-services")["iss"] == "https://ehr"
    assert verify("Bearer " + tok, keys, "https://cds/cds-services", issuers=("https://ehr",))
    with pytest.raises(AuthError, match="issuer 'https://ehr' is not allowed"):
        verify("Bearer " + tok, keys, "https://cds/cds-services", issuers=("https://other",))


def test_replay_cache_accepts_a_jti_once():
    cache = ReplayCache()
    assert cache.first_time("iss", "a", time.time() + 60)
    assert not cache.first_time("iss", "a", time.time() + 60)
    assert cache.first_time("other-iss", "a", time.time() + 60)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"keys": []}', "a JWK Set must have a non-empty 'keys' list"),
        ('{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', "a shared secret"),
        ("{not json", "not valid JSON"),
        ("hello", "neither a JWK Set (JSON) nor a PEM public key"),
        (
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            "a private key; give the EHR's public key only",
        ),
        ('{"keys": [{"kty": "EC", "crv": "P-384", "x": "AAAA"}]}', "key 0 is not a usable JWK"),
    ],
)
def test_keys_that_cannot_be_used_are_refused_by_name(text, message):
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        load_keys(text, origin="keys.json")
    assert str(info.value).startswith("keys.json: ")


def test_a_private_jwk_is_refused():
    import jwt

    private = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(new_key()))
    assert "d" in private
    with pytest.raises(ValueError, match="key 0 is a private key"):
        load_keys(json.dumps({"keys": [private]}))
