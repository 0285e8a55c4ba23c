"""The collections list computes every city's extents in grouped queries; they
must equal what each collection's own document says (computed one by one),
and the number of statements must not grow with the number of cities."""
from __future__ import annotations

from conftest import statements_for


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
    client = scratch_app.test_client()
    before = statements_for(scratch_app, client, "/ogc/collections?f=json")
    result = scratch_app.test_cli_runner().invoke(args=["cities", "add", "11002", "44021", "13001"])
    assert result.exit_code == 0, result.output
    after = statements_for(scratch_app, client, "/ogc/collections?f=json")
    listed = client.get("/ogc/collections?f=json").get_json()["collections"]
    assert {"fiches-antwerpen", "fiches-gent"} <= {c["id"] for c in listed}
    assert after == before
