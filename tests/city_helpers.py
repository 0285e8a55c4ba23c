"""Reading the city map page the way a test needs it: the list view's rows,
the fiche ids in the map's embedded data (per layer), the phases per year."""
from __future__ import annotations

import json
import re
from collections import Counter
from html import unescape

from layers_fixtures import HOSTILE_TITLE  # noqa: F401 (the city tests use it from here)

FICHE_LINK = re.compile(r"/(?:[a-z0-9-]+)/fiches/(\d+)")
_DECODER = json.JSONDecoder()


def layer_names(html: str) -> dict:
    """The page's {layer role: JS variable name} (data-layers on the map box)."""
    match = re.search(r"data-layers='([^']*)'", html)
    assert match, "no map on the page"
    return json.loads(unescape(match.group(1)))


def embedded(html: str, name: str, opener: str = "_add(") -> dict:
    """The FeatureCollection folium embedded for the layer `name`."""
    marker = f"{name}{opener}" if opener == "_add(" else f"{name} = L.timeline("
    start = html.index(marker) + len(marker)
    while html[start].isspace():
        start += 1
    data, _ = _DECODER.raw_decode(html, start)
    assert data.get("type") == "FeatureCollection"
    return data


def fiche_id_of(feature: dict) -> int:
    """The fiche a map feature belongs to: the link in its (escaped) popup."""
    match = FICHE_LINK.search(feature["properties"].get("popup", ""))
    assert match, feature["properties"]
    return int(match.group(1))


def map_fiche_ids(html: str) -> set[int]:
    """Ids of the fiches drawn by the projects layer."""
    return {fiche_id_of(f) for name in layer_names(html)["projects"] for f in embedded(html, name)["features"]}


def timeline_features(html: str, get_json) -> list[dict]:
    """The phases the page's Timeline fetches when it is shown (its URL in
    data-layers: timeline_data); get_json(url) -> the parsed answer."""
    assert "L.timeline(" in html and embedded(html, layer_names(html)["timeline"], opener="timeline")["features"] == []
    data = get_json(layer_names(html)["timeline_data"])
    assert data["type"] == "FeatureCollection"
    return data["features"]


def timeline_active(html: str, year: int, get_json) -> Counter:
    """{fiche id: number of phase features} the slider shows in `year` (the
    Timeline's interval [ys, ye] in whole years)."""
    return Counter(fiche_id_of(f) for f in timeline_features(html, get_json)
                   if f["properties"]["ys"] <= year <= f["properties"]["ye"])


def list_items(html: str) -> dict[int, str]:
    """{fiche id: the HTML of its list item}, in page order."""
    start = html.index('<ol class="fiche-list"')
    section = html[start:html.index("</ol>", start)]
    items = {}
    for part in re.split(r'<li class="fiche-item" id="fiche-\d+" data-fiche-id="', section)[1:]:
        fiche_id, _, rest = part.partition('"')
        items[int(fiche_id)] = rest
    return items


def list_ids(html: str) -> list[int]:
    return list(list_items(html))


def placed_list_ids(html: str) -> set[int]:
    return {i for i, item in list_items(html).items() if "zonder ligging op de kaart" not in item}


def list_active_phases(html: str) -> Counter:
    return Counter({i: item.count('class="active-phase"') for i, item in list_items(html).items()
                    if 'class="active-phase"' in item})


def give_a_placed_fiche_a_hostile_title(app) -> int:
    """Retitle the first published Herentals fiche with a place to HOSTILE_TITLE
    (in a scratch database); returns its id."""
    from sqlalchemy import select

    from app.models import Fiche, Municipality
    from staff_fixtures import db

    with db(app) as session:
        fiche = session.scalar(select(Fiche).join(Municipality).where(
            Municipality.slug == "herentals", Fiche.published.is_(True), Fiche.geom.is_not(None),
            Fiche.kind == "fiche").order_by(Fiche.id).limit(1))
        fiche.title = HOSTILE_TITLE
        session.commit()
        return fiche.id
