"""A JSON body nested a thousand levels deep is a 400 in the error body, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def parse_token(make_partner):
    _client, raw = make_partner(["documents:parse", "screening:write", "biometrics:write"])
    return f"Bearer {raw}"


@pytest.mark.parametrize("path", [
    "/api/v1/documents/parse", "/api/v1/screening/persons", "/api/v1/biometrics/fingerprints/identify",
])
@pytest.mark.parametrize("opener,closer", [("[", "]"), ('{"a":', "}")])
def test_deeply_nested_json_is_a_400(client, parse_token, path, opener, closer):
    body = opener * 1000 + "1" + closer * 1000
    response = client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION=parse_token)
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert "nested" in error["message"]


def test_moderate_nesting_and_brackets_inside_strings_still_parse(client, parse_token):
    body = '{"mrz": "[[[[' + "[" * 200 + '", "x": [[[1]]]}'
    response = client.post("/api/v1/documents/parse", body, content_type="application/json",
                           HTTP_AUTHORIZATION=parse_token)
    assert response.status_code != 500
    assert response.json()["error"]["code"] != "parse_error"
