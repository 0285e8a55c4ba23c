"""The background map setting and the privacy note under every map page
(both databases): the note names the tile server the browser asks (and that
it sees the visitor's IP address), or says there is none; a city's own tile
service (the GRB example) is named and allowed by the CSP."""
from __future__ import annotations

import re

import pytest

from app.basemap import GRB_EXAMPLE

NONE = {"BASEMAP": "none", "BASEMAP_URL": None, "BASEMAP_NAME": None, "BASEMAP_ATTRIBUTION": None}


def map_pages(client) -> list[str]:
    html = client.get("/herentals").get_data(as_text=True)
    fiche = "/herentals/fiches/" + re.search(r'data-fiche-id="(\d+)" data-placed="true"', html).group(1)
    wijk = re.search(r'href="(/herentals/wijken/[^"]+)"', html).group(1)
    return ["/herentals", "/halle", fiche, wijk, "/herentals/vergelijken", "/regio"]


@pytest.mark.parametrize("config, named, host", [
    ({**NONE, "BASEMAP": "osm"}, "OpenStreetMap", "tile.openstreetmap.org"),
    ({**NONE, **GRB_EXAMPLE}, "GRB-basiskaart", "geo.api.vlaanderen.be"),
])
def test_every_map_page_names_its_tile_server(scratch_app, config, named, host):
    scratch_app.config.update(config)
    client = scratch_app.test_client()
    for path in map_pages(client):
        response = client.get(path)
        html = response.get_data(as_text=True)
        note = re.search(r'<p class="map-privacy">(.*?)</p>', html, re.S)
        assert note, path
        assert f"{named} ({host})" in note.group(1) and "IP-adres" in note.group(1), path
        assert "Geen achtergrond" in note.group(1) and "onthoudt" in note.group(1)
        assert f"https://{host}" in response.headers["Content-Security-Policy"]


def test_without_a_background_the_note_says_so(scratch_app):
    scratch_app.config.update(NONE)
    client = scratch_app.test_client()
    for path in map_pages(client):
        html = client.get(path).get_data(as_text=True)
        assert "geen achtergrondkaart: je browser vraagt niets op bij een andere server" in html, path
        assert "IP-adres" not in html


def test_a_hostile_basemap_name_is_escaped(scratch_app):
    scratch_app.config.update({**NONE, "BASEMAP_URL": "https://tegels.example/{z}/{x}/{y}.png",
                               "BASEMAP_NAME": "<script>alert(1)</script>", "BASEMAP_ATTRIBUTION": "x"})
    html = scratch_app.test_client().get("/herentals").get_data(as_text=True)
    note = re.search(r'<p class="map-privacy">(.*?)</p>', html, re.S).group(1)
    assert "&lt;script&gt;" in note and "<script>" not in note and "(tegels.example)" in note
