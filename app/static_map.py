"""A static SVG map of a few shapes, for the print view of the fiche and wijk
pages.

Why not print the Leaflet map: it is laid out for the screen width, its tiles
come and go, and Chromium prints it cut or shifted when the page width
changes. An SVG drawn on the server from the stored shapes (EPSG:31370, metres)
prints the same every time. Every text in it is escaped.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

WIDTH_PX = 720
MIN_EXTENT_M = 1000.0        # a point or a short line is shown with its surroundings

STYLES = {  # role -> fill, fill-opacity, stroke, stroke-width (px), dash
    "context": ("#f2f2f2", 1.0, "#8a8a8a", 1.0, None),
    "focus": ("none", 0.0, "#222222", 3.0, None),
    "fiche": ("#0072B2", 0.35, "#0072B2", 2.5, None),
    "fiche-indicatief": ("#0072B2", 0.25, "#0072B2", 2.5, "6 4"),
}


@dataclass
class Shape:
    geom: BaseGeometry | None     # EPSG:31370
    role: str                     # a key of STYLES
    label: str | None = None      # drawn at a point inside the visible part


@dataclass
class PrintMap:
    svg: Markup
    caption: str


def _frame(shapes: list[Shape]) -> tuple[float, float, float, float]:
    """The extent of the focus shapes (else all), at least MIN_EXTENT_M wide
    and high, with a margin."""
    chosen = [s.geom for s in shapes if s.role != "context" and s.geom is not None and not s.geom.is_empty] \
        or [s.geom for s in shapes if s.geom is not None and not s.geom.is_empty]
    minx = min(g.bounds[0] for g in chosen)
    miny = min(g.bounds[1] for g in chosen)
    maxx = max(g.bounds[2] for g in chosen)
    maxy = max(g.bounds[3] for g in chosen)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w = max(maxx - minx, MIN_EXTENT_M) / 2 * 1.08
    half_h = max(maxy - miny, MIN_EXTENT_M * 0.6) / 2 * 1.08
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _path(geom: BaseGeometry, minx: float, maxy: float) -> str:
    """SVG path data; y flipped (SVG grows downwards, Lambert 72 upwards)."""
    def ring(coords, close: bool) -> str:
        points = [f"{x - minx:.1f} {maxy - y:.1f}" for x, y, *_ in coords]
        return "M" + " L".join(points) + (" Z" if close else "")

    kind = geom.geom_type
    if kind == "Polygon":
        return " ".join(ring(r.coords, True) for r in (geom.exterior, *geom.interiors))
    if kind == "LineString":
        return ring(geom.coords, False)
    if kind.startswith("Multi") or kind == "GeometryCollection":
        return " ".join(filter(None, (_path(part, minx, maxy) for part in geom.geoms)))
    return ""


def _points(geom: BaseGeometry):
    if geom.geom_type == "Point":
        yield geom
    elif hasattr(geom, "geoms"):
        for part in geom.geoms:
            yield from _points(part)


def svg_map(shapes: list[Shape], title: str) -> Markup | None:
    """An <svg> of the shapes (drawn in list order), or None when none has a geometry."""
    if not any(s.geom is not None and not s.geom.is_empty for s in shapes):
        return None
    minx, miny, maxx, maxy = _frame(shapes)
    width, height = maxx - minx, maxy - miny
    view = box(minx, miny, maxx, maxy)
    radius = width / 90
    font = width / 45
    body, labels = [], []
    for shape in shapes:
        geom = shape.geom
        if geom is None or geom.is_empty or not geom.intersects(view):
            continue
        fill, opacity, stroke, stroke_width, dash = STYLES[shape.role]
        common = (f'fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}" stroke-width="{stroke_width}" '
                  f'vector-effect="non-scaling-stroke"' + (f' stroke-dasharray="{dash}"' if dash else ""))
        data = _path(geom, minx, maxy)
        if data:
            line_fill = ' fill="none"' if geom.geom_type.endswith("LineString") else ""
            attrs = common.replace(f'fill="{fill}" ', "") if line_fill else common
            body.append(f'<path d="{data}"{line_fill} {attrs} fill-rule="evenodd"/>')
        for point in _points(geom):
            body.append(f'<circle cx="{point.x - minx:.1f}" cy="{maxy - point.y:.1f}" r="{radius:.1f}" {common}/>')
        if shape.label:
            visible = geom.intersection(view)
            if not visible.is_empty:
                anchor = visible.representative_point()
                labels.append(
                    f'<text x="{anchor.x - minx:.1f}" y="{maxy - anchor.y:.1f}" font-size="{font:.1f}" '
                    f'text-anchor="middle" paint-order="stroke" stroke="#ffffff" stroke-width="{font / 5:.1f}" '
                    f'fill="#222222">{escape(shape.label)}</text>')
    height_px = round(WIDTH_PX * height / width)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="print-map-svg" viewBox="0 0 {width:.1f} {height:.1f}" '
        f'width="{WIDTH_PX}" height="{height_px}" role="img" aria-label="{escape(title)}">'
        f'<title>{escape(title)}</title><rect width="100%" height="100%" fill="#ffffff"/>'
        + "".join(body) + "".join(labels) + "</svg>"
    )


def fiche_print_map(fiche_geom, precision: str | None, wijken: list[tuple[str, BaseGeometry]],
                    title: str) -> PrintMap | None:
    """The fiche's shape over the wijken it lies in (named)."""
    role = "fiche-indicatief" if precision == "indicatief" else "fiche"
    shapes = [Shape(g, "context", name) for name, g in wijken] + [Shape(fiche_geom, role)]
    svg = svg_map(shapes, f"Kaart: {title}")
    caption = "Ligging van de fiche" + (" (indicatief: gestreepte lijn)" if role == "fiche-indicatief" else "") \
        + (" in de wijken " + ", ".join(name for name, _ in wijken) if wijken else "") + "."
    return PrintMap(svg, caption) if svg is not None else None


def wijk_print_map(wijk_name: str, wijk_geom, others: list[BaseGeometry],
                   fiches: list[tuple[BaseGeometry, str | None]]) -> PrintMap | None:
    """The wijk (outlined, named) among its neighbours, with the fiches that touch it."""
    shapes = [Shape(g, "context") for g in others] + [
        Shape(g, "fiche-indicatief" if precision == "indicatief" else "fiche") for g, precision in fiches
    ] + [Shape(wijk_geom, "focus", wijk_name)]
    svg = svg_map(shapes, f"Kaart van de wijk {wijk_name}")
    caption = f"De wijk {wijk_name} (dikke lijn) en de {len(fiches)} fiches met een ligging in de wijk."
    return PrintMap(svg, caption) if svg is not None else None
