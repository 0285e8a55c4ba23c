"""Per-city settings (issue 17): the beheerder's page, validation, history,
and what the settings change on that city's pages, files, OGC collection
and catalogue records, while the other city stays as it was. Both databases."""
from __future__ import annotations

import io
import json
import sqlite3

import pyogrio
import pytest
from sqlalchemy import func, select

from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import csrf_token, db, form_values, login

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
SETTINGS = "/beheer/herentals/instellingen"


def png_bytes(size=(40, 20), colour=(11, 92, 173)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def settings_form(client, **changes):
    page = client.get(SETTINGS)
    assert page.status_code == 200
    values = form_values(page.text, "instellingen-form").to_dict()
    values.update(changes)
    return values


def post_settings(client, logo: bytes | None = None, logo_name: str = "logo.png", **changes):
    data = settings_form(client, **changes)
    if logo is not None:
        data["logo"] = (io.BytesIO(logo), logo_name)
    return client.post(SETTINGS, data=data, content_type="multipart/form-data")


def revision_count(app) -> int:
    from app.models import CitySettingsRevision

    with db(app) as session:
        return session.scalar(select(func.count()).select_from(CitySettingsRevision))


def herentals_row(app):
    from app.models import CitySettings, Municipality

    with db(app) as session:
        row = session.scalar(select(CitySettings).join(Municipality, CitySettings.municipality_id == Municipality.id)
                             .where(Municipality.slug == "herentals"))
        session.expunge(row)
        return row


# -- the demo seed -----------------------------------------------------------------

def test_seed_sets_the_values_cited_from_the_sources(client):
    herentals, halle = client.get("/herentals").text, client.get("/halle").text
    assert "Stad Herentals" in herentals and "adviseur beleidsplanning en organisatieontwikkeling" in herentals
    assert "Stad Halle" in halle and 'href="https://halle.beleidsportaal.be/"' in halle
    # the sources name no licence: the pages say so instead of inventing one
    assert "Herentals heeft nog geen licentie gekozen" in herentals
    # the boundaries always carry Statbel's licence, machine-readable
    assert 'rel="license" href="https://statbel.fgov.be/en/statistics/opendata/licence"' in herentals


# -- who may change them -------------------------------------------------------------

@pytest.mark.parametrize("who", ["lezer", "redacteur", "lezer_halle"])
def test_only_a_beheerder_may_see_or_change_the_settings(scratch_app, staff, who):
    client = scratch_app.test_client()
    login(client, getattr(staff, who))
    assert client.get(SETTINGS).status_code == 403
    token = csrf_token(client.get("/beheer/herentals/").text) if who != "lezer_halle" else \
        csrf_token(client.get("/beheer/halle/").text)
    before = herentals_row(scratch_app)
    answer = client.post(SETTINGS, data={"csrf_token": token, "display_name": "Gekaapt", "plan_title": "x"})
    assert answer.status_code == 403 and "beheerder" in answer.text
    assert herentals_row(scratch_app).display_name == before.display_name
    assert client.get("/beheer/steden").status_code == 403
    assert client.post("/beheer/steden", data={"csrf_token": token, "nis": "13040"}).status_code == 403


def test_without_csrf_token_nothing_changes(scratch_app, staff):
    client = scratch_app.test_client()
    login(client, staff.beheerder)
    data = settings_form(client, display_name="Zonder token")
    del data["csrf_token"]
    assert client.post(SETTINGS, data=data).status_code == 400
    assert herentals_row(scratch_app).display_name == "Stad Herentals"


# -- saving, and what it changes -------------------------------------------------

def test_beheerder_saves_settings_that_every_channel_of_that_city_uses(scratch_app, staff, tmp_path):
    client = scratch_app.test_client()
    login(client, staff.beheerder)
    revisions = revision_count(scratch_app)
    answer = post_settings(client, logo=png_bytes(), display_name="Stad Herentals (test)",
                           plan_title="Inspiratienota 2025-2030", plan_period="2025-2030", licence_id="CC-BY-4.0",
                           contact_name="Dienst <b>Beleid</b>", contact_email="beleid@herentals.test",
                           contact_url="https://www.herentals.test/contact", accent_colour="#7A1F5C",
                           basemap="grb")
    assert answer.status_code == 302, answer.text
    assert revision_count(scratch_app) == revisions + 1
    history = client.get(SETTINGS).text
    assert "accentkleur" in history and "#7a1f5c" in history and staff.beheerder in history

    public = scratch_app.test_client()
    page = public.get("/herentals").text
    assert "--accent: #7a1f5c" in page and "Stad Herentals (test)" in page
    assert f'<link rel="license" href="{CC_BY}"' in page and f'rel="license" href="{CC_BY}"' in page
    assert "Dienst &lt;b&gt;Beleid&lt;/b&gt;" in page and "<b>Beleid</b>" not in page  # escaped
    assert 'href="mailto:beleid@herentals.test"' in page
    assert "geo.api.vlaanderen.be" in page  # the city's basemap choice: GRB
    csp = public.get("/herentals").headers["Content-Security-Policy"]
    assert "https://geo.api.vlaanderen.be" in csp
    logo_url = f"/herentals/logo?v={herentals_row(scratch_app).version}"
    assert logo_url in page
    logo = public.get(logo_url)
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data == png_bytes()

    # every page of the city: a fiche page, a wijk page, the figures and the downloads
    import re

    fiche = re.search(r'href="(/herentals/fiches/\d+)"', page).group(1)
    wijk = re.search(r'href="(/herentals/wijken/[^"]+)"', page).group(1)
    for path in (fiche, wijk, "/herentals/cijfers", "/herentals/downloads", "/herentals/vergelijken"):
        html = public.get(path).text
        assert "--accent: #7a1f5c" in html and f'rel="license" href="{CC_BY}"' in html, path

    # the other city is unaffected
    halle = public.get("/halle").text
    assert "#7a1f5c" not in halle and CC_BY not in halle and "/halle/logo" not in halle
    assert "geo.api.vlaanderen.be" not in halle
    assert public.get("/halle/logo").status_code == 404

    # GeoPackage: the metadata table and GDAL's gpkg_metadata
    path = tmp_path / "herentals.gpkg"
    path.write_bytes(public.get("/herentals/download.gpkg").data)
    meta = dict(pyogrio.read_dataframe(path, layer="metadata")[["sleutel", "waarde"]].values)
    assert meta["licentie_url"] == CC_BY and "CC-BY-4.0" in meta["licentie"]
    assert meta["titel"] == "Fichekaart – Stad Herentals (test)"
    assert "beleid@herentals.test" in meta["contact"] and "statbel" in meta["licentie_gebiedsgrenzen"].lower()
    with sqlite3.connect(path) as conn:
        gdal_metadata = " ".join(r[0] for r in conn.execute("SELECT metadata FROM gpkg_metadata"))
    assert CC_BY in gdal_metadata
    assert "Statbel" in pyogrio.read_info(path, layer="wijken")["layer_metadata"]["licentie"]
    halle_path = tmp_path / "halle.gpkg"
    halle_path.write_bytes(public.get("/halle/download.gpkg").data)
    halle_meta = dict(pyogrio.read_dataframe(halle_path, layer="metadata")[["sleutel", "waarde"]].values)
    assert halle_meta["licentie_url"] == "niet opgegeven" and halle_meta["titel"] == "Fichekaart – Stad Halle"

    # LEESMIJ of the CSV zip
    import zipfile

    with zipfile.ZipFile(io.BytesIO(public.get("/herentals/download.csv").data)) as z:
        readme = z.read("LEESMIJ.txt").decode("utf-8-sig")
    assert f"Licentie (URL): {CC_BY}" in readme and "beleid@herentals.test" in readme

    # OGC API: the city's collection, its items and the OpenAPI document
    collection = public.get("/ogc/collections/fiches-herentals?f=json").get_json()
    licences = [link for link in collection["links"] if link["rel"] == "license"]
    assert [link["href"] for link in licences] == [CC_BY]
    assert any(link["href"].endswith("/herentals/metadata.xml") for link in collection["links"])
    items = public.get("/ogc/collections/fiches-herentals/items?f=json&limit=1").get_json()
    assert CC_BY in [link["href"] for link in items["links"] if link["rel"] == "license"]
    halle_collection = public.get("/ogc/collections/fiches-halle?f=json").get_json()
    assert not [link for link in halle_collection["links"] if link["rel"] == "license"]
    wijken = public.get("/ogc/collections/wijken?f=json").get_json()
    assert [link["href"] for link in wijken["links"] if link["rel"] == "license"] == [
        "https://statbel.fgov.be/en/statistics/opendata/licence"]
    landing = public.get("/ogc/?f=json").get_json()
    assert CC_BY in [link["href"] for link in landing["links"] if link["rel"] == "license"]
    info = public.get("/ogc/openapi?f=json").get_json()["info"]["license"]
    assert info["url"].startswith("http") and info["name"]


@pytest.mark.parametrize("changes,message", [
    ({"accent_colour": "blauw"}, "geen kleur"),
    ({"accent_colour": "#ffee00"}, "te licht"),
    ({"contact_email": "geen-adres"}, "geen geldig e-mailadres"),
    ({"contact_url": "javascript:alert(1)"}, "volledig webadres"),
    ({"plan_period": "2030-2025"}, "geen periode"),
    ({"licence_id": "andere", "licence_other_id": "", "licence_name": "x"}, "andere licentie"),
    ({"licence_id": "WTFPL"}, "Onbekende licentie"),
    ({"basemap": "google"}, "Onbekende achtergrondkaart"),
    ({"display_name": "x" * 201}, "te lang"),
])
def test_invalid_values_are_refused_in_dutch_and_nothing_is_written(scratch_app, staff, changes, message):
    client = scratch_app.test_client()
    login(client, staff.beheerder)
    before, revisions = herentals_row(scratch_app), revision_count(scratch_app)
    answer = post_settings(client, **{"display_name": "Mag niet bewaard worden", **changes})
    assert answer.status_code == 422 and message in answer.text
    assert herentals_row(scratch_app).display_name == before.display_name
    assert revision_count(scratch_app) == revisions


@pytest.mark.parametrize("logo,name,message", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg", "SVG"),
    (b"\x89PNG\r\n\x1a\n" + b"rommel" * 50, "logo.png", "geen leesbare afbeelding"),
    (None, "groot.png", "te groot"),
    (None, "breed.png", "pixels"),
    (None, "logo.gif", "GIF"),
])
def test_bad_logos_are_refused(scratch_app, staff, logo, name, message):
    from PIL import Image

    if name == "groot.png":
        import os

        out = io.BytesIO()
        Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3)).save(out, format="PNG")
        logo = out.getvalue()
    elif name == "breed.png":
        logo = png_bytes(size=(2500, 10))
    elif name == "logo.gif":
        out = io.BytesIO()
        Image.new("RGB", (10, 10)).save(out, format="GIF")
        logo = out.getvalue()
    client = scratch_app.test_client()
    login(client, staff.beheerder)
    answer = post_settings(client, logo=logo, logo_name=name)
    assert answer.status_code == 422 and message in answer.text
    assert herentals_row(scratch_app).logo is None


