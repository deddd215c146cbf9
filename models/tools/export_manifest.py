"""Reading and updating a model manifest (format: INTERFACES.md, "Models"), shared by the export tools.

An entry is replaced by role: exporting Time_BM.pth.tar again replaces the "bm" entry and keeps the others.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile

MANIFEST_VERSION = 1
ROLE_ORDER = ("detector", "bm", "m", "b")


class ManifestError(Exception):
    """A manifest that cannot be read or updated."""


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def relative_file(manifest_path: str, file_path: str) -> str:
    """The path of file_path relative to the manifest's directory; it must lie inside that directory."""
    base = os.path.dirname(os.path.abspath(manifest_path))
    rel = os.path.relpath(os.path.abspath(file_path), base)
    if rel.startswith(".." + os.sep) or rel == ".." or os.path.isabs(rel):
        raise ManifestError(f"{file_path} is outside the manifest's directory {base}: "
                            f"model files must sit in (or below) the directory of the manifest")
    return rel.replace(os.sep, "/")


def read_manifest(manifest_path: str) -> dict:
    if not os.path.exists(manifest_path):
        return {"manifestVersion": MANIFEST_VERSION, "models": []}
    try:
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        raise ManifestError(f"{manifest_path}: cannot read the manifest ({e})") from e
    if not isinstance(manifest, dict) or manifest.get("manifestVersion") != MANIFEST_VERSION \
            or not isinstance(manifest.get("models"), list):
        raise ManifestError(f"{manifest_path}: not a version {MANIFEST_VERSION} manifest "
                            f"(expected {{\"manifestVersion\": 1, \"models\": [...]}})")
    return manifest


def put_entry(manifest_path: str, entry: dict) -> None:
    """Writes entry into the manifest (created if absent), replacing an entry of the same role; atomic."""
    manifest = read_manifest(manifest_path)
    models = [m for m in manifest["models"] if m.get("role") != entry["role"]] + [entry]
    rank = {role: i for i, role in enumerate(ROLE_ORDER)}
    models.sort(key=lambda m: rank.get(m.get("role"), len(ROLE_ORDER)))
    manifest["models"] = models
    directory = os.path.dirname(os.path.abspath(manifest_path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", suffix=".json", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it owner-only; services may run as another user
    os.replace(tmp, manifest_path)
