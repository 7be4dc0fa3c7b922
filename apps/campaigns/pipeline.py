"""The campaign pipeline's stage rules: which moves a creator may make on the board.

Pure Python on purpose (no Django, no ORM): the model, the board view, the API and
the services all ask this module, so the rules live in exactly one place and are
tested without a database.

Campaigns know nothing of contracts. A higher app that must veto a move (e.g.
"content_live needs an accepted contract") registers a guard here with
`register_guard`; this module never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

PROSPECT = "prospect"
CONTACTED = "contacted"
REPLIED = "replied"
NEGOTIATING = "negotiating"
CONTRACTED = "contracted"
CONTENT_LIVE = "content_live"
COMPLETED = "completed"
DECLINED = "declined"
NOT_A_FIT = "not_a_fit"

# Board order: the forward path, then the two ways out.
STAGES: tuple[str, ...] = (
    PROSPECT,
    CONTACTED,
    REPLIED,
    NEGOTIATING,
    CONTRACTED,
    CONTENT_LIVE,
    COMPLETED,
    DECLINED,
    NOT_A_FIT,
)
OPEN_STAGES: tuple[str, ...] = (PROSPECT, CONTACTED, REPLIED, NEGOTIATING, CONTRACTED, CONTENT_LIVE)
CLOSED_STAGES: tuple[str, ...] = (COMPLETED, DECLINED, NOT_A_FIT)
# Closed stages a creator can be brought back from (to prospect only). Completed is final.
REOPENABLE_STAGES: tuple[str, ...] = (DECLINED, NOT_A_FIT)
# Closing a creator this way must say why.
REASON_REQUIRED: tuple[str, ...] = (DECLINED, NOT_A_FIT)

LABELS: Mapping[str, str] = MappingProxyType(
    {
        PROSPECT: "Prospect",
        CONTACTED: "Contacted",
        REPLIED: "Replied",
        NEGOTIATING: "Negotiating",
        CONTRACTED: "Contracted",
        CONTENT_LIVE: "Content live",
        COMPLETED: "Completed",
        DECLINED: "Declined",
        NOT_A_FIT: "Not a fit",
    }
)

# Forward moves: the stages a creator must be in to move *forward* into a stage.
# Some steps may be skipped (a creator who replies with terms goes straight to
# negotiating; a quick yes goes from replied to contracted); the others may not.
REQUIRED_STEPS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        CONTACTED: frozenset({PROSPECT}),
        REPLIED: frozenset({CONTACTED}),
        NEGOTIATING: frozenset({REPLIED, CONTACTED}),
        CONTRACTED: frozenset({NEGOTIATING, REPLIED}),
        CONTENT_LIVE: frozenset({CONTRACTED}),
        COMPLETED: frozenset({CONTENT_LIVE}),
    }
)


def _build_allowed_from() -> dict[str, frozenset[str]]:
    allowed: dict[str, set[str]] = {stage: set() for stage in STAGES}
    for to_stage, from_stages in REQUIRED_STEPS.items():
        allowed[to_stage] |= from_stages
    # Backwards: any open stage may go back to any earlier open stage (the service
    # records it on the timeline; the rules only allow it).
    for i, to_stage in enumerate(OPEN_STAGES):
        allowed[to_stage] |= set(OPEN_STAGES[i + 1 :])
    # Out of the pipeline, from any open stage.
    for to_stage in REASON_REQUIRED:
        allowed[to_stage] |= set(OPEN_STAGES)
    # Reopen.
    allowed[PROSPECT] |= set(REOPENABLE_STAGES)
    return {stage: frozenset(froms) for stage, froms in allowed.items()}


# The whole table: ALLOWED_FROM[to_stage] is the set of stages a creator may move from.
ALLOWED_FROM: Mapping[str, frozenset[str]] = MappingProxyType(_build_allowed_from())

Guard = Callable[[Mapping[str, Any]], str | None]
_guards: dict[str, list[Guard]] = {}
_EMPTY_CONTEXT: Mapping[str, Any] = MappingProxyType({})


class MoveRefused(Exception):
    """A move the pipeline does not allow; `message` is safe to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def label(stage: str) -> str:
    """The stage's UI label, or the raw value for an unknown stage (for messages)."""
    return LABELS.get(stage, repr(stage))