def test_a_stale_form_is_refused(scratch_app, staff):
    client = scratch_app.test_client()
    login(client, staff.beheerder)
    stale = settings_form(client, display_name="Eerste")
    assert post_settings(client, display_name="Tweede").status_code == 302
    answer = client.post(SETTINGS, data=stale)
    assert answer.status_code == 409 and "Iemand anders" in answer.text
    assert herentals_row(scratch_app).display_name == "Tweede"


# -- listed or not ----------------------------------------------------------------

def test_an_unlisted_city_leaves_the_public_lists_but_stays_reachable(scratch_app, staff):
    client = scratch_app.test_client()
    login(client, staff.beheerder)
    data = settings_form(client)
    data.pop("listed", None)
    assert client.post(SETTINGS, data=data).status_code == 302
    public = scratch_app.test_client()
    assert 'href="/herentals"' not in public.get("/").text and 'href="/halle"' in public.get("/").text
    ids = [c["id"] for c in public.get("/ogc/collections?f=json").get_json()["collections"]]
    assert "fiches-herentals" not in ids and "fiches-halle" in ids
    assert "fiches-herentals" not in public.get("/catalogus.ttl").text
    assert public.get("/herentals").status_code == 200
    assert public.get("/ogc/collections/fiches-herentals?f=json").status_code == 200
    assert public.get("/herentals/metadata.xml").status_code == 200
    assert client.get("/beheer/herentals/").status_code == 200


