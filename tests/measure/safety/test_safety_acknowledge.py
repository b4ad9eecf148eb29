"""What an acknowledgement may do (docs/safety.md; [atlaschart-action-levels]): B needs a written
reason to override, E can never be overridden, H needs documented reasoning, W blocks nothing."""

from __future__ import annotations

import pytest

from atlaschart.measure.safety import Finding, allowed_actions, decide_acknowledgement

REASON = "Imaging last week excluded instability; GP letter on file."


@pytest.mark.parametrize(
    ("level", "overridable", "action", "reason", "allowed"),
    [
        pytest.param("E", True, "override", REASON, False, id="E-override-never"),
        pytest.param("E", True, "acknowledge", None, True, id="E-acknowledge-ok"),
        pytest.param("B-urgent", True, "override", None, False, id="B-urgent-override-no-reason"),
        pytest.param("B-urgent", True, "override", "ok", False, id="B-urgent-override-too-short"),
        pytest.param("B-urgent", True, "override", REASON, True, id="B-urgent-override-reason"),
        pytest.param("B-routine", True, "override", "   ", False, id="B-routine-blank-reason"),
        pytest.param("B-routine", True, "override", REASON, True, id="B-routine-override-reason"),
        pytest.param("B-routine", True, "acknowledge", None, True, id="B-acknowledge-no-reason"),
        pytest.param("B-routine", False, "override", REASON, False, id="G2-not-overridable"),
        pytest.param("H", True, "acknowledge", None, False, id="H-needs-reasoning"),
        pytest.param("H", True, "acknowledge", REASON, True, id="H-with-reasoning"),
        pytest.param("H", True, "override", REASON, True, id="H-override-with-reason"),
        pytest.param("W", True, "acknowledge", None, True, id="W-acknowledge"),
        pytest.param("W", True, "override", REASON, False, id="W-nothing-to-override"),
    ],
)
def test_decide_acknowledgement(level, overridable, action, reason, allowed):
    finding = Finding("X", level, "reason", overridable)
    assert decide_acknowledgement(finding, action, reason).allowed is allowed


def test_e_finding_is_never_overridable_even_if_asked():
    assert Finding("V2", "E", "reason", overridable=True).overridable is False


@pytest.mark.parametrize(
    ("level", "overridable", "actions"),
    [
        ("E", False, ("acknowledge",)),
        ("B-urgent", True, ("acknowledge", "override")),
        ("B-routine", False, ("acknowledge",)),
        ("H", True, ("acknowledge", "override")),
        ("W", True, ("acknowledge",)),
    ],
)
def test_allowed_actions(level, overridable, actions):
    assert allowed_actions(Finding("X", level, "reason", overridable)) == actions
