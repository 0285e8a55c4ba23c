"""The stored public records (app.write.stored_records) on both databases:
after every kind of write a record reads, each published project fiche's
stored record is exactly the record built afresh (app.read.records), and
the OGC API answers with it."""
from __future__ import annotations

import datetime as dt
import logging

import orjson
import shapely
from sqlalchemy import delete, select, text, update

from app.models import Area, BudgetLine, Dependency, Fiche, FicheRecord, Municipality, Phase
from app.read.features import geojson_texts
from app.read.queries import FicheFilters, find_municipality, select_fiches
from app.read.records import fiche_records
from app.read.rows import load_fiche_rows
from app.read.wijk_budgets import city_wijk_index
from app.spatial import from_db, to_db
from app.write import stored_records
from app.write.cities import remove_city

GEOMETRY = "(geometry, CRS84)"  # the stored GeoJSON text, next to the record's attributes in these tests


def built_afresh(session) -> dict[int, dict]:
    """{fiche id: record} built from the data as it is, for every city."""
    out = {}
    for city in session.scalars(select(Municipality)):
        rows = load_fiche_rows(session, FicheFilters(municipality=city.nis_code))
        geometries = geojson_texts([r.geom for r in rows], 4326, 7)
        for row, record, geometry in zip(rows, fiche_records(rows, "", city_wijk_index(session, city)), geometries):
            del record["url"]
            out[row.id] = record | {GEOMETRY: geometry}
    return out


def stored(session) -> dict[int, dict]:
    return {i: orjson.loads(r) | {GEOMETRY: g}
            for i, r, g in session.execute(select(FicheRecord.fiche_id, FicheRecord.record,
                                                  FicheRecord.geometry_crs84))}


def assert_current(session) -> dict[int, dict]:
    """Every stored record is the one built afresh, and no other is stored."""
    session.rollback()  # read what was committed
    fresh, kept = built_afresh(session), stored(session)
    assert kept.keys() == fresh.keys()
    for fiche_id, record in fresh.items():
        assert kept[fiche_id] == record, fiche_id
    return kept


def herentals_fiches(session) -> list[Fiche]:
    return select_fiches(session, FicheFilters(municipality="herentals"))


def test_the_seed_has_every_record(session):
    kept = assert_current(session)
    published_projects = select_fiches(session, FicheFilters())
    assert len(kept) == len(published_projects) > 100 and all(f.id in kept for f in published_projects)


def test_an_edit_rebuilds_the_record_and_a_rollback_does_not(scratch_session):
    fiche = herentals_fiches(scratch_session)[0]
    fiche.title = "Nieuwe titel <b>met opmaak</b>"
    scratch_session.commit()
    assert assert_current(scratch_session)[fiche.id]["titel"] == "Nieuwe titel <b>met opmaak</b>"
    fiche = scratch_session.get(Fiche, fiche.id)
    fiche.geom = to_db(shapely.Point(200_000, 200_000))  # a new place: a new stored geometry
    scratch_session.commit()
    assert orjson.loads(assert_current(scratch_session)[fiche.id][GEOMETRY])["type"] == "Point"
    fiche = scratch_session.get(Fiche, fiche.id)
    fiche.title = "Nooit bewaard"
    scratch_session.flush()
    scratch_session.rollback()
    assert assert_current(scratch_session)[fiche.id]["titel"] == "Nieuwe titel <b>met opmaak</b>"


