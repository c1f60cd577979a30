"""``assistant slack manifest --url``: the manifest filled in, bad addresses refused."""

from __future__ import annotations

import pytest
import yaml

from assistant.cli import main


def test_the_manifest_points_every_url_at_the_server(capsys):
    assert main(["slack", "manifest", "--url", "https://assistant.wootton.example/"]) == 0
    manifest = yaml.safe_load(capsys.readouterr().out)
    settings = manifest["settings"]
    url = "https://assistant.wootton.example/slack/events"
    assert settings["event_subscriptions"]["request_url"] == url
    assert settings["interactivity"]["request_url"] == url
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}
    assert {"files:write", "commands"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    [policy] = manifest["features"]["slash_commands"]
    assert (policy["command"], policy["url"]) == ("/policy", url)
    shortcuts = {s["callback_id"]: s["type"] for s in manifest["features"]["shortcuts"]}
    assert shortcuts == {"policy.check": "message", "form.request": "global"}
    # Slack's manifest schema: a shortcut's name 1-24 characters, its description 1-150.
    for shortcut in manifest["features"]["shortcuts"]:
        assert 0 < len(shortcut["name"]) <= 24 and 0 < len(shortcut["description"]) <= 150
    assert "example.org" not in yaml.safe_dump(manifest)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://assistant.example", "not an https://"),
        ("assistant.example", "not an https://"),
        ("https://assistant.example/slack/events", "only the scheme and host"),
        ("https://user@assistant.example", "only the scheme and host"),
    ],
)
def test_bad_addresses_are_refused_with_the_reason(url, says, capsys):
    assert main(["slack", "manifest", "--url", url]) == 2
    assert says in capsys.readouterr().err
