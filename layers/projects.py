"""Project fiches on the map, coloured by sector or by status.

Input: fiche features in EPSG:4326 (any geometry type, null geometries
skipped) with the fiche properties (raw text). Output: (folium.FeatureGroup,
Legend). The group holds one folium.GeoJson per geometry family (polygons,
lines, points as circle markers), so a thousand fiches are three layers, not
a thousand. Indicative geometries get a dashed outline and a lighter fill,
and their popup says "Indicatieve ligging".
"""
from __future__ import annotations

import folium

from . import styles
from .geojson import BIND_HTML, FAMILIES, collection, family_parts, read_features, style_lookup
from .legend import Entry, Legend, entries_html, notes_html
from .popups import fiche_popup, fiche_tooltip

POINT_RADIUS = 7


def build_projects_layer(fiches_fc, style_by: str = "sector", name: str = "Projecten", *,
                         show: bool = True) -> tuple[folium.FeatureGroup, Legend]:
    """The fiches as one layer group, with a legend per sector or per status."""
    if style_by not in ("sector", "status"):
        raise ValueError('style_by must be "sector" or "status"')
    color_of = _sector_key if style_by == "sector" else _status_key
    items: dict[str, list] = {family: [] for family in FAMILIES}
    family_styles: dict[str, list] = {family: [] for family in FAMILIES}
    keys, any_indicative, any_exact = set(), False, False
    for feature in read_features(fiches_fc):
        props = feature["properties"]
        key, color = color_of(props)
        keys.add(key)
        indicative = props.get("geometry_precision") == "indicatief"
        any_indicative |= indicative
        any_exact |= not indicative
        # fid: the list's "Toon op kaart" and the map's click find a fiche's shapes by it
        html = {"tooltip": fiche_tooltip(props), "popup": fiche_popup(props), "fid": props.get("id")}
        for family, geometry in family_parts(feature["geometry"]):
            items[family].append((geometry, html))
            family_styles[family].append(_style(family, color, indicative))

    group = folium.FeatureGroup(name=name, show=show)
    for family in FAMILIES:
        if not items[family]:
            continue
        folium.GeoJson(
            collection(items[family]),
            style_function=style_lookup(family_styles[family]),
            highlight_function=_highlight(family),
            on_each_feature=BIND_HTML,
            marker=folium.CircleMarker(radius=POINT_RADIUS) if family == "points" else None,
            control=False,
        ).add_to(group)
    return group, _legend(name, style_by, keys, any_indicative, any_exact, items, group)


def _sector_key(props: dict) -> tuple[str, str]:
    sector = props.get("sector") or styles.NO_SECTOR_LABEL
    return sector, styles.sector_color(props.get("sector"))


def _status_key(props: dict) -> tuple[str, str]:
    return props.get("status") or "", styles.status_color(props.get("status"))


def _style(family: str, color: str, indicative: bool) -> dict:
    cls = "fk-project fk-indicatief" if indicative else "fk-project"
    if family == "polygons":
        style = {"color": color, "weight": 2, "fillColor": color, "fillOpacity": 0.35}
        if indicative:
            style.update(dashArray="6 5", fillOpacity=0.12)
    elif family == "lines":
        style = {"color": color, "weight": 4, "opacity": 0.9}
        if indicative:
            style.update(dashArray="8 6", weight=3)
    else:
        # folium's CircleMarker defaults to fill=False.
        style = {"color": color, "weight": 2, "fill": True, "fillColor": color, "fillOpacity": 0.85}
        if indicative:
            style.update(dashArray="3 3", fillOpacity=0.25)
    return {**style, "className": cls}


def _highlight(family: str):
    if family == "points":
        return None
    weight = 4 if family == "polygons" else 6
    return lambda feature: {"weight": weight}


def _legend(name, style_by, keys, any_indicative, any_exact, items, group) -> Legend:
    kind = "circle" if not items["polygons"] and not items["lines"] else "fill"
    if style_by == "sector":
        known = [s for s in styles.SECTOR_COLORS if s in keys]
        other = sorted(k for k in keys if k not in styles.SECTOR_COLORS)
        entries = [Entry(s, styles.sector_color(s), kind) for s in known]
        entries += [Entry(s, styles.FALLBACK_COLOR, kind) for s in other]
    else:
        known = [s for s in styles.STATUS_LABELS if s in keys]
        ordered = known + sorted(k for k in keys if k not in styles.STATUS_LABELS)
        entries = [Entry(styles.status_label(s), styles.status_color(s), kind) for s in ordered]
    if any_indicative:
        if any_exact:
            entries.append(Entry(styles.PRECISION_LABELS["exact"], "#333333", "line"))
        entries.append(Entry(styles.PRECISION_LABELS["indicatief"], "#333333", "line", dashed=True))
    notes = ["Klik op een project voor de fiche."]
    return Legend(f"{name} per {style_by}", entries_html(entries) + notes_html(notes), layer=group)
