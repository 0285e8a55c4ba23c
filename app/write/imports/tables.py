"""Reading a file into rows: CSV, XLSX, and spatial files through GDAL.

Everything returns a `Table`: a list of row dicts keyed by the header, the
row numbers people see in their spreadsheet, and for spatial files the
geometries with the CRS the file declares.
"""
from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

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
    import pyogrio

    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(filename).name
        path.write_bytes(data)
        target = str(path)
        if suffix == ".zip":
            target = _shapefile_in_zip(path, filename, Path(tmp))
        try:
            layers = pyogrio.list_layers(target)
        except Exception as exc:
            fail(filename, f"GDAL kan het bestand niet lezen ({_short(exc)}).")
        if layer is None:
            layer = layers[0][0] if len(layers) else None
        try:
            frame = pyogrio.read_dataframe(target, layer=layer)
        except Exception as exc:
            fail(filename, f"GDAL kan laag '{layer}' niet lezen ({_short(exc)}).")
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


def _shapefile_in_zip(path: Path, filename: str, tmp: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if any(n.startswith("/") or ".." in Path(n).parts for n in names):
                fail(filename, "Het zip-bestand bevat ongeldige paden.")
            shp = [n for n in names if n.lower().endswith(".shp")]
            if not shp:
                fail(filename, "Het zip-bestand bevat geen shapefile (.shp).")
            stem = shp[0][:-4]
            if not any(n.lower() == (stem + ".prj").lower() for n in names):
                fail(filename, f"Bij {Path(shp[0]).name} ontbreekt het .prj-bestand: "
                               "het coördinatenstelsel is onbekend.")
            archive.extractall(tmp / "unzipped")
    except zipfile.BadZipFile:
        fail(filename, "Het zip-bestand is beschadigd of geen zip-bestand.")
    return str(tmp / "unzipped" / shp[0])


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200]
