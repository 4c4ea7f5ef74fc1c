"""The one place that resolves paths inside ``resources/``.

Works from a source checkout, an installed wheel and a PyInstaller bundle (``sys._MEIPASS``).
"""

import sys
from pathlib import Path


def resources_root() -> Path:
    """Return the directory holding the ``resources`` tree."""
    bundle_dir = getattr(sys, "_MEIPASS", None)
    if bundle_dir is not None:
        return Path(bundle_dir) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Return the path of a resource file, e.g. ``resource_path("portals", "paciolan.toml")``.

    Raises:
        FileNotFoundError: the resource does not exist (a packaging mistake, not user error).
    """
    path = resources_root().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"missing resource: {path}")
    return path
