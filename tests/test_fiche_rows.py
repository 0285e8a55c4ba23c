"""The lean loader of the public records (app.read.rows) on both
databases: the same fiches, children, order and places as the ORM
relationships, pages with their count, and the drafts rule for what a
published fiche points at."""
from __future__ import annotations

import datetime as dt

import shapely
from sqlalchemy import select

from app.models import BudgetLine, Dependency, Fiche, FicheSdg, Phase
from app.read.rows import load_fiche_rows
from app.read.stored_records import _page_statement, load_record_page
from app.read.records import fiche_records
from app.read.queries import FicheFilters, find_municipality, select_fiches
from app.read.wijk_budgets import city_wijk_index
from app.spatial import from_db, to_db

SCALARS = ("id", "ref", "title", "kind", "number", "code", "summary", "sector", "responsible_service", "goal_why",
           "goal_what", "goal_gain", "sdgs_illustrative", "obligation", "priority", "status", "progress_pct",
           "state_of_play", "dependencies_text", "risks", "location_description", "geometry_precision",
           "published", "source")


def same_place(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a.equals_exact(b, 0))


def edge_cases(session) -> dict:
    """Drafts that published fiches point at, SDGs, a phase with its own
    place, extra budget lines and a dependency on a partner."""
    fiches = select_fiches(session, FicheFilters(municipality="herentals"))
    first = fiches[0]
    second = next(f for f in fiches if f.parent_id not in (None, first.parent_id))
    third = next(f for f in fiches if f not in (first, second))
    parent = session.get(Fiche, first.parent_id)
    parent.published = False                      # a draft heading: its children lose ouder_ref
    third.published = False                       # a draft project that `first` depends on
    session.add_all([
        Dependency(fiche_id=first.id, depends_on_id=third.id),
        Dependency(fiche_id=first.id, depends_on_id=second.id),
        Dependency(fiche_id=first.id, partner="De Lijn"),
        FicheSdg(fiche_id=second.id, sdg=13), FicheSdg(fiche_id=second.id, sdg=3),
        Phase(fiche_id=second.id, position=1, title="Tweede studie", phase_kind="studie",
              start=dt.date(2027, 1, 1), end=dt.date(2027, 6, 30), status="gepland", illustrative=False,
              geom=to_db(shapely.Point(183_000, 207_500))),
        BudgetLine(fiche_id=second.id, year=2026, kind="investering", direction="ontvangst", amount_eur=1234.5,
                   basis="subsidie", note="Vlaamse subsidie"),
    ])
    second.geom = to_db(shapely.MultiPoint([(182_500, 207_400), (183_100, 207_700)]))
    session.commit()
    return {"first": first.id, "second": second.id, "draft": third.ref, "parent": parent.ref}


def test_rows_are_what_the_orm_loads(scratch_session):
    edge_cases(scratch_session)
    filters = FicheFilters()  # both cities
    rows = load_fiche_rows(scratch_session, filters)
    fiches = select_fiches(scratch_session, filters)
    assert [r.id for r in rows] == [f.id for f in fiches] and len(rows) == 130
    for row, fiche in zip(rows, fiches):
        assert [getattr(row, n) for n in SCALARS] == [getattr(fiche, n) for n in SCALARS], fiche.ref
        m = fiche.municipality
        assert (row.municipality.name, row.municipality.slug, row.municipality.nis_code) == (m.name, m.slug, m.nis_code)
        parent = fiche.parent
        assert (row.parent.ref, row.parent.published) == (parent.ref, parent.published) if parent else row.parent is None
        assert row.sdgs == fiche.sdgs
        assert same_place(row.geom, from_db(fiche.geom)), fiche.ref
        assert [(p.id, p.fiche_id, p.position, p.title, p.phase_kind, p.start, p.end, p.status, p.illustrative)
                for p in row.phases] == [
            (p.id, p.fiche_id, p.position, p.title, p.phase_kind, p.start, p.end, p.status, p.illustrative)
            for p in fiche.phases]
        assert all(same_place(p.geom, from_db(q.geom)) for p, q in zip(row.phases, fiche.phases))
        assert [(b.id, b.year, b.kind, b.direction, b.amount_eur, b.basis, b.note) for b in row.budget_lines] == [
            (b.id, b.year, b.kind, b.direction, b.amount_eur, b.basis, b.note) for b in fiche.budget_lines]
        assert [(d.depends_on and (d.depends_on.ref, d.depends_on.published), d.partner)
                for d in row.dependencies] == [
            (d.depends_on and (d.depends_on.ref, d.depends_on.published), d.partner) for d in fiche.dependencies]


