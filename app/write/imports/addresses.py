"""A city's address list (the Flemish Adressenregister, successor of CRAB) from
a GeoPackage, a zipped Shapefile or a CSV with x/y or WKT columns.

The file replaces every address of the municipality: all of it or nothing,
errors per row in Dutch. The CRS is the file's own (GeoPackage, Shapefile);
a CSV says it with `crs` (default EPSG:31370). Addresses are kept as points
in EPSG:31370 with their street, house number and postcode; several
addresses with the same street and house number (bus numbers) are kept once.
"""
from __future__ import annotations

from pathlib import Path

import shapely
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ...crs import parse_crs
from ...geometry import GeometryError, to_storage
from ...models import Address, Area
from ...searchtext import normalise
from ...spatial import from_db, to_db
from . import values
from .errors import RowCollector
from .fiches import find_municipality
from .tables import read_table

# A point this far outside the city's own boundary is refused: almost always
# a wrong coordinate system or another city's file.
OUTSIDE_TOLERANCE_M = 200


def _code(value) -> str | None:
    """A house number or postcode as typed: 12.0 (a number column) -> "12"."""
    if isinstance(value, float) and value == value and value.is_integer():
        value = int(value)
    return values.text(value)


def _point(table, index: int, row: dict, options: dict, csv_crs):
    """The row's point and its CRS, or raise ValueError/GeometryError (Dutch)."""
    if table.geometries is not None:
        return table.geometries[index], table.crs
    wkt_column, x_column, y_column = options["wkt_column"], options["x_column"], options["y_column"]
    if wkt_column in table.columns:
        wkt = values.text(row[wkt_column])
        if not wkt:
            raise ValueError("Geen geometrie (WKT) ingevuld.")
        try:
            return shapely.from_wkt(wkt), csv_crs
        except Exception:
            raise ValueError(f"Onleesbare WKT: '{wkt[:60]}'.") from None
    x, y = values.number(row[x_column]), values.number(row[y_column])
    if x is None or y is None:
        raise ValueError("Coördinaten x en y zijn verplicht.")
    return shapely.Point(x, y), csv_crs


def import_addresses(
    session: Session,
    source: str | Path | bytes,
    *,
    municipality: str,
    filename: str | None = None,
    layer: str | None = None,
    street_column: str = "straatnaam",
    number_column: str = "huisnummer",
    postcode_column: str | None = "postcode",
    x_column: str = "x",
    y_column: str = "y",
    wkt_column: str = "wkt",
    crs: str | int | None = None,
    source_text: str | None = None,
) -> int:
    """Replace the addresses of `municipality` (NIS code or slug) with those of
    the file; returns how many were stored. Raises ImportFailed (nothing
    written) with Dutch row errors, or ValueError for a wrong option."""
    city = find_municipality(session, municipality)
    table = read_table(source, filename, layer)
    name = filename or (Path(source).name if isinstance(source, (str, Path)) else None)
    errors = RowCollector(name)
    required = [street_column, number_column] + ([postcode_column] if postcode_column else [])
    if table.geometries is None:
        required += [wkt_column] if wkt_column in table.columns else [x_column, y_column]
    for column in required:
        if column not in table.columns:
            errors.add(None, column, f"Kolom ontbreekt; beschikbaar: {', '.join(map(str, table.columns))}.")
    errors.raise_if_any()
    try:
        csv_crs = parse_crs(crs or 31370)
    except Exception:
        raise ValueError(f"Onbekend coördinatenstelsel '{crs}' (bijvoorbeeld EPSG:31370 of EPSG:4326).") from None
    boundary = session.scalar(select(Area.geom).where(Area.municipality_id == city.id, Area.level == "gemeente"))
    around = from_db(boundary).buffer(OUTSIDE_TOLERANCE_M) if boundary is not None else None
    options = {"wkt_column": wkt_column, "x_column": x_column, "y_column": y_column}

    rows, seen = [], set()
    for index, (row, number) in enumerate(zip(table.rows, table.row_numbers)):
        street = values.text(row[street_column])
        house = _code(row[number_column])
        postcode = _code(row[postcode_column]) if postcode_column else None
        if not street:
            errors.add(number, street_column, "De straatnaam is leeg.")
            continue
        if postcode and not (postcode.isdigit() and len(postcode) == 4):
            errors.add(number, postcode_column, f"'{postcode}' is geen Belgische postcode (4 cijfers).")
            continue
        try:
            geom, geom_crs = _point(table, index, row, options, csv_crs)
            if geom is not None and geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
                geom = geom.geoms[0]
            if geom is None or geom.geom_type != "Point":
                raise GeometryError("Een adres moet een punt zijn.")
            stored = to_storage(geom, geom_crs)
        except (ValueError, GeometryError) as exc:
            errors.add(number, "geometrie", str(exc))
            continue
        if around is not None and not around.contains(stored):
            errors.add(number, "geometrie",
                       f"Het punt ligt buiten {city.name}: klopt het coördinatenstelsel, "
                       "is dit het bestand van deze gemeente?")
            continue
        key = (normalise(street), normalise(house))
        if key in seen:  # another bus number of the same house: one point is enough
            continue
        seen.add(key)
        rows.append({"municipality_id": city.id, "street": street[:200], "house_number": house,
                     "postcode": postcode, "street_key": key[0][:200], "source": source_text,
                     "geom": to_db(stored)})
    if not rows and not errors.errors:
        errors.add(None, None, "Het bestand bevat geen adressen.")
    errors.raise_if_any()
    session.execute(delete(Address).where(Address.municipality_id == city.id))
    session.execute(insert(Address), rows)
    session.flush()
    return len(rows)
