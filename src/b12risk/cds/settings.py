"""How a CDS Hooks service is configured: keys, issuers, URLs, limits, region, model."""

from __future__ import annotations

from dataclasses import dataclass

from b12risk.cds.auth import Keys

__all__ = ["DEFAULT_MAX_BODY", "Settings"]

#: Largest request body accepted (bytes): a CDS request with a full prefetch of one patient's
#: labs, medicines and conditions is tens of kilobytes; 2 MiB leaves room without inviting abuse.
DEFAULT_MAX_BODY = 2 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """A service's configuration (built by ``b12risk serve`` from its options).

    Attributes
    ----------
    keys : Keys or None
        The EHRs' public keys that verify the JWT bearer token of every CDS request. None only
        with ``allow_unauthenticated`` (local development on loopback).
    issuers : tuple of str
        Accepted ``iss`` values of the token; empty accepts any issuer whose key verifies.
    public_url : str or None
        The base URL clients call (``https://cds.example.org``), from which the expected token
        audience is built; by default the URL the request arrived at.
    fhir_server : str or None
        The only FHIR server the service may read from when prefetch is missing; None: never
        reads, and a request lacking the patient's prefetch gets 412.
    max_body_bytes : int
        Larger request bodies get 413 without being read.
    region : str or None
        The region of a patient whose FHIR address gives none (the deployment's patients live
        there); an address that gives one wins, and the difference is noted on the card.
    model : str or None
        Model version or folder; the shipped latest by default.
    max_token_lifetime : int
        Seconds a token may still be valid for (``exp`` - now); the spec asks for short-lived tokens.
    allow_unauthenticated : bool
        Accept requests without a token (development only; ``b12risk serve`` allows it on loopback only).
    fhir_timeout : float
        Seconds a FHIR read may take.
    """

    keys: Keys | None = None
    issuers: tuple[str, ...] = ()
    public_url: str | None = None
    fhir_server: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY
    region: str | None = None
    model: str | None = None
    max_token_lifetime: int = 300
    allow_unauthenticated: bool = False
    fhir_timeout: float = 5.0

    def __post_init__(self) -> None:
        if self.keys is None and not self.allow_unauthenticated:
            raise ValueError("a CDS service needs the EHRs' public keys (keys=...) unless allow_unauthenticated is set")
        if self.max_body_bytes < 1024:
            raise ValueError(f"max_body_bytes must be at least 1024; got {self.max_body_bytes}")
