"""What the WFS tests expect, computed from the database without the app's
WFS code: the features of each feature type (fiches and phases per city and
dimension, wijken) with their geometries in EPSG:31370."""
from __future__ import annotations

import shapely
from sqlalchemy import select

from app.models import Area, Fiche, Municipality
from app.read.queries import FicheFilters, select_fiches
from app.spatial import from_db

SUFFIXES = {0: "punten", 1: "lijnen", 2: "vlakken"}
GML = "{http://www.opengis.net/gml/3.2}"
WFS = "{http://www.opengis.net/wfs/2.0}"
OWS = "{http://www.opengis.net/ows/1.1}"
FK = "{urn:fichekaart:wfs}"


def expected_features(session) -> dict[str, dict]:
    """{type name: {feature id: shapely geometry in 31370}} for every type."""
    out: dict[str, dict] = {}
    for city in session.scalars(select(Municipality)):
        for suffix in SUFFIXES.values():
            out[f"fiches-{city.slug}-{suffix}"] = {}
            out[f"fasen-{city.slug}-{suffix}"] = {}
        for fiche in select_fiches(session, FicheFilters(municipality=city.nis_code)):
            geom = from_db(fiche.geom)
            if geom is not None:
                out[f"fiches-{city.slug}-{SUFFIXES[shapely.get_dimensions(geom)]}"][fiche.id] = geom
            for phase in fiche.phases:
                place = from_db(phase.geom) if phase.geom is not None else geom
                if phase.start and phase.end and place is not None:
                    out[f"fasen-{city.slug}-{SUFFIXES[shapely.get_dimensions(place)]}"][phase.id] = place
    out["wijken"] = {a.code: from_db(a.geom) for a in session.scalars(select(Area).where(Area.level == "wijk"))}
    return out


def draft_ids(session) -> set[int]:
    return set(session.scalars(select(Fiche.id).where(Fiche.published.is_(False))))
