"""Reading a file into rows: CSV, XLSX, and spatial files through GDAL.

Everything returns a `Table`: a list of row dicts keyed by the header, the
row numbers people see in their spreadsheet, and for spatial files the
geometries with the CRS the file declares.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from .archives import LayerChoiceNeeded, extract_shapefile
from .errors import ImportFailed, RowError

SPATIAL_SUFFIXES = {".geojson", ".json", ".gpkg", ".zip", ".shp", ".kml", ".fgb"}


@dataclass
class Table:
    rows: list[dict]
    row_numbers: list[int]
    geometries: list | None = None     # shapely geometries or None, same order as rows
    crs: object | None = None          # pyproj CRS of the geometries
    columns: list[str] = field(default_factory=list)


def fail(filename: str, message: str, row: int | None = None, column: str | None = None) -> NoReturn:
    raise ImportFailed([RowError(row, column, message)], filename)


def read_table(source: str | Path | bytes, filename: str | None = None, layer: str | None = None) -> Table:
    """Read a CSV, XLSX or spatial file (GeoJSON, GeoPackage, zipped Shapefile,
    KML, FlatGeobuf) from a path or from bytes."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        filename = filename or path.name
        data = path.read_bytes()
    else:
        data = source
    filename = filename or "bestand"
    suffix = Path(filename).suffix.lower()
    if suffix in (".csv", ".txt"):
        return read_csv(data, filename)
    if suffix == ".xlsx":
        return read_xlsx(data, filename)
    if suffix in SPATIAL_SUFFIXES:
        return read_spatial(data, filename, layer)
    fail(filename, f"Bestandstype '{suffix or '?'}' wordt niet ondersteund "
                   "(csv, xlsx, geojson, gpkg, zip met shapefile, kml).")


def decode_text(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        fail(
            filename,
            f"Het bestand is niet in UTF-8 gecodeerd (eerste onleesbare teken op regel {line}). "
            "Bewaar het in Excel als 'CSV UTF-8 (door lijstscheidingsteken gescheiden)'.",
        )


def read_csv(data: bytes, filename: str) -> Table:
    text = decode_text(data, filename)
    if not text.strip():
        fail(filename, "Het bestand is leeg.")
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    # A detailed WKT geometry is one long cell: csv's default 128 kB limit
    # would call it unreadable; the upload limit bounds the file anyway.
    csv.field_size_limit(max(csv.field_size_limit(), len(data)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    errors: list[RowError] = []
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        fail(filename, f"De kopregel is onleesbaar ({exc}).", row=1)
    if len(set(header)) != len(header) or "" in header:
        fail(filename, "De kopregel bevat lege of dubbele kolomnamen.", row=1)
    rows, numbers = [], []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                errors.append(RowError(
                    line, None, f"{len(record)} velden in plaats van {len(header)} (scheidingsteken '{delimiter}')."
                ))
                continue
            rows.append(dict(zip(header, record)))
            numbers.append(line)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, None, f"Onleesbare CSV ({exc}); controleer de aanhalingstekens."))
    if errors:
        raise ImportFailed(errors, filename)
    return Table(rows, numbers, columns=header)


def read_xlsx(data: bytes, filename: str) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        fail(filename, f"Het Excel-bestand is onleesbaar ({exc.__class__.__name__}).")
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [str(h).strip() if h is not None else "" for h in next(values)]
    except StopIteration:
        fail(filename, "Het werkblad is leeg.")
    while header and header[-1] == "":
        header.pop()
    rows, numbers = [], []
    for i, record in enumerate(values, start=2):
        record = list(record[: len(header)])
        if not any(v not in (None, "") for v in record):
            continue
        rows.append({h: ("" if v is None else v) for h, v in zip(header, record)})
        numbers.append(i)
    return Table(rows, numbers, columns=header)


def read_spatial(data: bytes, filename: str, layer: str | None = None) -> Table:
    """A spatial file's features. A zip is opened by archives.extract_shapefile
    (caps checked before anything is extracted); a file with several layers
    needs `layer` (LayerChoiceNeeded names them)."""
    import pyogrio

    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        # A fixed name: the user's file name never reaches a path (or GDAL's messages).
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        target = str(path)
        if suffix == ".zip":
            target = str(extract_shapefile(path, filename, Path(tmp) / "laag", layer))
            layer = None  # the one layer that was extracted
        try:
            layers = [str(name) for name in pyogrio.list_layers(target)[:, 0]]
        except Exception as exc:
            fail(filename, f"GDAL kan het bestand niet lezen ({_short(exc, tmp, filename)}).")
        if layer is not None and layer not in layers:
            fail(filename, f"Laag '{layer}' staat niet in het bestand (wel: {', '.join(layers)}).")
        if layer is None and len(layers) > 1:
            raise LayerChoiceNeeded(filename, layers)
        layer = layer or (layers[0] if layers else None)
        try:
            frame = pyogrio.read_dataframe(target, layer=layer)
        except Exception as exc:
            fail(filename, f"GDAL kan laag '{layer}' niet lezen ({_short(exc, tmp, filename)}).")
    columns = [c for c in frame.columns if c != "geometry"]
    rows = frame[columns].to_dict("records")
    numbers = list(range(1, len(rows) + 1))
    if "geometry" not in frame.columns:  # a plain table in a GeoPackage
        return Table(rows, numbers, columns=columns)
    if frame.crs is None:
        fail(filename, "Het bestand vermeldt geen coördinatenstelsel (bij een shapefile: het .prj-bestand ontbreekt).")
    geoms = list(frame.geometry.values)
    # Row numbers as a person counts features: 1, 2, 3 ...
    return Table(rows, numbers, geoms, frame.crs, columns)


def _short(exc: Exception, tmp: str, filename: str) -> str:
    """GDAL's first sentence, with the user's file name where GDAL names the
    server's temporary file, and no other server path."""
    text = (str(exc).splitlines() or [exc.__class__.__name__])[0].split("; ")[0]
    for root in {tmp, str(Path(tmp).resolve())}:
        text = re.sub(re.escape(root) + r"[^\s'\"]*", filename, text)
    return re.sub(r"(?<![\w.])/[^\s'\"]+", "…", text)[:200]
