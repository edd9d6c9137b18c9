"""The reference registry service on its own: its data set, its protocol and its token."""

import json
import threading
import urllib.error
import urllib.request

import pytest

from registry_service.generate import DEFAULT_PATH, citizens
from registry_service.server import Registry, make_server


def call(url, path, token=None, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url + path, data=json.dumps(body).encode() if body is not None else None,
                                     headers=headers, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_committed_data_set_is_the_generators_and_synthetic():
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert data["synthetic"] is True and data["citizens"] == citizens(300, data["seed"])
    numbers = [c["national_id"] for c in data["citizens"]]
    assert len(numbers) == len(set(numbers)) == 300
    assert all(len(n) == 12 and n.isdigit() for n in numbers)
    assert all(c["name_ar"] and c["surname_latin"] and c["sex"] in "MF" for c in data["citizens"])


def test_health_lookup_search_and_token(registry_server):
    url, token = registry_server.url, registry_server.token
    assert call(url, "/health") == (200, {"status": "ok", "citizens": 300})
    citizen = registry_server.citizen(face=True)
    assert call(url, f"/v1/identities/{citizen['national_id']}")[0] == 401
    assert call(url, f"/v1/identities/{citizen['national_id']}", token="wrong-token-of-some-length")[0] == 401
    status, answer = call(url, f"/v1/identities/{citizen['national_id']}", token)
    assert status == 200 and answer["identity"]["face_shared"] and "face_image" not in answer["identity"]
    status, answer = call(url, f"/v1/identities/{citizen['national_id']}?face=1", token)
    assert answer["identity"]["face_image"] == citizen["face_image"]
    assert call(url, "/v1/identities/100000000001", token)[0] == 404
    status, answer = call(url, "/v1/search", token, {"names": citizen["surname_latin"],
                                                     "date_of_birth": citizen["date_of_birth"]})
    assert status == 200 and citizen["national_id"] in [r["national_id"] for r in answer["results"]]
    assert call(url, "/v1/search", token, {"names": ""})[0] == 400
    assert call(url, "/v1/search", token, {"names": 5})[0] == 400


def test_control_endpoint_only_when_allowed():
    registry = Registry(citizens(5), token="t" * 20)
    server = make_server("127.0.0.1", 0, registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert call(url, "/control/delay", "t" * 20, {"seconds": 1})[0] == 404
        registry.allow_control = True
        assert call(url, "/control/delay", "t" * 20, {"seconds": -1})[0] == 400
        assert call(url, "/control/delay", "t" * 20, {"seconds": 0.1}) == (200, {"delay": 0.1})
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("argv", [["--port", "0", "--token", "short"]])
def test_a_short_token_is_refused(argv):
    from registry_service.__main__ import main

    with pytest.raises(SystemExit):
        main(argv)
