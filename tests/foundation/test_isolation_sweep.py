"""Every API endpoint that takes an object id is probed across tenants.

A new endpoint with a path parameter must be added to PROBES (with a builder that makes an
object of another district); the test fails until it is, so no endpoint escapes the check.
"""
from __future__ import annotations

from collections.abc import Callable

import pytest

from tests import builders


def _token_of_other_user(client, auth) -> dict:
    builders.user("other.owner", roles="unit", tenant="xuhui")
    headers = auth.headers("other.owner")
    return {"token_id": client.get("/api/v1/auth/tokens", headers=headers).get_json()[0]["id"]}


# endpoint -> builder(client, auth) returning the path parameters of an object in xuhui.
PROBES: dict[str, Callable] = {
    "auth.TokenById": _token_of_other_user,
}
# Endpoints whose path parameter is not a tenant object (e.g. a definition key readable by all).
NOT_TENANT_OBJECTS: set[str] = set()


def _api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/") and r.arguments]


def test_every_parametrised_endpoint_has_a_probe(app):
    missing = sorted(r.endpoint for r in _api_rules(app)
                     if r.endpoint not in PROBES and r.endpoint not in NOT_TENANT_OBJECTS)
    assert missing == [], f"add cross-tenant probes for: {missing}"


@pytest.mark.parametrize("endpoint", sorted(PROBES))
def test_other_district_object_is_404_on_every_method(endpoint, app, client, auth, db):
    params = PROBES[endpoint](client, auth)
    builders.user("intruder", roles={"district.operator"}, tenant="huangpu")
    headers = auth.headers("intruder")
    rules = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    for rule in rules:
        path = rule.build(params, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, headers=headers, json={})
            assert response.status_code == 404, (method, path, response.get_json())