def _check_known(stage: str) -> None:
    if stage not in LABELS:
        raise MoveRefused(f"Unknown stage {stage!r}")


def is_backward(from_stage: str, to_stage: str) -> bool:
    """True for a move back along the open path (the service records these)."""
    return (
        from_stage in OPEN_STAGES
        and to_stage in OPEN_STAGES
        and OPEN_STAGES.index(to_stage) < OPEN_STAGES.index(from_stage)
    )


def check_move(
    from_stage: str,
    to_stage: str,
    *,
    reason: str = "",
    context: Mapping[str, Any] | None = None,
) -> None:
    """Raise MoveRefused unless a creator may move from `from_stage` to `to_stage`.

    The table is checked first, then the reason, then every guard registered for
    `to_stage` (in registration order; the first refusal wins). `context` is passed
    to the guards untouched.
    """
    _check_known(from_stage)
    _check_known(to_stage)
    if from_stage == to_stage:
        raise MoveRefused(f"Already in {label(to_stage)}")

    if from_stage not in ALLOWED_FROM[to_stage]:
        raise MoveRefused(_refusal(from_stage, to_stage))

    if to_stage in REASON_REQUIRED and not reason.strip():
        raise MoveRefused(f"Say why this creator is {label(to_stage).lower()}")

    ctx = _EMPTY_CONTEXT if context is None else context
    for guard in tuple(_guards.get(to_stage, ())):
        refusal = guard(ctx)
        if refusal:
            raise MoveRefused(refusal)


def _refusal(from_stage: str, to_stage: str) -> str:
    if from_stage == COMPLETED:
        return f"{label(COMPLETED)} is final; it cannot move to {label(to_stage)}"
    if from_stage in REOPENABLE_STAGES:
        return (
            f"{label(from_stage)} can only be reopened to {label(PROSPECT)}, "
            f"not moved to {label(to_stage)}"
        )
    needed = [stage for stage in STAGES if stage in REQUIRED_STEPS.get(to_stage, ())]
    names = " or ".join(label(stage) for stage in needed)
    return (
        f"Cannot move from {label(from_stage)} to {label(to_stage)}: "
        f"{label(to_stage)} needs {names} first"
    )


def next_stages(from_stage: str) -> list[str]:
    """Every stage the table lets `from_stage` move to, in board order (for the move menu).

    Guards are not consulted: they need a context and may change their answer; the
    move itself is still checked with `check_move`.
    """
    _check_known(from_stage)
    return [stage for stage in STAGES if stage != from_stage and from_stage in ALLOWED_FROM[stage]]


def register_guard(to_stage: str, guard: Guard) -> None:
    """Run `guard(context)` on every move into `to_stage`; it returns None or a refusal.

    Registering the same function again is a no-op, so an AppConfig.ready() that
    runs twice does not double the checks.
    """
    if to_stage not in LABELS:
        raise ValueError(f"Unknown stage {to_stage!r}")
    guards = _guards.setdefault(to_stage, [])
    if guard not in guards:
        guards.append(guard)


def clear_guards() -> None:
    """Forget every registered guard (for tests)."""
    _guards.clear()


@contextmanager
def guards_cleared() -> Iterator[None]:
    """Run with no guards, then put back the ones the apps registered (for tests).

    Clearing for good would drop the guards other apps register at start-up for
    every later test in the same process.
    """
    saved = {stage: list(guards) for stage, guards in _guards.items()}
    _guards.clear()
    try:
        yield
    finally:
        _guards.clear()
        _guards.update(saved)