def test_records_leave_out_what_is_a_draft(scratch_session):
    case = edge_cases(scratch_session)
    herentals = find_municipality(scratch_session, "herentals")
    rows = load_fiche_rows(scratch_session, FicheFilters(municipality="herentals"))
    records = {r["id"]: r for r in fiche_records(rows, "https://x", city_wijk_index(scratch_session, herentals))}
    assert case["draft"] not in {r["ref"] for r in records.values()}
    first, second = records[case["first"]], records[case["second"]]
    assert first["ouder_ref"] is None and case["parent"] not in {r["ouder_ref"] for r in records.values()}
    assert first["hangt_af_van"] == second["ref"] and first["partners"] == "De Lijn"
    assert second["sdgs"] == "3;13" and second["ouder_ref"] is not None
    assert second["wijken"] and second["url"] == f"https://x/herentals/fiches/{case['second']}"
    assert second["jaar_start"] <= 2026 and second["jaar_einde"] >= 2027


def test_a_page_holds_its_count_and_places_first(session):
    filters = FicheFilters(municipality="herentals")
    everything = load_fiche_rows(session, filters)
    placed = [r.id for r in everything if r.geom is not None]
    unplaced = [r.id for r in everything if r.geom is None]
    pages = [load_record_page(session, filters, limit=40, offset=offset) for offset in (0, 40, 80)]
    assert [page.matched for page in pages] == [110, 110, 110]
    assert [i for page in pages for i in page.ids] == placed + unplaced
    assert all(page.complete for page in pages)     # every record stored
    assert [g is None for page in pages for g in page.geoms] == [False] * len(placed) + [True] * len(unplaced)
    assert [g is None for page in pages for g in page.geojson] == [False] * len(placed) + [True] * len(unplaced)
    past_the_end = load_record_page(session, filters, limit=40, offset=200)
    assert (past_the_end.ids, past_the_end.matched) == ([], 110)  # the count still
    nowhere = load_record_page(session, FicheFilters(municipality="nergens"), limit=10)
    assert (nowhere.ids, len(nowhere.geoms), nowhere.matched) == ([], 0, 0)


def test_a_page_statement_is_made_once_per_filters(session):
    """Paging through a collection reuses one statement (offset and limit are
    parameters); other filters, or an id subquery, get their own."""
    herentals = FicheFilters(municipality="herentals")
    made = _page_statement(session, herentals, (), limited=True)
    assert _page_statement(session, FicheFilters(municipality="herentals"), (), limited=True) is made
    assert _page_statement(session, FicheFilters(municipality="halle"), (), limited=True) is not made
    assert _page_statement(session, herentals, (), limited=False) is not made
    by_ids = FicheFilters(municipality="herentals", ids=select(Fiche.id).where(Fiche.id < 10))
    assert _page_statement(session, by_ids, (), limited=True) is not _page_statement(session, by_ids, (), limited=True)
    everything = load_record_page(session, herentals, limit=None)
    assert everything.matched == len(everything.ids) == 110
    assert load_record_page(session, herentals, limit=None, offset=100).ids == everything.ids[100:]


def test_rows_of_many_fiches_need_no_parameter_per_id(session):
    """The children are selected with the ids as one parameter: a region's
    download passes tens of thousands (SQLite takes at most 32,766 parameters)."""
    from app.spatial import in_ids

    ids = list(range(1, 40_001))
    found = session.scalars(select(Fiche.id).where(in_ids(session, Fiche.id, ids))).all()
    assert sorted(found) == sorted(session.scalars(select(Fiche.id)).all())
    assert session.scalars(select(Fiche.id).where(in_ids(session, Fiche.id, []))).all() == []
