import json

import pytest

from booth_agent.config import ConfigError, load

BASE = '''
server = "http://127.0.0.1:8000/"
queue = "var/q.sqlite3"
max_events = 1000

[sender]
batch_size = 10
backoff_max_seconds = 30

[[devices]]
code = "BGW-A1-DOC"
kind = "document_reader"
credential = "bmisdev_1_abc"
heartbeat_seconds = 15

[[sources]]
type = "keyboard"
device = "BGW-A1-DOC"
direction = "entry"
'''


def write(tmp_path, text, name="agent.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_complete_configuration(tmp_path):
    config = load(write(tmp_path, BASE))
    assert config.server == "http://127.0.0.1:8000"
    assert config.queue == tmp_path / "var" / "q.sqlite3"  # relative to the file
    assert config.max_events == 1000 and config.sender.batch_size == 10 and config.sender.backoff_max_seconds == 30
    assert config.sender.timeout_seconds == 10  # default
    assert config.credentials() == {"BGW-A1-DOC": "bmisdev_1_abc"}
    assert config.devices["BGW-A1-DOC"].heartbeat_seconds == 15
    assert config.sources == [{"type": "keyboard", "device": "BGW-A1-DOC", "direction": "entry"}]


def test_credentials_from_the_seed_demo_file_env_and_file(tmp_path, monkeypatch):
    (tmp_path / "demo-devices.json").write_text(json.dumps([
        {"code": "BGW-A1-CAM", "kind": "face_camera", "post": "BGW", "booth": "A1", "sector": None,
         "credential": "bmisdev_2_x"},
        {"code": "BGW-A1-DOC", "kind": "document_reader", "post": "BGW", "booth": "A1", "sector": None,
         "credential": "bmisdev_3_y"},
    ]))
    (tmp_path / "secret").write_text("bmisdev_5_z\n")
    monkeypatch.setenv("FP_CREDENTIAL", "bmisdev_4_w")
    config = load(write(tmp_path, '''
server = "https://bmis.example.gov"
credentials_file = "demo-devices.json"
[[devices]]
code = "BGW-A1-DOC"
heartbeat_seconds = 10
[[devices]]
code = "BGW-A1-FP"
credential_env = "FP_CREDENTIAL"
[[devices]]
code = "BGW-A1-CHIP"
credential_file = "secret"
'''))
    assert config.credentials() == {"BGW-A1-CAM": "bmisdev_2_x", "BGW-A1-DOC": "bmisdev_3_y",
                                    "BGW-A1-FP": "bmisdev_4_w", "BGW-A1-CHIP": "bmisdev_5_z"}
    assert config.devices["BGW-A1-DOC"].heartbeat_seconds == 10
    assert config.devices["BGW-A1-CAM"].booth == "A1"


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace('server = "http://127.0.0.1:8000/"', 'server = "ftp://x"'), "`server`"),
    (lambda t: t.replace('server = "http://127.0.0.1:8000/"', ''), "`server` is required"),
    (lambda t: t.replace("max_events = 1000", "max_events = -1"), "`max_events` must be positive"),
    (lambda t: t.replace("max_events = 1000", 'max_events = "many"'), "`max_events` must be an integer"),
    (lambda t: t.replace("batch_size = 10", "batch_size = true"), "sender: `batch_size`"),
    (lambda t: t.replace("batch_size = 10", "batchsize = 10"), "sender: unknown key(s) batchsize"),
    (lambda t: t.replace('credential = "bmisdev_1_abc"', ''), "device BGW-A1-DOC: no credential"),
    (lambda t: t.replace('kind = "document_reader"', 'kind = "toaster"'), "devices[0]: `kind`"),
    (lambda t: t.replace('type = "keyboard"', 'type = "fax"'), "sources[0]: `type`"),
    (lambda t: t.replace('device = "BGW-A1-DOC"\ndirection', 'device = "NOPE"\ndirection'),
     "sources[0]: `device` 'NOPE' is not a configured device"),
    (lambda t: t + '\n[[sources]]\ntype = "serial"\ndevice = "BGW-A1-DOC"\n', "sources[1]: `port` is required"),
    (lambda t: 'extra = 1\n' + t, "unknown key(s) extra"),
    (lambda t: t + '\n[[devices]]\ncode = "X"\ncredential_env = "NOT_SET_ANYWHERE"\n', "NOT_SET_ANYWHERE"),
    (lambda t: t + "\n[broken", "agent.toml"),
])
def test_errors_name_the_key(tmp_path, change, message):
    with pytest.raises(ConfigError) as error:
        load(write(tmp_path, change(BASE)))
    assert message in str(error.value)


def test_a_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="nothing.toml"):
        load(tmp_path / "nothing.toml")


def test_cli_check_and_status(tmp_path, capsys):
    from booth_agent.__main__ import main

    path = write(tmp_path, BASE)
    assert main(["check", "--config", str(path)]) == 0
    assert "configuration OK: 1 device(s), 1 source(s)" in capsys.readouterr().out
    assert main(["status", "--config", str(path)]) == 0
    assert '"queued": 0' in capsys.readouterr().out
    assert main(["check", "--config", str(tmp_path / "missing.toml")]) == 2


def test_the_example_configuration_is_valid(monkeypatch):
    from pathlib import Path

    from booth_agent.runner import make_source
    from booth_agent.sources import Bus, Health

    for name in ("BGW_A1_READER", "BGW_A1_CAM", "BGW_A1_FP", "QAIM_TC2"):
        monkeypatch.setenv(f"BMIS_DEVICE_{name}", f"bmisdev_{name.lower()}_x")
    config = load(Path(__file__).resolve().parents[1] / "agent.example.toml")
    assert len(config.devices) == 4 and [s["type"] for s in config.sources] == ["keyboard", "webcam", "folder",
                                                                                 "onvif"]
    sources = [make_source(spec, lambda *a, **k: "id", Health(), Bus()) for spec in config.sources]
    assert [type(s).__name__ for s in sources] == ["KeyboardSource", "WebcamSource", "FolderSource", "OnvifSource"]
