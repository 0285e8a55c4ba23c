"""Zipped shapefiles, opened as hostile input: the archive's directory is
checked BEFORE anything is written (member count, total uncompressed size,
compression ratio, paths), then only the members of one layer (.shp .shx
.dbf .prj .cpg) are copied out, each with a running byte count, under fixed
names. Never extractall: a 1 MB upload must not become gigabytes on disk.

Used by app/write/imports/tables.py for every zip (bulk import, geometry
upload, the CLI). Messages are Dutch and never show server paths.
"""
from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from .errors import ImportFailed, RowError

MAX_MEMBERS = 200                           # files in the archive
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # all members together, as the archive declares them
MAX_RATIO = 200                             # uncompressed / compressed, for members over RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_CHUNK = 1024 * 1024


class LayerChoiceNeeded(ImportFailed):
    """The file holds several layers and none was chosen; `layers` names them."""

    def __init__(self, filename: str, layers: list[str]):
        shown = ", ".join(f"'{name}'" for name in layers[:20]) + (" ..." if len(layers) > 20 else "")
        super().__init__([RowError(None, None, (
            f"Het bestand bevat {len(layers)} lagen: {shown}. Welke laag wil je importeren? "
            "Kies ze bij 'Laag' (op de opdrachtregel: --layer NAAM)."
        ))], filename)
        self.layers = layers


def _fail(filename: str, message: str):
    raise ImportFailed([RowError(None, None, message)], filename)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB".replace(",", ".")


def check_directory(infos: list[zipfile.ZipInfo], filename: str) -> None:
    """Refuse an archive by what its directory declares, before extracting."""
    if len(infos) > MAX_MEMBERS:
        _fail(filename, f"Het zip-bestand bevat {len(infos)} bestanden; hoogstens {MAX_MEMBERS} zijn toegelaten.")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        _fail(filename, f"Het zip-bestand is uitgepakt {_megabytes(total)} groot; hoogstens "
                        f"{_megabytes(MAX_UNCOMPRESSED_BYTES)} is toegelaten.")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
            _fail(filename, f"Het zip-bestand is verdacht sterk gecomprimeerd ({int(ratio)} keer, "
                            f"hoogstens {MAX_RATIO} keer toegelaten) en wordt niet uitgepakt.")
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if info.filename.startswith(("/", "\\")) or ".." in parts or ":" in info.filename:
            _fail(filename, "Het zip-bestand bevat ongeldige paden.")


def shapefile_layers(infos: list[zipfile.ZipInfo]) -> dict[str, str]:
    """{layer name: member path without suffix} for every .shp in the archive
    (macOS resource forks left out)."""
    layers = {}
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.suffix.lower() == ".shp" and not info.is_dir() and "__MACOSX" not in path.parts:
            layers[path.stem] = info.filename[: -len(path.suffix)]
    return layers


def extract_shapefile(archive_path: Path, filename: str, target_dir: Path, layer: str | None = None) -> Path:
    """Copy the members of one shapefile layer out of the zip at
    `archive_path` into `target_dir` (as laag.shp, laag.dbf, ...) and return
    the path of the .shp. Raises ImportFailed (LayerChoiceNeeded when the zip
    holds several layers and `layer` is None)."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            infos = archive.infolist()
            check_directory(infos, filename)
            layers = shapefile_layers(infos)
            if not layers:
                _fail(filename, "Het zip-bestand bevat geen shapefile (.shp).")
            if layer is not None and layer not in layers:
                _fail(filename, f"Laag '{layer}' staat niet in het zip-bestand (wel: {', '.join(sorted(layers))}).")
            if layer is None and len(layers) > 1:
                raise LayerChoiceNeeded(filename, sorted(layers))
            name = layer or next(iter(layers))
            stem = layers[name].lower()
            members = {}
            for info in infos:
                base, dot, suffix = info.filename.rpartition(".")
                if dot and base.lower() == stem and f".{suffix.lower()}" in SHAPEFILE_PARTS:
                    members[f".{suffix.lower()}"] = info
            if ".prj" not in members:
                _fail(filename, f"Bij {name}.shp ontbreekt het .prj-bestand: het coördinatenstelsel is onbekend.")
            target_dir.mkdir(parents=True, exist_ok=True)
            for suffix, info in members.items():
                _copy_member(archive, info, target_dir / f"laag{suffix}", filename)
    except zipfile.BadZipFile:
        _fail(filename, "Het zip-bestand is beschadigd of geen zip-bestand.")
    except (RuntimeError, NotImplementedError):  # encrypted members, unknown compression
        _fail(filename, "Het zip-bestand is versleuteld of gebruikt een onbekende compressie.")
    return target_dir / "laag.shp"


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, filename: str) -> None:
    """Stream one member out, stopping at its declared size (zipfile also
    stops there, and the CRC check catches a member that lies)."""
    written = 0
    with archive.open(info) as source, open(target, "wb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > info.file_size:
                _fail(filename, "Het zip-bestand is beschadigd (een bestand is groter dan aangegeven).")
            out.write(chunk)
