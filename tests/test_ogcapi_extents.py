"""The collections list computes every city's extents in grouped queries; they
must equal what each collection's own document says (computed one by one),
and the number of statements must not grow with the number of cities."""
from __future__ import annotations

from conftest import statements_before_and_after_adding_cities


def test_list_extents_equal_each_collections_own(client):
    listed = client.get("/ogc/collections?f=json").get_json()["collections"]
    per_city = [c for c in listed if c["id"].startswith(("fiches-", "fasen-"))]
    assert {c["id"] for c in per_city} >= {"fiches-herentals", "fiches-halle", "fiches-halle-punten",
                                            "fasen-herentals-vlakken", "fasen-halle-zonder-ligging"}
    for c in per_city:
        own = client.get(f"/ogc/collections/{c['id']}?f=json").get_json()
        assert c.get("extent") == own.get("extent"), c["id"]
        if c["id"] in ("fiches-herentals", "fiches-halle", "fiches-herentals-punten", "fasen-herentals-punten"):
            assert c["extent"]["spatial"]["bbox"] and c["extent"]["temporal"]["interval"]
        if c["id"].endswith("zonder-ligging"):
            assert "spatial" not in c.get("extent", {})


def test_the_list_costs_the_same_with_more_cities(scratch_app):
    before, after = statements_before_and_after_adding_cities(scratch_app, "/ogc/collections?f=json")
    client = scratch_app.test_client()
    listed = client.get("/ogc/collections?f=json").get_json()["collections"]
    assert {"fiches-antwerpen", "fiches-gent"} <= {c["id"] for c in listed}
    assert after == before
