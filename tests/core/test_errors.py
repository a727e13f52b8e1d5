"""Tests of the exception hierarchy: messages and context attributes."""

from __future__ import annotations

import pytest

from callcore.errors import (
    CallcoreError,
    ConflictError,
    DocumentError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    PluginError,
    Problem,
    StorageError,
)


def test_document_error_lists_every_problem_sorted() -> None:
    """A document error lists each problem once, sorted by path."""
    error = DocumentError(
        [
            Problem("nodes.b", "unknown target 'x'"),
            Problem("", "empty"),
            Problem("nodes.a", "bad"),
            Problem("nodes.a", "bad"),
        ],
        "IVR flow 'main'",
    )
    assert [str(p) for p in error.problems] == [
        "empty",
        "nodes.a: bad",
        "nodes.b: unknown target 'x'",
    ]
    assert str(error).splitlines() == [
        "IVR flow 'main' has 3 problems:",
        "  - empty",
        "  - nodes.a: bad",
        "  - nodes.b: unknown target 'x'",
    ]
    assert isinstance(error, ValueError)


def test_document_error_needs_a_problem() -> None:
    """An empty problem list is a programming error, not a document error."""
    with pytest.raises(ValueError, match="at least one problem"):
        DocumentError([])


def test_invalid_transition_names_state_transition_reason() -> None:
    """The message says what was refused, in which state and why."""
    error = InvalidTransitionError("closed", "resolve", "the ticket is closed")
    assert str(error) == "cannot resolve in state 'closed': the ticket is closed"
    assert (error.state, error.transition, error.reason) == (
        "closed",
        "resolve",
        "the ticket is closed",
    )


def test_conflict_error_carries_versions() -> None:
    """A stale write reports the version read and the version stored."""
    error = ConflictError("customer", "c1", expected_version=3, actual_version=4)
    assert error.expected_version == 3
    assert error.actual_version == 4
    assert "read at version 3 but is now at version 4" in str(error)


def test_other_errors_carry_context() -> None:
    """Each error keeps its context as attributes, and derives from CallcoreError."""
    errors: list[CallcoreError] = [
        NotFoundError("customer", "c9"),
        StorageError("not a database", location="/tmp/x.db"),
        PermissionDeniedError("agent-7", "close ticket 12", "not the assignee"),
        PluginError("acme", "callcore_notify", "boom"),
    ]
    assert str(errors[0]) == "no customer 'c9'"
    assert isinstance(errors[0], LookupError)
    assert str(errors[1]) == "/tmp/x.db: not a database"
    assert isinstance(errors[2], PermissionError)
    assert "plugin 'acme' failed in hook 'callcore_notify'" in str(errors[3])
