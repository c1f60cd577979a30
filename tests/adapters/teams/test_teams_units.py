"""Cards, the loopback rules, the app package and the doctor's Teams report."""

from __future__ import annotations

import json
import struct
import zipfile

import pytest
from teams_settings import APPROVERS, CHANNELS, make_settings

from assistant.adapters.teams.auth import AuthMode, decide_mode, has_bearer_token, is_loopback_url
from assistant.adapters.teams.cards import activity_for, card
from assistant.cli.teams import build_package, teams_report
from assistant.errors import ConfigError
from assistant.messages import Action, Button, ChoiceSet, Kind, Message, Option


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://127.0.0.1:3979/", True),
        ("http://localhost/", True),
        ("http://[::1]:80/", True),
        ("https://smba.trafficmanager.net/emea/", False),
        ("http://127.0.0.1.evil.example/", False),
        ("file:///etc/passwd", False),
        ("", False),
    ],
)
def test_loopback_service_urls(url, ok):
    assert is_loopback_url(url) is ok


def test_modes(tmp_path):
    assert decide_mode(make_settings(tmp_path)) is AuthMode.LOOPBACK_TRIAL
    assert decide_mode(make_settings(tmp_path, trial=False)) is AuthMode.OFF
    assert decide_mode(make_settings(tmp_path, host="0.0.0.0")) is AuthMode.OFF
    assert (
        decide_mode(make_settings(tmp_path, app_id="x", host="0.0.0.0")) is AuthMode.AUTHENTICATED
    )
    assert not has_bearer_token("Bearer abc") and has_bearer_token("Bearer a.b.c")


def test_local_peers_and_proxies():
    from assistant.adapters.teams.auth import came_through_a_proxy, is_local_peer

    assert is_local_peer("127.0.0.1") and is_local_peer("::1")
    assert not is_local_peer("192.0.2.7") and not is_local_peer(None) and not is_local_peer("")
    assert came_through_a_proxy({"X-Forwarded-For": "1.2.3.4"})
    assert came_through_a_proxy({"Forwarded": "for=1.2.3.4"})
    assert not came_through_a_proxy({"Content-Type": "application/json"})


def test_user_text_cannot_format_a_card():
    text = "[click](http://evil) **bold** <b>x</b>"
    block = card(Message(text, kind=Kind.ANSWER))["body"][0]
    assert block["type"] == "RichTextBlock"  # its TextRuns read no Markdown
    assert block["inlines"] == [{"type": "TextRun", "text": text}]
    plain = activity_for(Message("<b>hi</b> **there**"))
    assert plain.text == "&lt;b&gt;hi&lt;/b&gt; \\*\\*there\\*\\*"


def test_many_single_choices_become_a_dropdown():
    options = tuple(Option(f"Option {i}", f"o{i}") for i in range(8))
    rendered = card(Message("Pick", kind=Kind.QUESTION, choices=ChoiceSet(options)))
    assert rendered["body"][1]["type"] == "Input.ChoiceSet"
    assert rendered["actions"] == [
        {"type": "Action.Submit", "title": "Next", "data": {"action": "form.choose"}}
    ]


def test_package_fills_in_the_app_id(tmp_path):
    out = build_package("11111111-2222-3333-4444-555555555555", tmp_path / "app.zip")
    with zipfile.ZipFile(out) as zipped:
        assert sorted(zipped.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zipped.read("manifest.json"))
        sizes = {
            name: struct.unpack(">II", zipped.read(name)[16:24])
            for name in ("color.png", "outline.png")
        }
    assert manifest["id"] == manifest["bots"][0]["botId"] == "11111111-2222-3333-4444-555555555555"
    assert "{{" not in json.dumps(manifest)
    assert sizes == {"color.png": (192, 192), "outline.png": (32, 32)}


def test_package_needs_an_app_id(tmp_path):
    with pytest.raises(ConfigError, match="MICROSOFT_APP_ID"):
        build_package("", tmp_path / "app.zip")


