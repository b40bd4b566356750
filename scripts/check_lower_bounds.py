"""Check that the environment holds the oldest versions ``pyproject.toml`` allows.

Run inside the environment ``make test-oldest`` builds (uv's ``--resolution
lowest-direct``): every runtime dependency, and every dependency of the optional extras
whose code the suite tests (``fhir``, ``serve``), must be installed at exactly its declared
lower bound. If the resolver had to pick something newer, the bound in
``pyproject.toml`` promises a version nobody tests, and this script says which one to
move and where to.

    python scripts/check_lower_bounds.py [pyproject.toml]
"""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

#: Extras whose dependencies are held to their lower bounds too (the test extra installs them).
CHECKED_EXTRAS = ("fhir", "serve")


def lower_bound(requirement: Requirement) -> Version | None:
    """The version a ``>=`` (or ``==``) specifier of ``requirement`` starts at, if any."""
    for spec in requirement.specifier:
        if spec.operator in (">=", "=="):
            return Version(spec.version)
    return None


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else Path(__file__).parents[1] / "pyproject.toml")
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    deps = list(
        dict.fromkeys([*project["dependencies"], *(d for name in CHECKED_EXTRAS for d in extras.get(name, []))])
    )
    problems, rows = [], []
    for text in deps:
        req = Requirement(text)
        bound = lower_bound(req)
        try:
            installed = Version(version(req.name))
        except PackageNotFoundError:
            problems.append(f"{req.name}: not installed")
            continue
        rows.append(f"  {req.name:<16} declared {req.specifier!s:<14} installed {installed}")
        if bound is None:
            problems.append(f"{req.name}: {text!r} has no lower bound; give it one that is tested")
        elif installed != bound:
            problems.append(
                f"{req.name}: declared lower bound {bound}, but the oldest resolvable version is {installed}; "
                f"raise the bound in {path.name} to {installed}"
            )
    print("runtime and fhir/serve dependencies at their lower bounds:")
    print("\n".join(rows))
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
