"""Importers: all-or-nothing, row-level Dutch errors, on both databases."""
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from app.write.imports import ImportFailed
from app.write.imports.fiches import import_budget_lines, import_fiches
from app.write.imports.indicators import import_indicator_values
from app.write.imports.values import number
from app.models import BudgetLine, Fiche, IndicatorValue

HEADER = "ref,titel,sector,status,geometrie_wkt\n"


@contextmanager
def transaction(session):
    """Commit what the block wrote or roll all of it back, like the CLI does
    (the session may already be in a transaction from an earlier read)."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("text,expected", [
    ("14,4", 14.4), ("1.234.567,89", 1234567.89), ("1234.5", 1234.5), ("5.337.217", 5337217.0),
    ("-3,5", -3.5), ("1 116", 1116.0), ("", None),
])
def test_dutch_numbers(text, expected):
    assert number(text) == expected


def test_valid_csv_creates_and_then_updates(scratch_session):
    data = (HEADER + 'T-1,Testfiche,Stadsontwikkeling,gepland,"POINT (182716.77 207503.14)"\n').encode()
    with transaction(scratch_session):
        result = import_fiches(scratch_session, data, municipality="13011", filename="t.csv")
    assert (result.created, result.updated) == (1, 0)
    with transaction(scratch_session):
        result = import_fiches(scratch_session, data.replace(b"Testfiche", b"Nieuwe titel"),
                               municipality="herentals", filename="t.csv")
    assert (result.created, result.updated) == (0, 1)
    fiche = scratch_session.scalar(select(Fiche).where(Fiche.ref == "T-1"))
    assert fiche.title == "Nieuwe titel" and fiche.status == "gepland"


def test_invalid_polygon_rejects_the_whole_file(scratch_session):
    before = count(scratch_session, Fiche)
    data = (
        HEADER
        + 'T-1,Goede fiche,Stadsontwikkeling,gepland,"POINT (182716.77 207503.14)"\n'
        + 'T-2,Vlinderdas,Stadsontwikkeling,gepland,'
          '"POLYGON ((182700 207500, 182720 207520, 182720 207500, 182700 207520, 182700 207500))"\n'
    ).encode()
    with pytest.raises(ImportFailed) as caught:
        with transaction(scratch_session):
            import_fiches(scratch_session, data, municipality="13011", filename="t.csv")
    message = caught.value.summary()
    assert "Rij 3, kolom 'geometrie_wkt': De geometrie snijdt zichzelf bij (182710,00, 207510,00)" in message
    assert "niets opgeslagen" in message
    assert count(scratch_session, Fiche) == before


def test_broken_csv_is_reported_per_row_and_writes_nothing(scratch_session):
    before = count(scratch_session, Fiche)
    data = (HEADER + "T-1,Een,Stadsontwikkeling,gepland,\nT-2,Twee,extra,veld,te,veel\n"
            + 'T-3,"open aanhalingsteken,x,y,\n').encode()
    with pytest.raises(ImportFailed) as caught:
        with transaction(scratch_session):
            import_fiches(scratch_session, data, municipality="13011", filename="kapot.csv")
    rows = {e.row for e in caught.value.errors}
    assert 3 in rows
    assert count(scratch_session, Fiche) == before


def test_unknown_status_and_bad_sdg_are_row_errors(scratch_session):
    data = ("ref,titel,status,sdgs\nT-1,Een,bezig,3\nT-2,Twee,gepland,18\n").encode()
    with pytest.raises(ImportFailed) as caught:
        import_fiches(scratch_session, data, municipality="13011", filename="t.csv")
    text = caught.value.summary()
    assert "Rij 2, kolom 'status': 'bezig' is geen toegelaten waarde" in text
    assert "Rij 3, kolom 'sdgs': SDG '18' bestaat niet" in text


def test_non_utf8_csv_gets_a_clear_message(scratch_session):
    data = "ref,titel\nT-1,Belgiëlaan\n".encode("cp1252")
    with pytest.raises(ImportFailed, match="niet in UTF-8"):
        import_fiches(scratch_session, data, municipality="13011", filename="t.csv")


def test_semicolon_csv_with_dutch_decimals_for_budget(scratch_session):
    data = "fiche_ref;jaar;soort;richting;bedrag_eur;basis\nHER-SO-05;2027;investering;uitgave;1.250.000,50;raming\n"
    with transaction(scratch_session):
        n = import_budget_lines(scratch_session, data.encode(), municipality="13011", filename="b.csv")
    assert n == 1
    fiche = scratch_session.scalar(select(Fiche).where(Fiche.ref == "HER-SO-05"))
    assert [(b.year, b.amount_eur, b.basis) for b in fiche.budget_lines] == [(2027, 1250000.5, "raming")]


def test_indicator_values_unknown_area_writes_nothing(scratch_session):
    before = count(scratch_session, IndicatorValue)
    data = "area_code,indicator_code,period,value\n1301101,bevolking,2030,\"5123,0\"\n9999999,bevolking,2030,1\n"
    with pytest.raises(ImportFailed, match="Onbekend gebied '9999999'"):
        with transaction(scratch_session):
            import_indicator_values(scratch_session, data.encode(), filename="w.csv")
    assert count(scratch_session, IndicatorValue) == before


def test_geojson_in_wgs84_is_stored_in_lambert72(scratch_session):
    data = b'''{"type":"FeatureCollection","features":[{"type":"Feature",
      "geometry":{"type":"Point","coordinates":[4.8366,51.1766]},
      "properties":{"ref":"G-1","titel":"Punt op de Grote Markt"}}]}'''
    with transaction(scratch_session):
        import_fiches(scratch_session, data, municipality="13011", filename="punt.geojson")
    from app.spatial import from_db

    fiche = scratch_session.scalar(select(Fiche).where(Fiche.ref == "G-1"))
    point = from_db(fiche.geom)
    # WGS 84 read as ETRS89 through the NGI grid (app.crs.THROUGH_ETRS89); PROJ's
    # Helmert would give (182716.768, 207503.144), 0.10 m away
    assert point.x == pytest.approx(182716.725, abs=0.01) and point.y == pytest.approx(207503.058, abs=0.01)


def test_children_replace_rows_of_named_fiches_only(scratch_session):
    lines_before = count(scratch_session, BudgetLine)
    fiche = scratch_session.scalar(select(Fiche).where(Fiche.ref == "HER-SO-02"))
    own_before = len(fiche.budget_lines)
    data = "fiche_ref,jaar,soort,richting,bedrag_eur,basis\nHER-SO-02,2028,investering,uitgave,100,raming\n"
    with transaction(scratch_session):
        import_budget_lines(scratch_session, data.encode(), municipality="13011", filename="b.csv")
    assert count(scratch_session, BudgetLine) == lines_before - own_before + 1


def test_update_keeps_what_the_file_has_no_column_for(scratch_session):
    """A file with only ref, titel and status renames a fiche; its place,
    parent, SDGs, links and published flag stay as they were."""
    from app.spatial import from_db

    fiche = scratch_session.scalar(select(Fiche).where(Fiche.ref == "HER-SO-02"))
    before = (from_db(fiche.geom).wkt if fiche.geom is not None else None, fiche.parent_id,
              sorted(s.sdg for s in fiche.sdg_links), fiche.published, fiche.geometry_precision,
              sorted((d.depends_on_id, d.partner) for d in fiche.dependencies), fiche.summary)
    data = "ref,titel,status\nHER-SO-02,Nieuwe titel,lopend\n".encode()
    with transaction(scratch_session):
        result = import_fiches(scratch_session, data, municipality="13011", filename="t.csv")
    assert result.updated == 1
    scratch_session.expire_all()
    fiche = scratch_session.scalar(select(Fiche).where(Fiche.ref == "HER-SO-02"))
    assert (fiche.title, fiche.status) == ("Nieuwe titel", "lopend")
    after = (from_db(fiche.geom).wkt if fiche.geom is not None else None, fiche.parent_id,
             sorted(s.sdg for s in fiche.sdg_links), fiche.published, fiche.geometry_precision,
             sorted((d.depends_on_id, d.partner) for d in fiche.dependencies), fiche.summary)
    assert after == before and before[0] is not None and before[1] is not None and before[3] is True


def test_update_with_an_empty_cell_clears_only_that_field(scratch_session):
    data = "ref,titel,partners,geometrie_wkt\nHER-SO-02,Titel,Aquafin;Pidpa,\n".encode()
    with transaction(scratch_session):
        import_fiches(scratch_session, data, municipality="13011", filename="t.csv")
    scratch_session.expire_all()
    fiche = scratch_session.scalar(select(Fiche).where(Fiche.ref == "HER-SO-02"))
    assert fiche.geom is None                                   # the column is there and empty
    assert sorted(d.partner for d in fiche.dependencies if d.partner) == ["Aquafin", "Pidpa"]
