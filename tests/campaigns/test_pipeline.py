"""The pipeline's stage rules (pure Python: no database, no Django)."""

import itertools

import pytest

from apps.campaigns import pipeline
from apps.campaigns.pipeline import (
    ALLOWED_FROM,
    CLOSED_STAGES,
    LABELS,
    OPEN_STAGES,
    STAGES,
    MoveRefused,
    check_move,
    clear_guards,
    guards_cleared,
    is_backward,
    next_stages,
    register_guard,
)

OPEN = ["prospect", "contacted", "replied", "negotiating", "contracted", "content_live"]

# The table, written out by hand so the module's derived ALLOWED_FROM is checked
# against the rules as the product states them.
FORWARD = [
    ("prospect", "contacted"),
    ("contacted", "replied"),
    ("contacted", "negotiating"),
    ("replied", "negotiating"),
    ("replied", "contracted"),
    ("negotiating", "contracted"),
    ("contracted", "content_live"),
    ("content_live", "completed"),
]
BACKWARD = [(OPEN[i], OPEN[j]) for i in range(len(OPEN)) for j in range(i)]
CLOSING = [(stage, out) for stage in OPEN for out in ("declined", "not_a_fit")]
REOPEN = [("declined", "prospect"), ("not_a_fit", "prospect")]
ALLOWED = FORWARD + BACKWARD + CLOSING + REOPEN

SKIPS = [
    ("prospect", "replied", "Cannot move from Prospect to Replied: Replied needs Contacted first"),
    (
        "prospect",
        "negotiating",
        "Cannot move from Prospect to Negotiating: Negotiating needs Contacted or Replied first",
    ),
    (
        "prospect",
        "contracted",
        "Cannot move from Prospect to Contracted: Contracted needs Replied or Negotiating first",
    ),
    (
        "prospect",
        "content_live",
        "Cannot move from Prospect to Content live: Content live needs Contracted first",
    ),
    (
        "prospect",
        "completed",
        "Cannot move from Prospect to Completed: Completed needs Content live first",
    ),
    (
        "contacted",
        "contracted",
        "Cannot move from Contacted to Contracted: Contracted needs Replied or Negotiating first",
    ),
    (
        "contacted",
        "content_live",
        "Cannot move from Contacted to Content live: Content live needs Contracted first",
    ),
    (
        "contacted",
        "completed",
        "Cannot move from Contacted to Completed: Completed needs Content live first",
    ),
    (
        "replied",
        "content_live",
        "Cannot move from Replied to Content live: Content live needs Contracted first",
    ),
    (
        "replied",
        "completed",
        "Cannot move from Replied to Completed: Completed needs Content live first",
    ),
    (
        "negotiating",
        "content_live",
        "Cannot move from Negotiating to Content live: Content live needs Contracted first",
    ),
    (
        "negotiating",
        "completed",
        "Cannot move from Negotiating to Completed: Completed needs Content live first",
    ),
    (
        "contracted",
        "completed",
        "Cannot move from Contracted to Completed: Completed needs Content live first",
    ),
]
FROM_COMPLETED = [
    (
        "completed",
        to,
        f"Completed is final; it cannot move to {LABELS[to]}",
    )
    for to in STAGES
    if to != "completed"
]
FROM_CLOSED = [
    (
        closed,
        to,
        f"{LABELS[closed]} can only be reopened to Prospect, not moved to {LABELS[to]}",
    )
    for closed in ("declined", "not_a_fit")
    for to in STAGES
    if to not in (closed, "prospect")
]
REFUSED = SKIPS + FROM_COMPLETED + FROM_CLOSED


def reason_for(to_stage):
    return "Audience is mostly outside our market" if to_stage in CLOSED_STAGES else ""


@pytest.fixture(autouse=True)
def no_guards():
    with guards_cleared():
        yield


# --- the stages -------------------------------------------------------------


def test_stages_are_the_model_values_in_board_order():
    assert list(STAGES) == [
        "prospect",
        "contacted",
        "replied",
        "negotiating",
        "contracted",
        "content_live",
        "completed",
        "declined",
        "not_a_fit",
    ]


def test_open_and_closed_stages_split_the_stages():
    assert list(OPEN_STAGES) == OPEN
    assert set(CLOSED_STAGES) == {"completed", "declined", "not_a_fit"}
    assert set(OPEN_STAGES) | set(CLOSED_STAGES) == set(STAGES)
    assert not set(OPEN_STAGES) & set(CLOSED_STAGES)