def test_children_and_links_rebuild_the_fiches_that_read_them(scratch_session):
    fiches = herentals_fiches(scratch_session)
    first = fiches[0]
    target = next(f for f in fiches if f.id != first.id and f.parent_id != first.id)
    scratch_session.add_all([
        Dependency(fiche_id=first.id, depends_on_id=target.id),
        Phase(fiche_id=first.id, position=9, title="Uitvoering", phase_kind="uitvoering",
              start=dt.date(2031, 1, 1), end=dt.date(2032, 12, 31), status="gepland", illustrative=True),
        BudgetLine(fiche_id=first.id, year=2031, kind="investering", direction="uitgave", amount_eur=1000,
                   basis="illustratief"),
    ])
    scratch_session.commit()
    record = assert_current(scratch_session)[first.id]
    assert target.ref in record["hangt_af_van"].split(";") and record["jaar_einde"] == 2032
    assert record["budget_illustratief"] is True

    # The target becomes a draft: its record goes, and `first` no longer names it.
    scratch_session.get(Fiche, target.id).published = False
    scratch_session.commit()
    kept = assert_current(scratch_session)
    assert target.id not in kept and target.ref not in (kept[first.id]["hangt_af_van"] or "")

    # A parent heading becomes a draft: its children lose ouder_ref.
    child = next(f for f in herentals_fiches(scratch_session) if f.parent_id is not None)
    scratch_session.get(Fiche, child.parent_id).published = False
    scratch_session.commit()
    assert assert_current(scratch_session)[child.id]["ouder_ref"] is None


def test_a_phase_moved_to_another_fiche_rebuilds_both(scratch_session):
    fiches = herentals_fiches(scratch_session)
    source = next(f for f in fiches if f.phases)
    target = next(f for f in fiches if f.id != source.id)
    phase = scratch_session.get(Phase, source.phases[-1].id)
    phase.start, phase.end = dt.date(2040, 1, 1), dt.date(2040, 12, 31)   # a year nothing else has
    phase.fiche_id = target.id
    scratch_session.commit()
    kept = assert_current(scratch_session)
    assert kept[target.id]["jaar_einde"] == 2040 and kept[source.id]["jaar_einde"] != 2040


def test_deleting_a_fiche_rebuilds_the_fiches_that_depended_on_it(scratch_session):
    fiches = herentals_fiches(scratch_session)
    first, gone = fiches[0], fiches[1]
    scratch_session.add(Dependency(fiche_id=first.id, depends_on_id=gone.id))
    scratch_session.commit()
    assert gone.ref in assert_current(scratch_session)[first.id]["hangt_af_van"]
    scratch_session.expunge_all()  # as a request would: the dependency is not loaded when the fiche goes
    scratch_session.delete(scratch_session.get(Fiche, gone.id))
    scratch_session.commit()
    kept = assert_current(scratch_session)
    assert gone.id not in kept and (kept[first.id]["hangt_af_van"] or "").find(gone.ref) == -1


def test_a_wijk_and_a_city_rebuild_the_whole_city(scratch_session):
    herentals = find_municipality(scratch_session, "herentals")
    placed = next(f for f in herentals_fiches(scratch_session) if f.geom is not None)
    wijk = scratch_session.scalars(select(Area).where(Area.municipality_id == herentals.id,
                                                      Area.level == "wijk")).first()
    # the wijk grows over the whole city: every placed fiche lies in it
    wijk.geom = to_db(shapely.MultiPolygon([shapely.box(*from_db(placed.geom).buffer(50_000).bounds)]))
    scratch_session.commit()
    kept = assert_current(scratch_session)
    assert wijk.code in kept[placed.id]["wijken"].split(";")
    scratch_session.get(Municipality, herentals.id).name = "Herentals (gewijzigd)"
    scratch_session.commit()
    assert assert_current(scratch_session)[placed.id]["gemeente"] == "Herentals (gewijzigd)"


def test_a_bulk_statement_rebuilds_every_city(scratch_session):
    scratch_session.execute(update(Fiche).where(Fiche.kind == "fiche").values(status="lopend"))
    scratch_session.commit()
    kept = assert_current(scratch_session)
    assert {r["status"] for r in kept.values() if r["soort"] == "fiche"} == {"lopend"}


