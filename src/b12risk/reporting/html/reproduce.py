"""Section 7 of the report: how to reproduce the model and this page."""

from __future__ import annotations

import json
from typing import Any

from b12risk.modelling.training import load_config
from b12risk.reporting.data import ReportData
from b12risk.reporting.html.markup import code, esc, listing, ltr, section, table

__all__ = ["render"]


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def _toml(config: dict[str, Any], prefix: str = "") -> str:
    """A config dict as TOML text: scalars first, then each sub-table."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in config.items() if not isinstance(v, dict)]
    for k, v in config.items():
        if isinstance(v, dict):
            name = f"{prefix}{k}"
            lines += ["", f"[{name}]", _toml(v, f"{name}.")]
    return "\n".join(line for line in lines).replace("\n\n\n", "\n\n")


def render(d: ReportData) -> str:
    """The commands, config, library versions, fingerprint and file hashes that rebuild the model."""
    meta, version = d.meta, d.loaded.version
    cfg = meta["config"]
    default = load_config().model_dump()
    is_default = {k: v for k, v in cfg.items() if k != "version"} == {
        k: v for k, v in default.items() if k != "version"
    }
    config = "src/b12risk/configs/default.toml" if is_default else "config.toml"
    force = "" if meta.get("gate", {}).get("passed") else " --force"
    commands = [f"# {d.w('cmd_train')}"]
    if is_default:
        commands.append(f"make model    # {d.w('default_config')}")
    commands += [
        f"b12risk train --config {config} --version {version} --models rebuild/{force}",
        f"# {d.w('cmd_report')}",
        f"b12risk report --model {version} --out reports/{version}/",
        f"b12risk report --model {version} --out reports/{version}/ --lang ar",
    ]
    versions = meta.get("versions", {})
    vrows = [[code(k), ltr(str(v))] for k, v in versions.items()]
    frows = [[code(k), code(v)] for k, v in meta.get("files", {}).items()]
    recorded, current = meta.get("knowledge_fingerprint", "–"), d.kb.fingerprint
    body = [
        f"<p>{esc(d.w('repro_intro'))}</p>",
        f'<pre dir="ltr" id="commands">{esc(chr(10).join(commands))}</pre>',
        f"<h3>{esc(d.w('config'))}</h3><p>{esc(d.w('config_intro'))}</p>",
        f'<pre dir="ltr" id="config">{esc(_toml(cfg))}</pre>',
        f"<h3>{esc(d.w('versions'))}</h3>"
        + table([esc(d.w("col.library")), esc(d.w("col.version"))], vrows, id="versions"),
        f"<h3>{esc(d.w('fingerprint'))}</h3>",
        listing(
            [
                f"{esc(d.w('fp_recorded'))}: {code(recorded)}",
                f"{esc(d.w('fp_current'))}: {code(current)}",
                f'{esc(d.w("fp_match"))}: <strong class="{"ok" if recorded == current else "bad"}">{esc(d.w("yes" if recorded == current else "no"))}</strong>',
            ]
        ),
        f"<h3>{esc(d.w('files'))}</h3>" + table([esc(d.w("col.file")), "SHA-256"], frows, id="files"),
    ]
    return section("reproduce", d.w("h.reproduce"), "".join(body))