def test_every_stage_has_a_label():
    assert set(LABELS) == set(STAGES)
    assert LABELS["content_live"] == "Content live"
    assert LABELS["not_a_fit"] == "Not a fit"


def test_the_hand_written_table_covers_every_pair_once():
    pairs = {(a, b) for a, b in itertools.permutations(STAGES, 2)}
    allowed = set(ALLOWED)
    refused = {(a, b) for a, b, _ in REFUSED}
    assert len(allowed) == len(ALLOWED) == 37
    assert len(refused) == len(REFUSED) == 35
    assert allowed | refused == pairs
    assert not allowed & refused


def test_allowed_from_matches_the_table():
    for to_stage in STAGES:
        expected = {a for a, b in ALLOWED if b == to_stage}
        assert ALLOWED_FROM[to_stage] == expected, to_stage


# --- allowed moves ----------------------------------------------------------


@pytest.mark.parametrize(("from_stage", "to_stage"), ALLOWED)
def test_it_allows(from_stage, to_stage):
    check_move(from_stage, to_stage, reason=reason_for(to_stage))


@pytest.mark.parametrize(("from_stage", "to_stage"), BACKWARD)
def test_it_allows_moving_backwards_and_says_so(from_stage, to_stage):
    check_move(from_stage, to_stage)
    assert is_backward(from_stage, to_stage)
    assert not is_backward(to_stage, from_stage)


def test_reopen_from_declined_or_not_a_fit_goes_to_prospect():
    check_move("declined", "prospect")
    check_move("not_a_fit", "prospect")
    assert not is_backward("declined", "prospect")


def test_it_allows_skipping_the_optional_steps():
    check_move("contacted", "negotiating")
    check_move("replied", "contracted")


# --- refused moves ----------------------------------------------------------


@pytest.mark.parametrize(("from_stage", "to_stage", "message"), REFUSED)
def test_it_refuses(from_stage, to_stage, message):
    with pytest.raises(MoveRefused) as refused:
        check_move(from_stage, to_stage, reason=reason_for(to_stage))
    assert refused.value.message == message
    assert str(refused.value) == message


@pytest.mark.parametrize("stage", STAGES)
def test_it_refuses_the_same_stage(stage):
    with pytest.raises(MoveRefused) as refused:
        check_move(stage, stage, reason="because")
    assert refused.value.message == f"Already in {LABELS[stage]}"


def test_already_in_uses_the_label():
    with pytest.raises(MoveRefused, match="^Already in Contacted$"):
        check_move("contacted", "contacted")


@pytest.mark.parametrize(
    ("from_stage", "to_stage"),
    [("prospect", "signed"), ("signed", "prospect"), ("Prospect", "contacted"), ("", "prospect")],
)
def test_it_refuses_unknown_stages(from_stage, to_stage):
    with pytest.raises(MoveRefused, match="^Unknown stage"):
        check_move(from_stage, to_stage)


def test_completed_cannot_be_reopened():
    with pytest.raises(MoveRefused, match="Completed is final"):
        check_move("completed", "prospect")


def test_declined_cannot_switch_to_not_a_fit():
    with pytest.raises(MoveRefused) as refused:
        check_move("declined", "not_a_fit", reason="wrong niche")
    assert refused.value.message == (
        "Declined can only be reopened to Prospect, not moved to Not a fit"
    )


# --- reasons ----------------------------------------------------------------


@pytest.mark.parametrize("from_stage", OPEN)
@pytest.mark.parametrize(
    ("to_stage", "message"),
    [
        ("declined", "Say why this creator is declined"),
        ("not_a_fit", "Say why this creator is not a fit"),
    ],
)
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_closing_needs_a_reason(from_stage, to_stage, message, reason):
    with pytest.raises(MoveRefused) as refused:
        check_move(from_stage, to_stage, reason=reason)
    assert refused.value.message == message


def test_a_reason_is_optional_elsewhere():
    check_move("prospect", "contacted", reason="")
    check_move("prospect", "contacted", reason="Sent the intro email")


def test_the_table_is_checked_before_the_reason():
    with pytest.raises(MoveRefused, match="Completed is final"):
        check_move("completed", "declined")


# --- guards -----------------------------------------------------------------


def needs_accepted_contract(context):
    if not context.get("contract_accepted"):
        return "Content live needs an accepted contract"
    return None