def test_removing_a_city_rebuilds_only_the_records_that_pointed_at_it(scratch_session, monkeypatch, tmp_path):
    herentals, halle = (find_municipality(scratch_session, slug) for slug in ("herentals", "halle"))
    first = herentals_fiches(scratch_session)[0]
    in_halle = select_fiches(scratch_session, FicheFilters(municipality="halle"))[0]
    scratch_session.add(Dependency(fiche_id=first.id, depends_on_id=in_halle.id))
    scratch_session.commit()
    assert in_halle.ref in assert_current(scratch_session)[first.id]["hangt_af_van"]
    written = []
    rebuild = stored_records.rebuild
    monkeypatch.setattr(stored_records, "rebuild", lambda *a, **kw: written.append(rebuild(*a, **kw)))
    remove_city(scratch_session, halle.nis_code, force=True, backup_dir=tmp_path)
    scratch_session.commit()
    # Halle's records went with it; of Herentals' only the fiche that depended on Halle was rebuilt.
    assert written == [1]
    kept = assert_current(scratch_session)
    assert (kept[first.id]["hangt_af_van"] or "").find(in_halle.ref) == -1
    assert {r["gemeente"] for r in kept.values()} == {herentals.name}


def test_missing_records_are_filled_at_migration_and_built_when_read(scratch_app):
    from app import migrate
    from app.db import get_session

    with scratch_app.app_context():
        session = get_session()
        fiche = herentals_fiches(session)[0]
        session.execute(delete(FicheRecord))  # as a database just migrated to 0011
        session.commit()
        fiche_id = fiche.id
    client = scratch_app.test_client()
    answer = client.get(f"/ogc/collections/fiches-herentals/items/{fiche_id}")
    assert answer.status_code == 200
    assert answer.json["properties"]["titel"] == fiche.title  # built afresh meanwhile
    assert answer.json["properties"]["url"].endswith(f"/herentals/fiches/{fiche_id}")
    assert migrate.fill_stored_records(scratch_app.extensions["fichekaart.engine"]) > 100
    with scratch_app.app_context():
        assert_current(get_session())
    assert migrate.fill_stored_records(scratch_app.extensions["fichekaart.engine"]) == 0  # nothing left to fill


def test_a_missing_record_is_logged(scratch_app, caplog):
    from app.db import get_session

    with scratch_app.app_context():
        session = get_session()
        session.execute(text("DELETE FROM fiche_records"))
        session.commit()
    with caplog.at_level(logging.WARNING, logger="app.read.stored_records"):
        assert scratch_app.test_client().get("/ogc/collections/fiches-herentals/items?limit=5").status_code == 200
    assert "public records missing" in caplog.text


def test_the_ogc_answer_is_the_record_built_afresh(client, session):
    """Stored or built, a partner gets the same attributes, url included."""
    herentals = find_municipality(session, "herentals")
    rows = load_fiche_rows(session, FicheFilters(municipality="herentals"))
    fresh = {r["id"]: r for r in fiche_records(rows, "http://localhost", city_wijk_index(session, herentals))}
    answer = client.get("/ogc/collections/fiches-herentals/items?limit=1000").json
    assert answer["numberReturned"] == len(fresh)
    for feature in answer["features"]:
        assert feature["properties"] == fresh[feature["id"]]
        assert list(feature["properties"]) == list(fresh[feature["id"]])  # the same order of fields


