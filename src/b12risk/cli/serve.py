"""``b12risk serve``: the CDS Hooks service on uvicorn.

The EHRs' public keys (a JWK Set, a JWK or a PEM public key) come from ``--keys FILE`` or
the environment variable ``B12RISK_CDS_KEYS`` (the key text itself); without keys the
service refuses to start, unless ``--allow-unauthenticated`` is given for local development,
which is accepted on a loopback host only. Nothing is fetched at start or run time: a FHIR
server is read only when ``--fhir-server`` names it and a request names the same server.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import socket
from pathlib import Path

from b12risk.cli.arguments import positive_int
from b12risk.errors import ConfigError

__all__ = ["KEYS_ENV", "add_parser", "cmd_serve", "settings_from_args"]

#: Environment variable holding the EHRs' public keys (JWK Set JSON or PEM text).
KEYS_ENV = "B12RISK_CDS_KEYS"


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a port number 0 to 65535, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 0 to 65535, got {text!r}")
    return value


def _loopback(host: str) -> bool:
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
    except (OSError, ValueError):
        return False


def settings_from_args(args: argparse.Namespace):
    """The service's :class:`~b12risk.cds.Settings` from the parsed options.

    Raises
    ------
    ConfigError
        If the keys cannot be read or are missing, or unauthenticated use is asked for on a
        host that is not loopback, or the region is not one of the schema's.
    """
    from b12risk.cds import Settings, load_keys, read_keys
    from b12risk.knowledge.schema import features

    keys = None
    try:
        if args.keys is not None:
            keys = read_keys(args.keys)
        elif os.environ.get(KEYS_ENV):
            keys = load_keys(os.environ[KEYS_ENV], origin=f"${KEYS_ENV}")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if keys is None and not args.allow_unauthenticated:
        raise ConfigError(
            f"no keys to verify the EHR's JWT: give --keys FILE (a JWK Set or PEM public key) or set ${KEYS_ENV}; "
            "for local development only, --allow-unauthenticated on a loopback host"
        )
    if args.allow_unauthenticated and not _loopback(args.host):
        raise ConfigError(f"--allow-unauthenticated is accepted on a loopback host only; got --host {args.host}")
    regions = features()["region"].categories
    if args.region is not None and args.region not in regions:
        raise ConfigError(f"--region must be one of {', '.join(regions)}; got {args.region!r}")
    for url, option in ((args.public_url, "--public-url"), (args.fhir_server, "--fhir-server")):
        if url is not None and not url.startswith(("https://", "http://")):
            raise ConfigError(f"{option} must be an http(s) URL; got {url!r}")
    try:
        return _settings(Settings, keys, args)
    except ValueError as exc:  # a limit the settings refuse
        raise ConfigError(str(exc)) from None


def _settings(settings_class, keys, args: argparse.Namespace):
    return settings_class(
        keys=keys,
        issuers=tuple(args.issuer or ()),
        public_url=args.public_url,
        fhir_server=args.fhir_server,
        max_body_bytes=args.max_body_bytes,
        region=args.region,
        model=args.model,
        allow_unauthenticated=args.allow_unauthenticated,
    )


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the service until interrupted.

    Returns
    -------
    int
        0 after a clean shutdown.

    Raises
    ------
    ConfigError
        See :func:`settings_from_args`.
    """
    settings = settings_from_args(args)
    try:
        import uvicorn
    except ImportError:
        raise ConfigError("b12risk serve needs the 'serve' extra: pip install 'b12risk[serve]'") from None
    from b12risk.cds import create_app
    from b12risk.cds.logs import configure, logger

    configure(logging.DEBUG if args.verbose >= 2 else logging.INFO)
    if settings.allow_unauthenticated:
        logger.warning("unauthenticated requests accepted: for local development only")
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``serve`` subcommand.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``b12risk`` parser's subcommands.
    """
    p = sub.add_parser("serve", help="run the CDS Hooks service (patient-view, order-select)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8080, help="port (default 8080)")
    p.add_argument("--model", default=None, help="model version, 'latest' (default) or a folder")
    p.add_argument("--keys", type=Path, default=None, help=f"the EHRs' public keys: JWK Set or PEM (or ${KEYS_ENV})")
    p.add_argument("--issuer", action="append", default=None, help="an accepted JWT iss (repeat for several)")
    p.add_argument("--public-url", default=None, help="base URL the EHR calls, for the JWT audience")
    p.add_argument("--fhir-server", default=None, help="the FHIR server to read when prefetch is missing")
    p.add_argument("--region", default=None, help="region for a patient whose address does not give one (us_uk, ...)")
    p.add_argument("--max-body-bytes", type=positive_int, default=2 * 1024 * 1024, help="larger bodies get 413")
    p.add_argument(
        "--allow-unauthenticated", action="store_true", help="accept requests without a token (loopback only)"
    )
    p.set_defaults(func=cmd_serve)
