"""Hostile and oversized files (both databases unless marked): zip bombs are
refused before extraction, only one layer's members are extracted, a
1M-vertex line is refused with the old geometry kept, a geometry that the
database would store as NULL is refused (read-back), a GeoPackage with
several layers asks which one, and messages never show server paths."""
from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from html import unescape
from pathlib import Path

import pytest
import shapely
from sqlalchemy import select

from app.write.imports import ImportFailed, archives, tables
from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import as_user, db, fill, form_values, page_form



def shapefile_zip(layers=("vorm",), extra: dict[str, bytes] | None = None) -> bytes:
    import geopandas as gpd

    out = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, name in enumerate(layers):
            frame = gpd.GeoDataFrame({"ref": [f"HER-ZIP-{i}"], "titel": [name]},
                                     geometry=[shapely.Point(182716.77 + i, 207503.14)], crs=31370)
            frame.to_file(Path(tmp) / f"{name}.shp")
            for suffix in ("shp", "shx", "dbf", "prj", "cpg"):
                if (Path(tmp) / f"{name}.{suffix}").exists():
                    archive.write(Path(tmp) / f"{name}.{suffix}", f"{name}.{suffix}")
        for member, data in (extra or {}).items():
            archive.writestr(member, data)
    return out.getvalue()


def zip_bomb(megabytes: int = 60) -> bytes:
    """A shapefile zip with a .dbf of `megabytes` MB of zeros (about 1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("vorm.shp", b"\0" * 100)
        archive.writestr("vorm.prj", b"")
        info = zipfile.ZipInfo("vorm.dbf")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


@pytest.fixture
def temp_bytes(monkeypatch):
    """The most bytes any temporary directory of the readers held at once."""
    seen = {"max": 0}

    class Measured(tempfile.TemporaryDirectory):
        def cleanup(self):
            size = sum(p.stat().st_size for p in Path(self.name).rglob("*") if p.is_file())
            seen["max"] = max(seen["max"], size)
            super().cleanup()

        def __exit__(self, *exc):
            self.cleanup()

    monkeypatch.setattr(tables.tempfile, "TemporaryDirectory", Measured)
    return seen


# Archives (no database) ------------------------------------------------------------

def test_zip_bomb_is_refused_before_extracting(temp_bytes):
    bomb = zip_bomb(60)
    assert len(bomb) < 200_000
    with pytest.raises(ImportFailed) as refused:
        tables.read_table(bomb, "bom.zip")
    assert "verdacht sterk gecomprimeerd" in str(refused.value.errors[0])
    assert temp_bytes["max"] <= len(bomb) + 1024   # only the upload itself was written


def test_total_size_and_member_count_are_capped(monkeypatch, temp_bytes):
    cap = archives.MAX_UNCOMPRESSED_BYTES
    monkeypatch.setattr(archives, "MAX_UNCOMPRESSED_BYTES", 100)
    with pytest.raises(ImportFailed, match="uitgepakt"):
        tables.read_table(shapefile_zip(), "groot.zip")
    monkeypatch.setattr(archives, "MAX_UNCOMPRESSED_BYTES", cap)
    many = shapefile_zip(extra={f"leeg/{i}.txt": b"" for i in range(archives.MAX_MEMBERS)})
    with pytest.raises(ImportFailed, match=f"hoogstens {archives.MAX_MEMBERS}"):
        tables.read_table(many, "veel.zip")


def test_only_the_layer_members_are_extracted(temp_bytes):
    junk = {"leesmij.bin": bytes(range(256)) * 4000, "vorm.qmd": b"x" * 50_000}
    upload = shapefile_zip(extra=junk)
    table = tables.read_table(upload, "vorm.zip")
    assert [r["ref"] for r in table.rows] == ["HER-ZIP-0"]
    assert temp_bytes["max"] < len(upload) + 10_000   # the junk members were not extracted


def test_unsafe_paths_are_refused():
    with pytest.raises(ImportFailed, match="ongeldige paden"):
        tables.read_table(shapefile_zip(extra={"../../etc/x.txt": b"x"}), "pad.zip")


def test_several_layers_ask_which_one():
    upload = shapefile_zip(("wegen", "pleinen"))
    with pytest.raises(archives.LayerChoiceNeeded) as asked:
        tables.read_table(upload, "twee.zip")
    assert asked.value.layers == ["pleinen", "wegen"]
    assert "Welke laag" in str(asked.value.errors[0])
    assert [r["titel"] for r in tables.read_table(upload, "twee.zip", layer="wegen").rows] == ["wegen"]


def _gpkg(layers) -> bytes:
    import geopandas as gpd

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lagen.gpkg"
        for i, name in enumerate(layers):
            gpd.GeoDataFrame({"ref": [f"HER-GPKG-{i}"], "titel": [name]},
                             geometry=[shapely.Point(182716.77 + i, 207503.14)], crs=31370).to_file(path, layer=name)
        return path.read_bytes()


def test_geopackage_with_several_layers_asks_which_one():
    data = _gpkg([f"laag{i}" for i in range(10)])
    with pytest.raises(archives.LayerChoiceNeeded) as asked:
        tables.read_table(data, "lagen.gpkg")
    assert len(asked.value.layers) == 10 and "laag7" in str(asked.value.errors[0])
    assert tables.read_table(data, "lagen.gpkg", layer="laag7").rows[0]["titel"] == "laag7"


def test_messages_never_show_server_paths():
    with pytest.raises(ImportFailed) as refused:
        tables.read_table(b"geen geopackage", "kapot.gpkg")
    message = str(refused.value.errors[0])
    assert tempfile.gettempdir() not in message and "/tmp" not in message and "upload" not in message


# Through the workspace and the CLI (both databases) -------------------------------------

def test_zip_bomb_through_bulk_import_and_geometry_upload(scratch_app, staff, temp_bytes):
    client = as_user(scratch_app, staff.redacteur)
    bomb = zip_bomb(60)
    values = page_form(client, "/beheer/herentals/import", "import-form")
    values.add("bestand", (io.BytesIO(bomb), "bom.zip"))
    answer = client.post("/beheer/herentals/import", data=values, content_type="multipart/form-data",
                         follow_redirects=True)  # the job's page (the job ran at once: immediate mode)
    assert answer.status_code == 422 and "verdacht sterk gecomprimeerd" in answer.text
    fiche_id = _a_fiche_with_geometry(scratch_app)[0]
    values = page_form(client, f"/beheer/herentals/fiches/{fiche_id}/bewerken")
    values.add("geometrie_bestand", (io.BytesIO(bomb), "bom.zip"))
    answer = client.post(f"/beheer/herentals/fiches/{fiche_id}/bewerken", data=values,
                         content_type="multipart/form-data")
    assert answer.status_code == 422 and "verdacht sterk gecomprimeerd" in answer.text
    assert temp_bytes["max"] <= len(bomb) + 1024


def test_bulk_import_offers_the_layers_of_a_geopackage(scratch_app, staff):
    client = as_user(scratch_app, staff.redacteur)
    data = _gpkg(["eerste", "tweede"])
    values = page_form(client, "/beheer/herentals/import", "import-form")
    values.add("bestand", (io.BytesIO(data), "lagen.gpkg"))
    asked = client.post("/beheer/herentals/import", data=values, content_type="multipart/form-data",
                        follow_redirects=True)
    assert asked.status_code == 422 and "Welke laag" in asked.text
    assert '<option value="tweede">' in asked.text
    # The job keeps the file: choosing the layer checks it again, no second upload.
    action = unescape(re.search(r'<form[^>]*action="([^"]+)"[^>]*id="laag-form"', asked.text).group(1))
    preview = client.post(action, data={**form_values(asked.text, "laag-form"), "laag": "tweede"},
                          follow_redirects=True)
    assert preview.status_code == 200 and "HER-GPKG-1" in preview.text and "HER-GPKG-0" not in preview.text
    assert client.post(action, data={**form_values(asked.text, "laag-form"), "laag": "derde"}).status_code == 422


def test_cli_layer_option(scratch_app, tmp_path):
    path = tmp_path / "lagen.gpkg"
    path.write_bytes(_gpkg(["eerste", "tweede"]))
    runner = scratch_app.test_cli_runner()
    asked = runner.invoke(args=["import", "fiches", str(path), "--municipality", "herentals"])
    assert asked.exit_code != 0 and "Welke laag" in asked.output and "--layer" in asked.output
    done = runner.invoke(args=["import", "fiches", str(path), "--municipality", "herentals", "--layer", "tweede"])
    assert done.exit_code == 0, done.output
    from app.models import Fiche

    with db(scratch_app) as session:
        refs = set(session.scalars(select(Fiche.ref).where(Fiche.ref.like("HER-GPKG-%"))))
    assert refs == {"HER-GPKG-1"}


def _a_fiche_with_geometry(app):
    """A Herentals fiche with a place, made a draft: the form writes the fiche
    itself (a published fiche saves into its working version)."""
    from app.models import Fiche, Municipality
    from app.write.history import geometry_wkt

    with db(app) as session:
        fiche = session.scalar(select(Fiche).join(Municipality).where(
            Municipality.slug == "herentals", Fiche.geom.is_not(None)).order_by(Fiche.id).limit(1))
        if fiche.published:
            fiche.published = False
            session.commit()
        return fiche.id, fiche.ref, geometry_wkt(fiche.geom), fiche.version


def _long_line_4326(n: int) -> str:
    coords = ",".join(f"[4.83{i % 100:02d},51.17{(i // 100) % 100:02d}]" for i in range(n))
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": f"@@{n}"}}]}
    ).replace(f'"@@{n}"', f"[{coords}]")


def test_million_vertex_line_through_the_form_keeps_the_old_geometry(scratch_app, staff):
    client = as_user(scratch_app, staff.redacteur)
    fiche_id, _ref, old_wkt, version = _a_fiche_with_geometry(scratch_app)
    url = f"/beheer/herentals/fiches/{fiche_id}/bewerken"
    values = page_form(client, url)
    fill(values, {"geometrie_geojson": _long_line_4326(1_000_000), "ligging": "exact"})
    answer = client.post(url, data=values, content_type="multipart/form-data")  # 17 MB, under the 20 MB limit
    assert answer.status_code == 422
    assert "De geometrie heeft 1.000.000 punten; hoogstens 200.000" in answer.text
    assert _a_fiche_with_geometry(scratch_app)[2:] == (old_wkt, version)


def test_million_vertex_line_through_bulk_import_keeps_the_old_geometry(scratch_app, staff):
    client = as_user(scratch_app, staff.redacteur)
    fiche_id, ref, old_wkt, version = _a_fiche_with_geometry(scratch_app)
    line = "LINESTRING (" + ",".join(f"{182000 + i % 1000} {207000 + i // 1000}" for i in range(1_000_000)) + ")"
    data = f"ref;titel;geometrie_wkt\n{ref};Lange lijn;{line}\n".encode()
    values = page_form(client, "/beheer/herentals/import", "import-form")
    values.add("bestand", (io.BytesIO(data), "lijn.csv"))
    answer = client.post("/beheer/herentals/import", data=values, content_type="multipart/form-data",
                         follow_redirects=True)
    assert answer.status_code == 422 and "1.000.000 punten" in answer.text
    assert _a_fiche_with_geometry(scratch_app)[2:] == (old_wkt, version)


def test_read_back_refuses_a_geometry_stored_as_null(scratch_app, staff, backend, monkeypatch):
    """Without the vertex cap, SpatiaLite stores 600,000 vertices as NULL; the
    read-back turns that into a refusal, and the old geometry stays."""
    if backend != "spatialite":
        pytest.skip("SpatiaLite's WKT parser limit")
    import app.geometry

    monkeypatch.setattr(app.geometry, "MAX_VERTICES", 10_000_000)
    client = as_user(scratch_app, staff.redacteur)
    fiche_id, _ref, old_wkt, version = _a_fiche_with_geometry(scratch_app)
    url = f"/beheer/herentals/fiches/{fiche_id}/bewerken"
    values = page_form(client, url)
    fill(values, {"geometrie_geojson": _long_line_4326(600_000), "ligging": "exact"})
    answer = client.post(url, data=values, content_type="multipart/form-data")
    assert answer.status_code == 422 and "kon niet bewaard worden" in answer.text
    assert _a_fiche_with_geometry(scratch_app)[2:] == (old_wkt, version)