def test_crs84_answers_carry_the_stored_geometry_and_other_crss_compute_it(scratch_app, monkeypatch):
    """In CRS84 the geometry is the stored text: exactly what is computed
    from the table (the answer with the records gone, built afresh, is the
    same), and an answer in another CRS or a family collection computes it."""
    from app.db import get_session

    # every answer built afresh: the records change here around the data version
    monkeypatch.setitem(scratch_app.config, "PAGE_CACHE_SECONDS", 0)
    client = scratch_app.test_client()
    url = "/ogc/collections/fiches-herentals/items?limit=1000"

    def features(answer_url):
        return {f["id"]: f for f in client.get(answer_url).json["features"]}

    stored_answer = features(url)
    assert sum(f["geometry"] is not None for f in stored_answer.values()) > 20
    with scratch_app.app_context():
        session = get_session()
        fiche_id = next(i for i, f in stored_answer.items() if f["geometry"] and f["geometry"]["type"] == "Point")
        session.execute(delete(FicheRecord))
        session.commit()
    assert features(url) == stored_answer      # built afresh from the table: the same, to the last decimal
    with scratch_app.app_context():
        assert migrate_fill(scratch_app) > 100
        session = get_session()
        # a stored geometry changed around the session's events: the CRS84 answer shows it, others do not
        session.execute(update(FicheRecord).where(FicheRecord.fiche_id == fiche_id).values(
            geometry_crs84='{"type":"Point","coordinates":[0.0,0.0]}'))
        session.commit()
    assert features(url)[fiche_id]["geometry"]["coordinates"] == [0.0, 0.0]
    lambert = features(url + "&crs=http://www.opengis.net/def/crs/EPSG/0/31370")[fiche_id]["geometry"]
    assert lambert["coordinates"][0] > 100_000
    family = features("/ogc/collections/fiches-herentals-punten/items?limit=1000")[fiche_id]["geometry"]
    assert family == {"type": "MultiPoint", "coordinates": [stored_answer[fiche_id]["geometry"]["coordinates"]]}


def test_revision_0012_refills_the_records_with_their_geometry(databases, seed_url):
    """A database at 0011 holds records without a geometry: the upgrade to
    0012 empties the table and `db upgrade` refills every record, geometry
    included."""
    from sqlalchemy import func
    from sqlalchemy.orm import Session

    from app import migrate
    from app.db import make_engine

    engine = make_engine(databases.copy_of(seed_url))
    try:
        migrate.downgrade(engine, "0011")
        with engine.connect() as conn:   # 0011's records stay; without the column the fill leaves them
            assert conn.scalar(text("SELECT count(*) FROM fiche_records")) > 100
        assert migrate.fill_stored_records(engine) == 0
        migrate.upgrade(engine)
        with Session(engine) as session:
            placed = select(func.count()).select_from(FicheRecord).where(FicheRecord.geometry_crs84.is_not(None))
            assert session.scalar(placed) > 20
            assert_current(session)
    finally:
        engine.dispose()


def migrate_fill(app) -> int:
    from app import migrate

    return migrate.fill_stored_records(app.extensions["fichekaart.engine"])


def test_an_operator_checks_and_rebuilds_the_records(scratch_app):
    from app.db import get_session

    runner = scratch_app.test_cli_runner()
    checked = runner.invoke(args=["db", "records"])
    assert checked.exit_code == 0, checked.output
    assert "ontbrekend\t0" in checked.output and "verouderd\t0" in checked.output
    with scratch_app.app_context():
        session = get_session()
        fiche_id = herentals_fiches(session)[0].id
        # a hand-made change in SQL goes around the session's events
        session.execute(text("UPDATE fiche_records SET record = '{\"id\": 0}' WHERE fiche_id = :id"), {"id": fiche_id})
        session.commit()
    checked = runner.invoke(args=["db", "records"])
    assert checked.exit_code == 1 and f"verouderd\t1\t(fiches {fiche_id})" in checked.output
    with scratch_app.app_context():
        session = get_session()
        other_id = next(f.id for f in herentals_fiches(session) if f.geom is not None and f.id != fiche_id)
        session.execute(text("UPDATE fiche_records SET geometry_crs84 = NULL WHERE fiche_id = :id"), {"id": other_id})
        session.commit()
    checked = runner.invoke(args=["db", "records"])
    assert f"verouderd\t2\t(fiches {', '.join(map(str, sorted([fiche_id, other_id])))})" in checked.output
    assert "fichekaart db records --rebuild" in checked.output
    rebuilt = runner.invoke(args=["db", "records", "--rebuild"])
    assert rebuilt.exit_code == 0 and "records opnieuw opgebouwd" in rebuilt.output
    with scratch_app.app_context():
        assert_current(get_session())
