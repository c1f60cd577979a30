"""Parsing of dates, choices, people, age ranges and free text (table-driven)."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.errors import ValidationError
from assistant.form.parsing import (
    clean,
    parse_age_range,
    parse_date,
    parse_host,
    parse_parties,
    parse_people,
    parse_text,
)
from assistant.messages import Identity


@pytest.mark.parametrize(
    "text",
    [
        "25/12/2026",
        "25-12-2026",
        "25.12.2026",
        "25/12/26",
        "25 Dec 2026",
        "25 December 2026",
        "25th December 2026",
        "25th of December, 2026",
        "Friday 25 December 2026",
        "2026-12-25",
        "December 25th, 2026",
        "  25 DEC 2026 ",
    ],
)
def test_uk_date_forms_are_accepted(text):
    assert parse_date(text) == date(2026, 12, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/04/2027", date(2027, 4, 3)),
        ("1/9/2026", date(2026, 9, 1)),
        ("12/11/2026", date(2026, 11, 12)),
    ],
)
def test_ambiguous_dates_are_read_day_first(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("31/02/2027", "not a real date"),
        ("29/02/2027", "not a real date"),
        ("31 April 2027", "not a real date"),
        ("12/25/2026", "couldn't read"),
        ("next Tuesday", "couldn't read"),
        ("soon", "couldn't read"),
        ("", "couldn't read"),
        ("25 Smarch 2026", "couldn't read"),
        ("2026-13-01", "couldn't read"),
    ],
)
def test_impossible_or_unreadable_dates_are_refused_clearly(text, says):
    with pytest.raises(ValidationError) as err:
        parse_date(text)
    assert says in str(err.value)


def test_leap_day_is_a_real_date():
    assert parse_date("29/02/2028") == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("staff and parents", ["staff", "families"]),
        ("pupils, staff", ["pupils", "staff"]),
        ("everyone", ["public"]),
        ("1,3", ["pupils", "families"]),
        ("1, 2 and 7", ["pupils", "staff", "others"]),
        ("Pupils' family members", ["families"]),
        ("pupils from other schools", ["other_schools"]),
        ("external organisations & members of the public", ["external_orgs", "public"]),
        ("students/teachers", ["pupils", "staff"]),
        (
            "all of the above",
            ["pupils", "staff", "families", "other_schools", "external_orgs", "public", "others"],
        ),
        ("others", ["others"]),
        ("Members of the public\nSchool staff", ["staff", "public"]),
    ],
)
def test_free_text_choices(text, expected):
    assert parse_parties(text) == expected


def test_ticked_values_and_text_combine_in_form_order():
    assert parse_parties("", ("public", "pupils")) == ["pupils", "public"]


@pytest.mark.parametrize("text", ["aliens", "staff and martians", "9", "0"])
def test_unknown_choices_list_the_options(text):
    with pytest.raises(ValidationError) as err:
        parse_parties(text)
    message = str(err.value)
    assert "Members of the public" in message and "1." in message and "7." in message


def test_no_choice_is_refused():
    with pytest.raises(ValidationError, match="at least one"):
        parse_parties("")


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("the school", "", ("school", None)),
        ("1", "", ("school", None)),
        ("third party", "", ("third_party", None)),
        ("2", "", ("third_party", None)),
        ("Facebook", "", ("third_party", "Facebook")),
        ("on instagram please", "", ("third_party", "Instagram")),
        ("", "third_party", ("third_party", None)),
    ],
)
def test_host_choice(text, value, expected):
    assert parse_host(text, value) == expected


def test_unknown_host_is_refused():
    with pytest.raises(ValidationError, match="Please choose one option"):
        parse_host("the moon")


def test_people_from_names_separated_by_commas_and_newlines():
    people = parse_people("Alice Adams, Bob Brown and Carol Cole\nDan Dale")
    assert [p["name"] for p in people] == ["Alice Adams", "Bob Brown", "Carol Cole", "Dan Dale"]
    assert all(p["identity"] is None for p in people)


def test_people_are_deduplicated_ignoring_case():
    people = parse_people("Alice Adams, alice adams, ALICE ADAMS")
    assert people == [{"name": "Alice Adams", "identity": None}]


def test_mentions_without_known_names_keep_their_identity():
    lena = Identity("slack", "U123")
    people = parse_people("<@U123> and Bob", (lena,))
    assert people == [
        {"name": "", "identity": "slack:U123"},
        {"name": "Bob", "identity": None},
    ]


def test_mentions_given_only_in_incoming_mentions_are_kept():
    people = parse_people("", (Identity("teams", "aad-1"), Identity("teams", "aad-2")))
    assert [p["identity"] for p in people] == ["teams:aad-1", "teams:aad-2"]


def test_teams_mention_tags_pair_names_with_identities():
    people = parse_people(
        "<at>Lena Lowe</at>, <at>Sam Smith</at>", (Identity("teams", "a"), Identity("teams", "b"))
    )
    assert people == [
        {"name": "Lena Lowe", "identity": "teams:a"},
        {"name": "Sam Smith", "identity": "teams:b"},
    ]


def test_the_same_mention_twice_counts_once():
    lena = Identity("slack", "U123")
    assert len(parse_people("<@U123|Lena> <@U123>", (lena, lena))) == 1


def test_me_means_the_person_typing():
    people = parse_people("me", me=Identity("slack", "U9"), my_name="Lena Lowe")
    assert people == [{"name": "Lena Lowe", "identity": "slack:U9"}]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("11-16", 11, 16),
        ("11 to 16", 11, 16),
        ("11–16", 11, 16),
        ("ages 11-16", 11, 16),
        ("11-16 years old", 11, 16),
        ("14", 14, 14),
        ("Year 7-11", 11, 16),
        ("Years 7 to 11", 11, 16),
        ("Y7-Y11", 11, 16),
        ("year 9", 13, 14),
        ("Reception to Year 6", 4, 11),
        ("3-19", 3, 19),
    ],
)
def test_age_ranges(text, low, high):
    assert parse_age_range(text) == {"low": low, "high": high}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("16-11", "must not be above"),
        ("2-10", "between 3 and 19"),
        ("11-25", "between 3 and 19"),
        ("teenagers", "couldn't read"),
        ("Year 15", "between 3 and 19"),
    ],
)
def test_bad_age_ranges_are_refused(text, says):
    with pytest.raises(ValidationError, match=says):
        parse_age_range(text)


def test_control_characters_are_stripped_but_newlines_kept():
    assert clean("  a\x00b\x07c\r\nd\u200b ") == "abc\nd"


def test_empty_and_too_long_text_are_refused():
    with pytest.raises(ValidationError, match="required"):
        parse_text(" \x00 ")
    with pytest.raises(ValidationError, match="2000 characters"):
        parse_text("x" * 2001)
    assert parse_text("x" * 2000) == "x" * 2000
    assert parse_text("", required=False) == ""


def test_mentions_written_as_at_names_pair_with_their_identities():
    # What the Slack adapter sends: "<@U1>, <@U2> and Carol" becomes "@Ada Admin, @Ben" + ids.
    people = parse_people(
        "@Ada Admin, @Ben and Carol", (Identity("slack", "U1"), Identity("slack", "U2"))
    )
    assert people == [
        {"name": "Ada Admin", "identity": "slack:U1"},
        {"name": "Ben", "identity": "slack:U2"},
        {"name": "Carol", "identity": None},
    ]