def test_a_guard_refuses_with_its_message():
    register_guard("content_live", needs_accepted_contract)
    with pytest.raises(MoveRefused) as refused:
        check_move("contracted", "content_live", context={"campaign_creator_id": 5})
    assert refused.value.message == "Content live needs an accepted contract"


def test_a_guard_that_returns_none_allows_the_move():
    register_guard("content_live", needs_accepted_contract)
    check_move("contracted", "content_live", context={"contract_accepted": True})


def test_a_guard_gets_the_callers_context():
    seen = []
    register_guard("contacted", seen.append)
    context = {"campaign_creator_id": 5}
    check_move("prospect", "contacted", context=context)
    assert seen == [context]


def test_a_guard_gets_an_empty_mapping_without_context():
    seen = []
    register_guard("contacted", seen.append)
    check_move("prospect", "contacted")
    assert len(seen) == 1
    assert dict(seen[0]) == {}


def test_guards_only_run_for_their_target_stage():
    register_guard("content_live", needs_accepted_contract)
    check_move("contracted", "negotiating")
    check_move("content_live", "completed")
    check_move("content_live", "contracted")


def test_guards_do_not_run_when_the_table_refuses():
    calls = []
    register_guard("content_live", lambda context: calls.append(context))
    with pytest.raises(MoveRefused, match="needs Contracted first"):
        check_move("prospect", "content_live")
    assert calls == []


def test_guards_do_not_run_without_a_reason():
    calls = []
    register_guard("declined", lambda context: calls.append(context))
    with pytest.raises(MoveRefused, match="Say why"):
        check_move("prospect", "declined")
    assert calls == []
    check_move("prospect", "declined", reason="No reply to three emails")
    assert len(calls) == 1


def test_registering_the_same_guard_twice_is_a_no_op():
    calls = []

    def count(context):
        calls.append(context)

    register_guard("contacted", count)
    register_guard("contacted", count)
    check_move("prospect", "contacted")
    assert len(calls) == 1


def test_the_first_refusing_guard_wins():
    register_guard("content_live", lambda context: None)
    register_guard("content_live", lambda context: "First refusal")
    register_guard("content_live", lambda context: "Second refusal")
    with pytest.raises(MoveRefused, match="^First refusal$"):
        check_move("contracted", "content_live")


def test_clear_guards_forgets_them():
    register_guard("content_live", needs_accepted_contract)
    clear_guards()
    check_move("contracted", "content_live")


def test_registering_for_an_unknown_stage_fails_loudly():
    with pytest.raises(ValueError, match="Unknown stage"):
        register_guard("live", needs_accepted_contract)


def test_guards_live_in_a_module_level_dict():
    register_guard("content_live", needs_accepted_contract)
    assert pipeline._guards == {"content_live": [needs_accepted_contract]}


# --- the move menu ----------------------------------------------------------


@pytest.mark.parametrize(
    ("from_stage", "expected"),
    [
        ("prospect", ["contacted", "declined", "not_a_fit"]),
        ("contacted", ["prospect", "replied", "negotiating", "declined", "not_a_fit"]),
        (
            "replied",
            ["prospect", "contacted", "negotiating", "contracted", "declined", "not_a_fit"],
        ),
        (
            "negotiating",
            ["prospect", "contacted", "replied", "contracted", "declined", "not_a_fit"],
        ),
        (
            "contracted",
            [
                "prospect",
                "contacted",
                "replied",
                "negotiating",
                "content_live",
                "declined",
                "not_a_fit",
            ],
        ),
        (
            "content_live",
            [
                "prospect",
                "contacted",
                "replied",
                "negotiating",
                "contracted",
                "completed",
                "declined",
                "not_a_fit",
            ],
        ),
        ("completed", []),
        ("declined", ["prospect"]),
        ("not_a_fit", ["prospect"]),
    ],
)
def test_next_stages_in_board_order(from_stage, expected):
    assert next_stages(from_stage) == expected


@pytest.mark.parametrize("from_stage", STAGES)
def test_every_next_stage_passes_the_table(from_stage):
    for to_stage in next_stages(from_stage):
        check_move(from_stage, to_stage, reason=reason_for(to_stage))


def test_next_stages_ignores_guards():
    register_guard("content_live", needs_accepted_contract)
    assert "content_live" in next_stages("contracted")


def test_next_stages_of_an_unknown_stage_is_refused():
    with pytest.raises(MoveRefused, match="Unknown stage 'live'"):
        next_stages("live")