# -- catalogue records --------------------------------------------------------------

def test_dcat_catalogue_parses_in_turtle_and_json_ld(client):
    from rdflib import Graph
    from rdflib.namespace import DCAT, DCTERMS, RDF

    turtle = client.get("/catalogus.ttl")
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"
    graph = Graph().parse(data=turtle.text, format="turtle")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert {str(d).rsplit("/", 1)[-1] for d in datasets} >= {"fiches-herentals", "fiches-halle", "wijken"}
    assert len(set(graph.subjects(RDF.type, DCAT.Catalog))) == 1
    assert len(set(graph.subjects(RDF.type, DCAT.DataService))) == 1
    for ds in datasets:
        assert graph.value(ds, DCTERMS.title) and graph.value(ds, DCTERMS.description)
        assert list(graph.objects(ds, DCAT.distribution))
    statbel = [o for s, o in graph.subject_objects(DCTERMS.license)
               if str(o) == "https://statbel.fgov.be/en/statistics/opendata/licence"]
    assert statbel
    jsonld = client.get("/catalogus.jsonld")
    assert jsonld.mimetype == "application/ld+json"
    other = Graph().parse(data=jsonld.text, format="json-ld")
    assert len(other) == len(graph)


def test_iso_19139_record_of_a_city_has_the_required_elements(client):
    from lxml import etree

    answer = client.get("/halle/metadata.xml")
    assert answer.status_code == 200 and answer.mimetype == "application/xml"
    root = etree.fromstring(answer.data)
    ns = {"gmd": "http://www.isotc211.org/2005/gmd", "gco": "http://www.isotc211.org/2005/gco",
          "gmx": "http://www.isotc211.org/2005/gmx"}

    def text(path):
        return root.xpath(f"string({path})", namespaces=ns).strip()

    ident = "gmd:identificationInfo/gmd:MD_DataIdentification"
    assert text(f"{ident}/gmd:citation/gmd:CI_Citation/gmd:title/gco:CharacterString") == "Projectfiches Stad Halle"
    assert "Stad Halle" in text(f"{ident}/gmd:abstract/gco:CharacterString")
    assert text(f"{ident}/gmd:resourceConstraints/gmd:MD_LegalConstraints/gmd:otherConstraints/*")
    box = f"{ident}/gmd:extent/gmd:EX_Extent/gmd:geographicElement/gmd:EX_GeographicBoundingBox"
    west, east = float(text(f"{box}/gmd:westBoundLongitude/gco:Decimal")), float(text(f"{box}/gmd:eastBoundLongitude/gco:Decimal"))
    south, north = float(text(f"{box}/gmd:southBoundLatitude/gco:Decimal")), float(text(f"{box}/gmd:northBoundLatitude/gco:Decimal"))
    assert 4.1 < west < east < 4.4 and 50.6 < south < north < 50.8  # Halle, Vlaams-Brabant
    assert text("gmd:referenceSystemInfo/gmd:MD_ReferenceSystem/gmd:referenceSystemIdentifier/gmd:RS_Identifier/gmd:code/gmx:Anchor") == "EPSG:31370"
    assert "https://halle.beleidsportaal.be/" in text(
        "gmd:contact/gmd:CI_ResponsibleParty/gmd:contactInfo/gmd:CI_Contact/gmd:onlineResource/gmd:CI_OnlineResource/gmd:linkage/gmd:URL")
    assert "beleidsportaal" in text(
        "gmd:dataQualityInfo/gmd:DQ_DataQuality/gmd:lineage/gmd:LI_Lineage/gmd:statement/gco:CharacterString")
    wijken = etree.fromstring(client.get("/catalogus/wijken.xml").data)
    anchor = wijken.xpath("//gmd:otherConstraints/gmx:Anchor", namespaces=ns)[0]
    assert anchor.get("{http://www.w3.org/1999/xlink}href") == "https://statbel.fgov.be/en/statistics/opendata/licence"


