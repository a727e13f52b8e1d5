"""One exception hierarchy for every mistake a caller of callcore can make.

Every error raised on purpose by callcore derives from :class:`CallcoreError`.
Where it helps, an error also derives from the builtin it is closest to
(``ValueError``, ``LookupError``, ``PermissionError``) so that generic
``except`` clauses keep working, and it carries its context as attributes, not
only in the message.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "CallcoreError",
    "ConfigError",
    "ConflictError",
    "DocumentError",
    "InvalidInputError",
    "InvalidTransitionError",
    "NaiveDatetimeError",
    "NotFoundError",
    "PermissionDeniedError",
    "PluginError",
    "Problem",
    "StorageError",
]


class CallcoreError(Exception):
    """The root of every error that callcore raises on purpose."""


@attrs.frozen(order=True)
class Problem:
    """One thing wrong in a document, and where it is.

    Attributes:
        path: Where the problem is, in dotted form with list indices in
            brackets (``hours.monday[1].start``); empty for the whole document.
        message: What is wrong, and if possible how to fix it.
    """

    path: str
    message: str

    def __str__(self) -> str:
        """Render as ``path: message`` (or the message alone at the root)."""
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidInputError(CallcoreError, ValueError):
    """An argument or field has a value that callcore cannot accept; nothing changed.

    Attributes:
        field: The argument or field at fault, when one is named.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        """Build the error; ``field`` names the argument or field at fault."""
        super().__init__(message)
        self.field = field


class NaiveDatetimeError(InvalidInputError):
    """A ``datetime`` without a time zone was given where an aware one is required."""

    def __init__(self, what: str) -> None:
        """Build the error for the argument or field named ``what``."""
        super().__init__(
            f"{what} must be a timezone-aware datetime; got a naive one "
            "(attach a tzinfo, e.g. datetime(..., tzinfo=timezone.utc))",
            field=what,
        )
        self.what = what


class ConfigError(CallcoreError, ValueError):
    """Configuration given to callcore is wrong."""


class DocumentError(ConfigError):
    """A document (flow, workflow, policy, saved state) has one or more problems.

    Every problem found is reported at once, each with the path to it.

    Attributes:
        problems: The problems, sorted by path.
        what: What kind of document was being read (``"IVR flow 'main'"``).
    """

    def __init__(self, problems: Iterable[Problem], what: str = "document") -> None:
        """Build the error from its problems; at least one is required."""
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        if not self.problems:
            msg = "DocumentError needs at least one problem"
            raise ValueError(msg)
        self.what = what
        count = len(self.problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{what} has {count} problem{'s' * (count != 1)}:\n{lines}")


class InvalidTransitionError(CallcoreError):
    """An input does not fit the current state of an engine; nothing was changed.

    Attributes:
        state: The state the object was in.
        transition: The input or transition that was refused.
        reason: Why it was refused.
    """

    def __init__(self, state: str, transition: str, reason: str) -> None:
        """Build the error from the state, the refused transition and the reason."""
        super().__init__(f"cannot {transition} in state {state!r}: {reason}")
        self.state = state
        self.transition = transition
        self.reason = reason


class NotFoundError(CallcoreError, LookupError):
    """A thing looked up by its key does not exist.

    Attributes:
        kind: What was looked for (``"customer"``).
        key: The key that was not found.
    """

    def __init__(self, kind: str, key: str) -> None:
        """Build the error for a missing ``kind`` with ``key``."""
        super().__init__(f"no {kind} {key!r}")
        self.kind = kind
        self.key = key


class StorageError(CallcoreError):
    """A store could not do what was asked; nothing was written.

    Attributes:
        location: The store's location (a file path) when it has one.
    """

    def __init__(self, message: str, location: str | None = None) -> None:
        """Build the error; ``location`` names the file or store concerned."""
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location


class ConflictError(CallcoreError):
    """A write was refused because it would overwrite a newer change or a unique key.

    Nothing was written; read the current state and try again.

    Attributes:
        kind: What was written (``"customer"``).
        key: Its id, or the unique value that clashed.
        expected_version: The version the writer had read, if any.
        actual_version: The version that is stored now, if any.
    """

    def __init__(
        self,
        kind: str,
        key: str,
        *,
        expected_version: int | None = None,
        actual_version: int | None = None,
        reason: str | None = None,
    ) -> None:
        """Build the error; give the versions for a stale write or a reason otherwise."""
        if reason is None:
            reason = (
                f"it was read at version {expected_version} but is now at version "
                f"{actual_version}; read it again and reapply the change"
            )
        super().__init__(f"conflict writing {kind} {key!r}: {reason}")
        self.kind = kind
        self.key = key
        self.expected_version = expected_version
        self.actual_version = actual_version


class PermissionDeniedError(CallcoreError, PermissionError):
    """The actor is not allowed to do what was asked.

    Attributes:
        actor: Who tried.
        action: What they tried.
    """

    def __init__(self, actor: str, action: str, reason: str) -> None:
        """Build the error for ``actor`` attempting ``action``."""
        super().__init__(f"{actor!r} may not {action}: {reason}")
        self.actor = actor
        self.action = action


class PluginError(CallcoreError):
    """A plugin failed while a hook was called.

    The plugin's own exception is chained as ``__cause__``.

    Attributes:
        plugin: The name under which the failing plugin is registered.
        hook: The hook that was being called.
    """

    def __init__(self, plugin: str, hook: str, detail: str) -> None:
        """Build the error naming the ``plugin`` that failed inside ``hook``."""
        super().__init__(f"plugin {plugin!r} failed in hook {hook!r}: {detail}")
        self.plugin = plugin
        self.hook = hook