def test_doctor_lists_channels_and_people_the_bot_cannot_reach(tmp_path, scripted_core):
    scripted_core.remember("teams_conversation", CHANNELS["principal"], {"serviceUrl": "x"})
    who = APPROVERS["principal"].user_id
    scripted_core.remember("teams_conversation", f"user:tenant-0001:{who}", {"serviceUrl": "x"})
    lines, problems = teams_report(make_settings(tmp_path, app_id="app"), scripted_core)
    text = "\n".join(lines)
    assert problems == 4  # two channels and two people
    assert f"FAIL  Teams channel {CHANNELS['line_manager']}" in text
    assert f"ok    Teams channel {CHANNELS['principal']}" in text
    assert "teams:aad-line_manager: no personal chat" in text


def test_the_whole_form_dialog_button_is_not_shown_in_teams():
    message = Message(
        text="Let's fill in the form.",
        buttons=(
            Button("Fill in the whole form", Action.FORM_WHOLE_OPEN),
            Button("Cancel", Action.FORM_CANCEL),
        ),
    )
    titles = [a["title"] for a in card(message).get("actions", [])]
    assert titles == ["Cancel"]


def test_a_file_teams_cannot_take_is_named_not_dropped_silently():
    from assistant.messages import Attachment

    document = Attachment("appendix-b-request-3.docx", "Appendix B, request #3", b"PK")
    sent = activity_for(Message("Your request #3 is fully approved.", attachment=document))
    assert "Appendix B, request #3" in sent.text and "school office" in sent.text
    assert not sent.attachments


def test_typed_mention_tags_are_only_names_and_real_ones_keep_their_person():
    from botbuilder.schema import Activity

    from assistant.adapters.teams.translate import to_incoming
    from assistant.form.parsing import parse_people

    # Teams escapes what a person types: a typed tag cannot borrow a real mention's identity.
    activity = Activity().deserialize(
        {
            "type": "message",
            "channelId": "msteams",
            "from": {"id": "29:eve", "aadObjectId": "aad-eve"},
            "recipient": {"id": "28:bot", "name": "Policy Assistant"},
            "text": "&lt;at&gt;Pat Patel&lt;/at&gt; and <at>Jo Deputy</at>",
            "entities": [
                {
                    "type": "mention",
                    "text": "<at>Jo Deputy</at>",
                    "mentioned": {"id": "29:jo", "name": "Jo Deputy", "aadObjectId": "aad-jo"},
                }
            ],
        }
    )
    incoming = to_incoming(activity)
    assert incoming is not None and incoming.text == "Pat Patel and @Jo Deputy"
    assert parse_people(incoming.text, incoming.mentions) == [
        {"name": "Pat Patel", "identity": None},
        {"name": "Jo Deputy", "identity": "teams:aad-jo"},
    ]


def test_send_back_opens_a_note_input_and_sends_it_back() -> None:
    buttons = (
        Button("Send back for changes", Action.SEND_BACK, "4:line_manager", needs_reason=True),
        Button("Reject", Action.REJECT, "4:line_manager", style="danger", needs_reason=True),
    )
    body = card(Message("Request #4", kind=Kind.APPROVAL, buttons=buttons))
    back, reject = body["actions"]
    assert back["type"] == "Action.ShowCard"
    [note] = back["card"]["body"]
    assert note["label"] == "What should the requester change?" and note["isRequired"]
    [send] = back["card"]["actions"]
    assert send["title"] == "Send back"
    assert send["data"]["action"] == "approval.send_back"
    assert reject["card"]["actions"][0]["title"] == "Send rejection"


def test_the_manifest_is_current_and_offers_what_the_bot_understands(tmp_path):
    from assistant.routes import Route, route

    out = build_package("11111111-2222-3333-4444-555555555555", tmp_path / "app.zip")
    with zipfile.ZipFile(out) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
    # 1.22 is the current version per Microsoft Learn's "App manifest" page
    assert manifest["manifestVersion"] == "1.22"
    assert manifest["$schema"] == (
        "https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"
    )
    [bot] = manifest["bots"]
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    [commands] = bot["commandLists"]
    assert commands["scopes"] == bot["scopes"]
    titles = [c["title"] for c in commands["commands"]]
    assert titles == ["help", "request a site", "my requests"]
    routes = [route(t, None, direct=True, has_requests=lambda: False) for t in titles]
    assert routes == [Route.HELP, Route.START_FORM, Route.HOME]
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands["commands"])