# -- adding a city by NIS code --------------------------------------------------

def test_beheerder_adds_a_city_by_nis_code(scratch_app, staff):
    from app.models import Area, Municipality

    client = scratch_app.test_client()
    login(client, staff.beheerder)
    page = client.get("/beheer/steden")
    assert page.status_code == 200 and "Herentals" in page.text
    token = csrf_token(page.text)
    bad = client.post("/beheer/steden", data={"csrf_token": token, "nis": "1234"})
    assert bad.status_code == 422 and "geen NIS-code" in bad.text
    unknown = client.post("/beheer/steden", data={"csrf_token": token, "nis": "99999"})
    assert unknown.status_code == 422 and "Er werd niets gewijzigd" in unknown.text
    added = client.post("/beheer/steden", data={"csrf_token": token, "nis": "13040"}, follow_redirects=True)
    assert added.status_code == 200 and "toegevoegd" in added.text
    with db(scratch_app) as session:
        city = session.scalar(select(Municipality).where(Municipality.nis_code == "13040"))
        assert city is not None
        assert session.scalar(select(func.count()).where(Area.municipality_id == city.id, Area.level == "wijk")) > 0
        slug = city.slug
    assert scratch_app.test_client().get(f"/{slug}").status_code == 200
    assert client.get(f"/beheer/{slug}/instellingen").status_code == 200
