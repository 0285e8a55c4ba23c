"""Addresses (issue 10): `fichekaart import addresses` all-or-nothing with Dutch
row errors, and what a street or address search then finds; both databases."""
import geopandas
import pandas
import pytest
import shapely
from sqlalchemy import func, select

from app.crs import transform_many
from app.models import Address, Area, Fiche
from app.read.search import search_everything
from app.spatial import from_db
from app.write.imports import ImportFailed
from app.write.imports.addresses import import_addresses
from search_fixtures import HERENTALS_ADDRESSES, NETEPARK, NETEPARK_WIJK, import_test_addresses

GOOD = HERENTALS_ADDRESSES.read_text(encoding="utf-8")


def count(session):
    return session.scalar(select(func.count()).select_from(Address))


def write(tmp_path, text, name="adressen.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_imports_with_bus_numbers_once(scratch_session):
    n = import_addresses(scratch_session, HERENTALS_ADDRESSES, municipality="13011", source_text="TESTGEGEVENS")
    scratch_session.commit()
    assert n == 7 == count(scratch_session)          # Hoofdstraat 14 bus 1 and bus 2: one point
    address = scratch_session.scalar(select(Address).where(Address.street == "Vorselaarsebaan",
                                                           Address.house_number == "60"))
    assert address.postcode == "2200" and address.street_key == "vorselaarsebaan"
    assert from_db(address.geom).equals_exact(shapely.Point(181560, 208470), 1e-6)
    # a second import replaces the city's list
    assert import_addresses(scratch_session, HERENTALS_ADDRESSES, municipality="herentals") == 7
    scratch_session.commit()
    assert count(scratch_session) == 7


def test_geopackage_in_its_own_crs(scratch_session, tmp_path):
    table = pandas.read_csv(HERENTALS_ADDRESSES)
    # WGS 84 as the app writes it (through ETRS89 and the NGI grid: app.crs)
    points = transform_many(geopandas.points_from_xy(table.x, table.y), 31370, 4326)
    frame = geopandas.GeoDataFrame(
        table.rename(columns={"straatnaam": "straatnm", "huisnummer": "huisnr"}), geometry=points, crs=4326)
    path = tmp_path / "adressen.gpkg"
    frame.to_file(path, layer="Adres", driver="GPKG")
    n = import_addresses(scratch_session, path, municipality="13011", layer="Adres",
                         street_column="straatnm", number_column="huisnr")
    scratch_session.commit()
    assert n == 7
    stored = from_db(scratch_session.scalar(select(Address.geom).where(Address.house_number == "60")))
    assert stored.distance(shapely.Point(181560, 208470)) < 0.01    # back in Lambert 72 within a centimetre


def test_cli_command(scratch_app):
    result = scratch_app.test_cli_runner().invoke(
        args=["import", "addresses", str(HERENTALS_ADDRESSES), "--municipality", "13011"])
    assert result.exit_code == 0, result.output
    assert "7 adres(sen) geïmporteerd" in result.output


@pytest.mark.parametrize("text,options,expected", [
    (GOOD.replace("straatnaam,", "straat,"), {}, "Kolom 'straatnaam': Kolom ontbreekt"),
    (GOOD.replace("Hoofdstraat,31", ",31"), {}, "Rij 9, kolom 'straatnaam': De straatnaam is leeg."),
    (GOOD.replace(",2200,182430", ",22OO,182430"), {}, "Rij 6, kolom 'postcode'"),
    (GOOD.replace("182470,207830", "182470,"), {}, "Rij 9, kolom 'geometrie': Coördinaten x en y zijn verplicht."),
    (GOOD, {"crs": "EPSG:4326"}, "geen lengte- en breedtegraden"),                  # Lambert 72 read as degrees
    (GOOD, {"crs": "EPSG:3812"}, "ligt niet in België"),                            # the other Lambert
    (GOOD.replace("140600", "1"), {}, None),                                        # (no Halle row here: fine)
])
def test_broken_files_are_refused_whole(scratch_session, tmp_path, text, options, expected):
    import_test_addresses(scratch_session)
    before = count(scratch_session)
    path = write(tmp_path, text)
    if expected is None:
        assert import_addresses(scratch_session, path, municipality="13011", **options) == 7
        return
    with pytest.raises(ImportFailed) as failed:
        import_addresses(scratch_session, path, municipality="13011", **options)
    scratch_session.rollback()
    assert expected in failed.value.summary()
    assert "er werd niets opgeslagen" in failed.value.summary()
    assert count(scratch_session) == before                          # the old list is untouched


def test_halle_points_outside_herentals(scratch_session, tmp_path):
    from search_fixtures import HALLE_ADDRESSES

    with pytest.raises(ImportFailed) as failed:
        import_addresses(scratch_session, HALLE_ADDRESSES, municipality="13011")
    assert "Rij 2, kolom 'geometrie': Het punt ligt buiten Herentals" in failed.value.summary()


def test_unknown_city_and_wrong_file(scratch_session, tmp_path):
    with pytest.raises(ValueError, match="Onbekende gemeente"):
        import_addresses(scratch_session, HERENTALS_ADDRESSES, municipality="99999")
    with pytest.raises(ImportFailed, match="niet ondersteund"):
        import_addresses(scratch_session, write(tmp_path, "x", "adressen.doc"), municipality="13011")
    with pytest.raises(ImportFailed, match="geen adressen"):
        import_addresses(scratch_session, write(tmp_path, "straatnaam,huisnummer,postcode,x,y\n"), municipality="13011")


def test_street_search_finds_wijk_and_fiches(scratch_session):
    import_test_addresses(scratch_session)
    results = search_everything(scratch_session, "vorselaarsebaan")
    [street] = results.streets
    assert street.street == "Vorselaarsebaan" and street.postcodes == ["2200"] and street.address_count == 4
    assert [(area.code, n) for area, n in street.wijken] == [(NETEPARK_WIJK, 4)]
    assert {h.fiche.ref for h in results.fiches} == NETEPARK      # and the fiches naming the street
    numbered = search_everything(scratch_session, "Hoofdstraat 14 Herentals").streets
    assert [(a.street, a.house_number) for a in numbered[0].addresses] == [("Hoofdstraat", "14")]
    assert search_everything(scratch_session, "basiliek").streets[0].city.slug == "halle"


def test_street_page_lists_fiches_within_the_distance(scratch_app, scratch_session):
    import_test_addresses(scratch_session)
    client = scratch_app.test_client()
    html = client.get("/buurt?stad=herentals&straat=Vorselaarsebaan&afstand=500").get_data(as_text=True)
    assert f'href="/herentals/wijken/{NETEPARK_WIJK}"' in html
    # exactly the published projects within 500 m of the street's points, computed here with shapely
    points = shapely.MultiPoint([from_db(g) for g in scratch_session.scalars(
        select(Address.geom).where(Address.street == "Vorselaarsebaan"))])
    expected = {f.ref for f in scratch_session.scalars(select(Fiche).where(
        Fiche.published.is_(True), Fiche.geom.is_not(None), Fiche.kind == "fiche"))
        if from_db(f.geom).distance(points) <= 500}
    shown = {f.ref for f in scratch_session.scalars(select(Fiche)) if f'/fiches/{f.id}"' in html.split('id="dichtbij"')[1].split("</section>")[0]}
    assert shown == expected and NETEPARK <= expected
    address = scratch_session.scalar(select(Address.id).where(Address.house_number == "12"))
    one = client.get(f"/buurt?adres={address}").get_data(as_text=True)
    assert "In de buurt van Hoofdstraat 12 (Herentals)" in one and "wijk Herentals Centrum" in one
    assert client.get("/buurt?adres=999999").status_code == 404
    assert client.get("/buurt?adres=abc").status_code == 404
    assert client.get("/buurt?stad=herentals&straat=Nergensstraat").status_code == 404
    area = scratch_session.scalar(select(Area).where(Area.code == NETEPARK_WIJK))
    assert area is not None
