"""The public change history (app.read.changes, app.read.change_text): pure,
no database. The rule: skip working versions, keep published states, tell
the difference between consecutive kept states in plain Dutch."""
from __future__ import annotations

import datetime as dt

from app.read.change_text import describe, format_amount_words
from app.read.changes import RevisionRecord, budget_trail, events_of_fiches, public_events

T0 = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)


def state(**overrides) -> dict:
    base = {
        "title": "Fietsbrug", "status": "gepland", "progress_pct": None, "published": True,
        "staff_note": "intern: bel Jan", "status_basis": None, "geometry": "POINT (1 2)",
        "location_description": None, "phases": [], "progress_reports": [],
        "budget_lines": [{"year": 2027, "kind": "investering", "direction": "uitgave", "amount_eur": 1_200_000.0,
                          "basis": "begroot", "note": None, "phase_position": None}],
    }
    base.update(overrides)
    return base


def budget(amount: float, year: int = 2027, basis: str = "begroot") -> list[dict]:
    return [{"year": year, "kind": "investering", "direction": "uitgave", "amount_eur": amount, "basis": basis,
             "note": None, "phase_position": None}]


def rev(id_, hours, action, after, before) -> RevisionRecord:
    return RevisionRecord(id_, 7, action, T0 + dt.timedelta(hours=hours), after, before)


def test_budget_sentence_in_plain_dutch():
    sentences = describe(state(), state(budget_lines=budget(1_500_000)))
    assert sentences == ["Het budget voor 2027 ging van 1,2 miljoen € naar 1,5 miljoen €."]
    assert format_amount_words(850_000) == "850.000 €"
    assert format_amount_words(1_250_000) == "1,25 miljoen €"
    assert format_amount_words(2_000_000) == "2 miljoen €"


def test_illustrative_amounts_are_rounded_and_marked():
    text = describe(state(budget_lines=budget(1_234_567, basis="illustratief")),
                    state(budget_lines=budget(1_534_567, basis="illustratief")))
    assert text == ["Het budget voor 2027 ging van ± 1,2 miljoen € naar ± 1,5 miljoen € (illustratieve bedragen)."]


def test_status_phases_place_reports():
    old = state(phases=[{"position": 1, "title": "Ontwerp", "start": "2026-01-01", "end": "2026-12-31",
                         "status": "lopend", "geometry": None}])
    new = state(status="lopend", progress_pct=40, geometry="POINT (3 4)", location_description="Aan de Nete",
                phases=[{"position": 1, "title": "Ontwerp", "start": "2026-01-01", "end": "2027-03-31",
                         "status": "afgerond", "geometry": None},
                        {"position": 2, "title": "Uitvoering", "start": "2027-04-01", "end": "2028-06-30",
                         "status": "gepland", "geometry": None}],
                progress_reports=[{"period_label": "Jaarrekening 2026", "report_date": "2027-03-01",
                                   "text": "Ontwerp klaar.", "progress_pct": 40, "source": None}])
    assert describe(old, new) == [
        "De status ging van gepland naar lopend.",
        "De voortgang ging van onbekend naar 40 %.",
        "De fase ‘Ontwerp’ loopt nu tot 31 maart 2027 (was 31 december 2026).",
        "De fase ‘Ontwerp’ is nu afgerond (was lopend).",
        "Nieuwe fase: ‘Uitvoering’, van 1 april 2027 tot 30 juni 2028.",
        "De ligging op de kaart werd aangepast.",
        "De plaatsbeschrijving is nu: ‘Aan de Nete’.",
        "Nieuw voortgangsrapport ‘Jaarrekening 2026’: Ontwerp klaar.",
    ]


def test_internal_fields_never_tell_a_change():
    events = public_events([rev(1, 1, "wijziging", state(staff_note="geheim", status_basis="x"),
                                state(staff_note="oud"))])
    assert events == []


def test_drafts_working_versions_and_unpublished_states_never_appear():
    revisions = [
        rev(1, 1, "aanmaak", state(published=False, budget_lines=budget(100)), None),
        rev(2, 2, "wijziging", state(published=False, budget_lines=budget(900_000)),
            state(published=False, budget_lines=budget(100))),
        rev(3, 3, "publicatie", state(budget_lines=budget(1_000_000)), state(published=False)),
        rev(4, 4, "werkversie", state(budget_lines=budget(9_999_999)), state(budget_lines=budget(1_000_000))),
        rev(5, 5, "depublicatie", state(published=False, budget_lines=budget(1_000_000)),
            state(budget_lines=budget(1_000_000))),
        rev(6, 6, "wijziging", state(published=False, budget_lines=budget(5_000_000)),
            state(published=False, budget_lines=budget(1_000_000))),
        rev(7, 7, "publicatie", state(budget_lines=budget(2_000_000)), state(published=False)),
    ]
    events = public_events(revisions)
    assert [(e.revision_id, e.kind) for e in events] == [(3, "publicatie"), (7, "wijziging")]
    # compared with the last PUBLISHED state (1 miljoen), not with the draft (5 miljoen)
    assert events[1].sentences == ("Het budget voor 2027 ging van 1 miljoen € naar 2 miljoen €.",)
    text = " ".join(s for e in events for s in e.sentences)
    assert "9,99" not in text and "5 miljoen" not in text and "900.000" not in text


def test_a_fiche_published_before_its_history_starts():
    """Seeded fiches have no revision: the first edit tells its change, not a publication."""
    events = public_events([rev(1, 1, "wijziging", state(status="lopend"), state())])
    assert [(e.kind, e.sentences) for e in events] == [("wijziging", ("De status ging van gepland naar lopend.",))]


def test_budget_trail_per_year():
    revisions = [
        rev(1, 1, "wijziging", state(budget_lines=budget(1_500_000)), state()),
        rev(2, 2, "werkversie", state(budget_lines=budget(3_000_000)), state(budget_lines=budget(1_500_000))),
        rev(3, 3, "wijziging", state(budget_lines=budget(1_500_000) + budget(400_000, 2028)),
            state(budget_lines=budget(1_500_000))),
        rev(4, 4, "wijziging", state(budget_lines=budget(400_000, 2028)),
            state(budget_lines=budget(1_500_000) + budget(400_000, 2028))),
    ]
    trail = {t.year: t for t in budget_trail(revisions)}
    assert trail[2027].first_amount == 1_200_000 and trail[2027].first_at is None
    assert [amount for _, amount in trail[2027].revisions] == [1_500_000, None]
    assert trail[2027].current is None
    assert trail[2028].first_amount == 400_000 and trail[2028].first_at == T0 + dt.timedelta(hours=3)
    assert trail[2028].revisions == [] and trail[2028].current == 400_000


def test_events_of_many_fiches_newest_first():
    a = rev(1, 1, "wijziging", state(status="lopend"), state())
    b = RevisionRecord(2, 8, "wijziging", T0 + dt.timedelta(hours=2), state(status="uitgesteld"), state())
    assert [e.fiche_id for e in events_of_fiches([a, b])] == [8, 7]
