"""One owner per router on PostgreSQL: a lease, a command log, checkpoints, fail-over.

Several hosts (web workers, machines) share a group of queues. Exactly one of
them, the *owner*, runs the group's :class:`~callcore.acd.Router`; every host,
the owner included, sends the group's commands (enqueue, accept, abandon...)
through the database and gets the router's update back:

- **Lease.** A row of ``callcore_leases`` names the owner, an *epoch* (raised
  at each change of owner) and an expiry set from the database server's clock,
  so the hosts' clocks do not matter. The owner renews it every
  ``lease_seconds / 3``; a standby takes it once it has expired.
- **Command log.** A sender inserts its command into ``callcore_commands`` and
  sends ``NOTIFY callcore_commands``; the owner, woken by ``LISTEN``, applies the
  pending commands in their order of arrival and writes each one's position
  in the log and its result in the same transaction, which first checks
  (``FOR SHARE``) that its lease and epoch are still current: a host that lost
  its lease can never write a result. Then ``NOTIFY callcore_results`` wakes the
  senders, which read their result. The owner also logs its timer ticks, so the
  log holds every input in the order the router saw it, with the instant it
  used (a command's ``now``, or the router's own if that is later: the hosts'
  clocks may differ a little).
- **Checkpoint.** Every ``checkpoint_every`` commands the owner saves the
  router's snapshot and the log position it covers, in the same transaction.
- **Fail-over.** A new owner loads the checkpoint, replays the logged commands
  after it (the router is deterministic, so it rebuilds the very same state,
  offers included, without sending anything again), then applies the pending
  ones. A waiting contact keeps its place; a ringing offer keeps ringing until
  it is answered or expires; nothing is offered twice.
- **Copies and news.** Every host replays the log on its own copy of the
  router (:meth:`SharedRouter.refresh`, or a follower thread started by
  :meth:`SharedRouter.follow`), which answers its reads at once; the updates
  of the commands other hosts sent, and of the owner's timers, are its *news*
  (:meth:`SharedRouter.take_news`). A :class:`~callcore.center.ContactCenter`
  given a ``SharedRouter`` as its ``router`` takes them in itself.

This follows PostgreSQL's own building blocks (leases in a table rather than
session advisory locks, which a connection pooler or a network blip would
release silently; ``LISTEN/NOTIFY`` for wake-ups, the table for the truth).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from callcore import acd
from callcore.acd import (
    AgentProfile,
    DeclineReason,
    NotReadyReason,
    Router,
    RouterSnapshot,
    RouterUpdate,
)
from callcore.checks import check_enum, check_instance, check_instant, check_number, check_text
from callcore.clock import Clock, SystemClock
from callcore.contacts import check_skills
from callcore.errors import CallcoreError, InvalidInputError, StorageError
from callcore.events import Event
from callcore.serialization import dumps, from_dict, parse_json, to_dict
from callcore.storage.postgres import _check_url, _location, translate

try:
    import psycopg
except ImportError as missing:  # pragma: no cover - the extra is installed in the tests
    from callcore.errors import ConfigError

    raise ConfigError(
        "shared routers need psycopg 3: pip install 'callcore[postgres]'"
    ) from missing

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from callcore.acd import (
        AgentView,
        ContactView,
        QueueBoard,
        QueueConfig,
        Strategy,
        Wallboard,
    )
    from callcore.contacts import QueueRequest, Skills

__all__ = ["CHECKPOINT_PREFIX", "ForwardedCommandError", "SharedRouter"]

_log = logging.getLogger(__name__)

CHECKPOINT_PREFIX = "router:"
"""The checkpoint of router ``name`` is kept under ``router:<name>``."""

_COMMANDS_CHANNEL = "callcore_commands"
_RESULTS_CHANNEL = "callcore_results"
_BATCH = 200
_FOLLOW_POLL = 1.0  # seconds: a follower reads the log this often even if a notice was missed
_EVENT_CLASSES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (getattr(acd, name) for name in acd.__all__)
    if isinstance(cls, type) and issubclass(cls, Event) and cls is not Event
}


class ForwardedCommandError(CallcoreError):
    """The owner refused a forwarded command; the router did not change.

    Attributes:
        error_type: The class name of the owner's error (``"NotFoundError"``).
        field: The field at fault, when the owner's error named one.
    """

    def __init__(self, error_type: str, message: str, field: str | None = None) -> None:
        """Build the error from the owner's report."""
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.field = field


def _update_to_data(update: RouterUpdate) -> dict[str, Any]:
    return {
        "offers": [to_dict(offer) for offer in update.offers],
        "ended_offers": [to_dict(offer) for offer in update.ended_offers],
        "events": [{"kind": event.kind, **to_dict(event)} for event in update.events],
    }


def _update_from_data(data: Mapping[str, Any]) -> RouterUpdate:
    events = []
    for item in data["events"]:
        fields = dict(item)
        events.append(from_dict(_EVENT_CLASSES[fields.pop("kind")], fields))
    return RouterUpdate(
        offers=tuple(from_dict(acd.Offer, offer) for offer in data["offers"]),
        ended_offers=tuple(from_dict(acd.Offer, offer) for offer in data["ended_offers"]),
        events=tuple(events),
    )


def _apply(router: Router, command: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Run one logged command on the router; return its result document."""
    op, args = command["op"], command["args"]
    try:
        if op == "snapshot":
            return {"snapshot": to_dict(router.snapshot())}
        update = _run(router, op, args, now)
        if update is None:
            return {"error": {"type": "InvalidInputError", "message": f"unknown command {op!r}"}}
    except CallcoreError as exc:  # refused: the router did not change
        field = getattr(exc, "field", None)
        return {"error": {"type": type(exc).__name__, "message": str(exc), "field": field}}
    return {"update": _update_to_data(update)}


def _run(  # noqa: C901, PLR0911 - one branch per command, as the router has them
    router: Router, op: str, args: Mapping[str, Any], now: datetime
) -> RouterUpdate | None:
    """Call the router's method named by ``op``; ``None`` for an unknown command."""
    if op == "enqueue":
        return router.enqueue(
            args["contact_id"],
            args["queue"],
            now=now,
            priority=args["priority"],
            skills=args.get("skills"),
            language=args.get("language", ""),
        )
    if op == "log_in":
        profile = from_dict(AgentProfile, args["profile"])
        return router.log_in(profile, now=now, ready=args["ready"])
    if op == "tick":
        return router.tick(now=now)
    if op in {"abandon", "end", "request_callback"}:
        return getattr(router, op)(args["contact_id"], now=now)  # type: ignore[no-any-return]
    if op in {"accept", "time_out"}:
        return getattr(router, op)(  # type: ignore[no-any-return]
            args["contact_id"], args["agent_id"], now=now, offer_id=args.get("offer_id")
        )
    if op == "decline":
        return router.decline(
            args["contact_id"],
            args["agent_id"],
            now=now,
            reason=DeclineReason(args["reason"]),
            offer_id=args["offer_id"],
        )
    if op in {"log_out", "set_ready", "remove_agent"}:
        return getattr(router, op)(args["agent_id"], now=now)  # type: ignore[no-any-return]
    if op == "set_not_ready":
        return router.set_not_ready(args["agent_id"], NotReadyReason(args["reason"]), now=now)
    if op == "set_priority":
        return router.set_priority(args["contact_id"], args["priority"], now=now)
    if op == "transfer":
        return router.transfer(
            args["contact_id"],
            now=now,
            to_queue=args["to_queue"],
            to_agent=args["to_agent"],
            agent_wait=timedelta(microseconds=args["agent_wait_us"]),
            priority=args["priority"],
        )
    return None


@attrs.define
class _Replay:
    """A router rebuilt from the log: the owner's own, and each host's copy for reads.

    ``hosts`` names the host each agent logged in through (its last log-in),
    which is the host that rings the agent's offers.
    """

    router: Router
    position: int
    hosts: dict[str, str]
    changed_at: int = 0  # the position of the latest command that was not refused (nor a read)

    def apply(self, command: Mapping[str, Any], sender: str, now: datetime) -> dict[str, Any]:
        """Apply a new command (the owner): its result document."""
        result = _apply(self.router, command, now)
        self._applied(command, sender, result)
        return result

    def replay(
        self, command: Mapping[str, Any], sender: str, result: Mapping[str, Any]
    ) -> RouterUpdate | None:
        """Apply a command the owner logged, as it did; ``None`` if it was refused."""
        if "update" not in result:  # refused (nothing changed) or a read
            self.position += 1
            return None
        update = _run(self.router, command["op"], command["args"], _instant(result["now"]))
        self._applied(command, sender, result)
        return update

    def _applied(self, command: Mapping[str, Any], sender: str, result: Mapping[str, Any]) -> None:
        self.position += 1
        if "update" in result:
            self.changed_at = self.position
            if command["op"] == "log_in":
                self.hosts[command["args"]["profile"]["agent_id"]] = sender


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _load(
    connection: psycopg.Connection[Any],
    name: str,
    factory: Callable[[], Router],
    strategies: Mapping[str, Strategy] | None,
) -> _Replay:
    """The router as the owner last committed it: the checkpoint, then the logged commands."""
    found = connection.execute(
        "SELECT document FROM callcore_checkpoints WHERE name = %s", (CHECKPOINT_PREFIX + name,)
    ).fetchone()
    if found is None:
        state = _Replay(factory(), 0, {}, 0)
    else:
        checkpoint = parse_json(found[0])
        snapshot = from_dict(RouterSnapshot, checkpoint["snapshot"])
        router = Router.restore(snapshot, strategies=strategies)
        position = int(checkpoint["position"])
        state = _Replay(router, position, dict(checkpoint.get("hosts", {})), position)
    logged = connection.execute(
        "SELECT sender, command, result FROM callcore_commands WHERE router = %s "
        "AND position > %s ORDER BY position",
        (name, state.position),
    )
    for sender, command, result in logged:
        state.replay(parse_json(command), sender, parse_json(result))
    return state


def _anything(update: RouterUpdate) -> bool:
    return bool(update.events or update.offers or update.ended_offers)


def _not_before(now: datetime, floor: datetime | None) -> datetime:
    check_instant(now, "now")
    return now if floor is None or now >= floor else floor


class _LostLeaseError(Exception):
    """The lease expired or passed to another host: stop acting as the owner."""


@attrs.define
class _Ownership:
    epoch: int
    state: _Replay
    checkpointed: int
    renewed: float


class SharedRouter:
    """A router shared by several hosts through PostgreSQL, with one owner at a time.

    Every host makes one for each group of queues and calls :meth:`start`;
    then any host sends commands with :meth:`enqueue`, :meth:`accept`... and
    gets the owner's :class:`~callcore.acd.RouterUpdate` back. A host that
    should never own the router just does not call :meth:`start`.

    Reads (:meth:`agent`, :meth:`contact`, :meth:`wallboard`...) answer from
    this host's copy of the router, replayed from the log; it has every
    :class:`~callcore.center.ContactCenter` read and command, so a centre
    runs on it (``ContactCenter(router=shared, ...)``, see :doc:`/deployment`),
    taking in the other hosts' updates (:meth:`take_news`) that
    :meth:`follow` reads as they are logged.

    Args:
        url: The PostgreSQL database (its schema migrated).
        name: The router's name, shared by the hosts of one group of queues.
        factory: Builds the router when there is no checkpoint yet (every host
            must build the same queues).
        host_id: This host's name, unique among the hosts.
        lease_seconds: How long a lease lasts without renewal (0.3 to 3,600):
            a dead owner is replaced within about ``lease_seconds`` plus
            ``lease_seconds / 3``.
        checkpoint_every: Commands between two checkpoints (1 to 100,000).
        keep_log: Applied commands kept in the log before the checkpoint, for
            audits and late readers (0 to 10,000,000); older ones are deleted
            at each checkpoint.
        strategies: The routing strategies, as given to the router.
        on_update: Called on the owner with the update of each timer tick,
            after it is committed (the ringing to stop, the offers to make).
        timeout: Seconds a sender waits for its result (0.1 to 86,400).
        clock: The owner's time for its timers (default: the system's).

    Raises:
        ConfigError: ``url`` is not a PostgreSQL URL.
        InvalidInputError: An argument is out of range.
    """

    def __init__(
        self,
        url: str,
        name: str,
        *,
        factory: Callable[[], Router],
        host_id: str,
        lease_seconds: float = 10.0,
        checkpoint_every: int = 100,
        keep_log: int = 10_000,
        strategies: Mapping[str, Strategy] | None = None,
        on_update: Callable[[RouterUpdate], object] | None = None,
        timeout: float = 30.0,
        clock: Clock | None = None,
    ) -> None:
        """Configure the host's part; nothing is contacted until a call."""
        self.url = _check_url(url)
        self.location = _location(self.url)
        self.name = check_text(name, "name")
        self.host_id = check_text(host_id, "host_id")
        self.lease_seconds = check_number(lease_seconds, "lease_seconds", low=0.3, high=3600)
        self.checkpoint_every = int(
            check_number(checkpoint_every, "checkpoint_every", low=1, high=100_000)
        )
        self.keep_log = int(check_number(keep_log, "keep_log", low=0, high=10_000_000))
        self.timeout = check_number(timeout, "timeout", low=0.1, high=86_400)
        self._factory = factory
        self._strategies = strategies
        self._on_update = on_update
        self._send_lock = threading.Lock()
        self._sender: psycopg.Connection[Any] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._owned: _Ownership | None = None
        self._next_attempt = 0.0  # when a standby next tries to take the lease
        self._clock: Clock = clock if clock is not None else SystemClock()
        # this host's copy of the router, read from the log (see _catch_up)
        self._replica_lock = threading.RLock()
        self._copy: _Replay | None = None
        self._reader: psycopg.Connection[Any] | None = None
        self._mine: set[int] = set()  # commands this object sent and awaits
        self._news: list[tuple[int, RouterUpdate]] = []  # (log position, update)
        self._news_added = 0  # news ever added: the follower calls on_news when it grows
        self._follower: threading.Thread | None = None
        self._on_news: Callable[[], object] | None = None
        self.last_sent_position = 0
        """The log position of the latest command this object sent and got the result of."""

    def __repr__(self) -> str:
        """Show the router and the host."""
        return f"SharedRouter({self.name!r}, host={self.host_id!r}, owner={self.is_owner})"

    @property
    def is_owner(self) -> bool:
        """Whether this host holds the router's lease now."""
        return self._owned is not None

    # --- sending ---------------------------------------------------------------------

    def _send(self, op: str, args: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        """Log a command, wake the owner, wait for the result it logs."""
        check_instant(now, "now")
        command = dumps({"op": op, "now": now.isoformat(), "args": dict(args)})
        with self._send_lock:
            try:
                return self._send_and_wait(command)
            except psycopg.Error as exc:
                if self._sender is not None:
                    self._sender.close()
                    self._sender = None
                raise translate(exc, self.location) from exc

    def _send_and_wait(self, command: str) -> dict[str, Any]:
        if self._sender is None:
            self._sender = psycopg.connect(self.url, autocommit=True)
            self._sender.execute(f"LISTEN {_RESULTS_CHANNEL}")
        connection = self._sender
        with connection.transaction():
            row = connection.execute(
                "INSERT INTO callcore_commands (router, sender, command) VALUES (%s, %s, %s) "
                "RETURNING seq",
                (self.name, self.host_id, command),
            ).fetchone()
            assert row is not None  # noqa: S101 - INSERT ... RETURNING gives a row
            seq = int(row[0])
            self._mine.add(seq)  # before the owner sees it: the follower must not take it for news
            connection.execute("SELECT pg_notify(%s, %s)", (_COMMANDS_CHANNEL, self.name))
        deadline = time.monotonic() + self.timeout
        while True:
            found = connection.execute(
                "SELECT result, position FROM callcore_commands WHERE seq = %s", (seq,)
            ).fetchone()
            if found is not None and found[0] is not None:
                result: dict[str, Any] = parse_json(found[0])
                self._catch_up()  # the host's copy now includes this command
                self._mine.discard(seq)
                self.last_sent_position = int(found[1])
                return result
            left = deadline - time.monotonic()
            if left <= 0:
                self._mine.discard(seq)  # when an owner applies it, hosts learn it as news
                raise StorageError(
                    f"no owner of router {self.name!r} answered command {seq} within "
                    f"{self.timeout} s; it stays in the log and the next owner applies it: "
                    "check that a host runs SharedRouter.start()",
                    self.location,
                )
            # woken by the owner's notice; wake up now and then in case one was missed
            for _ in connection.notifies(timeout=min(left, 1.0), stop_after=1):
                pass

    def _update(self, op: str, args: Mapping[str, Any], now: datetime) -> RouterUpdate:
        result = self._send(op, args, now)
        if "error" in result:
            error = result["error"]
            raise ForwardedCommandError(error["type"], error["message"], error.get("field"))
        return _update_from_data(result["update"])

    def enqueue(
        self,
        contact_id: str,
        queue: str | QueueRequest,
        *,
        now: datetime,
        priority: int = 0,
        skills: Skills | None = None,
        language: str = "",
    ) -> RouterUpdate:
        """Forward :meth:`Router.enqueue <callcore.acd.Router.enqueue>` to the owner.

        A request (such as the IVR's ``EnqueueContact``) is sent as its queue,
        priority, skills and language.
        """
        if not isinstance(queue, str):
            priority, skills = getattr(queue, "priority", priority), getattr(queue, "skills", None)
            language, queue = getattr(queue, "language", ""), getattr(queue, "queue", queue)
        if skills is not None:
            skills = dict(check_skills(skills, "skills"))
        args = {
            "contact_id": contact_id,
            "queue": queue,
            "priority": priority,
            "skills": skills,
            "language": language,
        }
        return self._update("enqueue", args, now)

    def abandon(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """Forward :meth:`Router.abandon <callcore.acd.Router.abandon>` to the owner."""
        return self._update("abandon", {"contact_id": contact_id}, now)

    def request_callback(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """Forward :meth:`Router.request_callback <callcore.acd.Router.request_callback>`."""
        return self._update("request_callback", {"contact_id": contact_id}, now)

    def set_priority(self, contact_id: str, priority: int, *, now: datetime) -> RouterUpdate:
        """Forward :meth:`Router.set_priority <callcore.acd.Router.set_priority>` to the owner."""
        return self._update("set_priority", {"contact_id": contact_id, "priority": priority}, now)

    def accept(
        self, contact_id: str, agent_id: str, *, now: datetime, offer_id: str | None = None
    ) -> RouterUpdate:
        """Forward :meth:`Router.accept <callcore.acd.Router.accept>` to the owner."""
        args = {"contact_id": contact_id, "agent_id": agent_id, "offer_id": offer_id}
        return self._update("accept", args, now)

    def decline(
        self,
        contact_id: str,
        agent_id: str,
        *,
        now: datetime,
        reason: DeclineReason = DeclineReason.REJECTED,
        offer_id: str | None = None,
    ) -> RouterUpdate:
        """Forward :meth:`Router.decline <callcore.acd.Router.decline>` to the owner."""
        reason = check_enum(reason, DeclineReason, "reason")
        args = {
            "contact_id": contact_id,
            "agent_id": agent_id,
            "reason": reason.value,
            "offer_id": offer_id,
        }
        return self._update("decline", args, now)

    def time_out(
        self, contact_id: str, agent_id: str, *, now: datetime, offer_id: str | None = None
    ) -> RouterUpdate:
        """Forward :meth:`Router.time_out <callcore.acd.Router.time_out>` to the owner."""
        args = {"contact_id": contact_id, "agent_id": agent_id, "offer_id": offer_id}
        return self._update("time_out", args, now)

    def end(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """Forward :meth:`Router.end <callcore.acd.Router.end>` to the owner."""
        return self._update("end", {"contact_id": contact_id}, now)

    def transfer(
        self,
        contact_id: str,
        *,
        now: datetime,
        to_queue: str | None = None,
        to_agent: str | None = None,
        agent_wait: timedelta = timedelta(0),
        priority: int | None = None,
    ) -> RouterUpdate:
        """Forward :meth:`Router.transfer <callcore.acd.Router.transfer>` to the owner."""
        if not isinstance(agent_wait, timedelta):
            raise InvalidInputError(
                f"agent_wait must be a timedelta, got {type(agent_wait).__name__}",
                field="agent_wait",
            )
        args = {
            "contact_id": contact_id,
            "to_queue": to_queue,
            "to_agent": to_agent,
            "agent_wait_us": agent_wait // timedelta(microseconds=1),
            "priority": priority,
        }
        return self._update("transfer", args, now)

    def log_in(self, profile: AgentProfile, *, now: datetime, ready: bool = True) -> RouterUpdate:
        """Forward :meth:`Router.log_in <callcore.acd.Router.log_in>` to the owner.

        The agent's offers then ring through this host (:meth:`serves`).
        """
        check_instance(profile, AgentProfile, "profile")
        return self._update("log_in", {"profile": to_dict(profile), "ready": ready}, now)

    def log_out(self, agent_id: str, *, now: datetime) -> RouterUpdate:
        """Forward :meth:`Router.log_out <callcore.acd.Router.log_out>` to the owner."""
        return self._update("log_out", {"agent_id": agent_id}, now)

    def remove_agent(self, agent_id: str, *, now: datetime) -> RouterUpdate:
        """Forward :meth:`Router.remove_agent <callcore.acd.Router.remove_agent>` to the owner."""
        return self._update("remove_agent", {"agent_id": agent_id}, now)

    def set_ready(self, agent_id: str, *, now: datetime) -> RouterUpdate:
        """Forward :meth:`Router.set_ready <callcore.acd.Router.set_ready>` to the owner."""
        return self._update("set_ready", {"agent_id": agent_id}, now)

    def set_not_ready(
        self, agent_id: str, reason: NotReadyReason, *, now: datetime
    ) -> RouterUpdate:
        """Forward :meth:`Router.set_not_ready <callcore.acd.Router.set_not_ready>`."""
        reason = check_enum(reason, NotReadyReason, "reason")
        return self._update("set_not_ready", {"agent_id": agent_id, "reason": reason.value}, now)

    def tick(self, *, now: datetime) -> RouterUpdate:
        """Run the router's timers due by ``now``: forwarded only when one is due.

        The owner runs the timers by its own clock too; their updates reach
        every host as news (:meth:`take_news`). A host's tick only hastens them.
        """
        check_instant(now, "now")
        deadline = self.next_deadline()
        if deadline is None or deadline > now:
            return RouterUpdate()
        return self._update("tick", {}, now)

    def snapshot(self, *, now: datetime | None = None) -> RouterSnapshot:
        """The router's state: this host's copy, or with ``now`` the owner's.

        Without ``now``, the copy as of the latest update this host has read
        (:meth:`refresh` reads the log first). With ``now``, the owner's
        router after every command logged before this request.
        """
        if now is None:
            with self._replica_lock:
                return self._replica().router.snapshot()
        result = self._send("snapshot", {}, now)
        return from_dict(RouterSnapshot, result["snapshot"])

    # --- this host's copy: reads and news ------------------------------------------

    def _replica(self) -> _Replay:
        """The host's copy of the router (loaded on first use); hold ``_replica_lock``."""
        if self._copy is None:
            self._catch_up()
        assert self._copy is not None  # noqa: S101 - loaded by _catch_up
        return self._copy

    def _reader_connection(self) -> psycopg.Connection[Any]:
        if self._reader is None:
            self._reader = psycopg.connect(self.url, autocommit=True)
        return self._reader

    def _reload(self, connection: psycopg.Connection[Any]) -> _Replay:
        with connection.transaction():  # the checkpoint and the log after it, as one snapshot
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return _load(connection, self.name, self._factory, self._strategies)

    def refresh(self) -> None:
        """Read the commands the owner logged since this host last looked: news and the copy.

        Raises:
            StorageError: The database failed.
        """
        self._catch_up()

    def _catch_up(self) -> None:
        """Replay the owner's new log entries on this host's copy; keep other hosts' as news."""
        with self._replica_lock:
            try:
                self._catch_up_locked(self._reader_connection())
            except psycopg.Error as exc:
                if self._reader is not None:
                    self._reader.close()
                    self._reader = None
                raise translate(exc, self.location) from exc

    def _catch_up_locked(self, connection: psycopg.Connection[Any]) -> None:
        if self._copy is None:
            self._copy = self._reload(connection)
        copy = self._copy
        while True:
            rows = connection.execute(
                "SELECT seq, sender, command, result, position FROM callcore_commands "
                "WHERE router = %s AND position > %s ORDER BY position LIMIT %s",
                (self.name, copy.position, _BATCH),
            ).fetchall()
            if rows and rows[0][4] != copy.position + 1:  # pruned before this host read them
                _log.warning(
                    "router %s: host %s fell behind the log; reloading (news %d..%d lost)",
                    self.name,
                    self.host_id,
                    copy.position + 1,
                    rows[0][4] - 1,
                )
                copy = self._copy = self._reload(connection)
                continue
            for seq, sender, command, result, _ in rows:
                update = copy.replay(parse_json(command), sender, parse_json(result))
                if update is not None and seq not in self._mine and _anything(update):
                    self._news.append((copy.position, update))
                    self._news_added += 1
            if len(rows) < _BATCH:
                return

    def take_news(self, through: int | None = None) -> tuple[RouterUpdate, ...]:
        """The updates of commands this host did not send (and of the owner's timers), in order.

        Each is taken once. A centre on this router takes them itself
        (:meth:`ContactCenter.run_due <callcore.center.ContactCenter.run_due>`).

        Args:
            through: Only those logged at or before this position (such as
                those before :attr:`last_sent_position`, to take them in
                before this host's own command); default: all.
        """
        with self._replica_lock:
            cut = len(self._news)
            if through is not None:
                cut = next((i for i, (at, _) in enumerate(self._news) if at > through), cut)
            news, self._news = self._news[:cut], self._news[cut:]
        return tuple(update for _, update in news)

    def delivered_through(self) -> int:
        """The log position through which every update has reached this host.

        As a command's result or as news taken: a centre's checkpoint keeps
        it, and after a restart :meth:`resend_news` hands out what came after.
        Refused commands and reads do not move it (they change nothing).
        """
        with self._replica_lock:
            copy = self._replica()
            return self._news[0][0] - 1 if self._news else copy.changed_at

    def resend_news(self, after: int) -> None:
        """Hand out again, as news, every update logged after position ``after``.

        A restarted host's centre catches up with what the owner did while it
        was down. Updates already pruned from the log (more than ``keep_log``
        before the latest checkpoint) are gone: a warning says how many.

        Raises:
            StorageError: The database failed.
        """
        check_number(after, "after", low=0, high=2**62)
        with self._replica_lock:
            through = self._replica().position
            try:
                rows = (
                    self._reader_connection()
                    .execute(
                        "SELECT position, result FROM callcore_commands WHERE router = %s "
                        "AND position > %s AND position <= %s ORDER BY position",
                        (self.name, after, through),
                    )
                    .fetchall()
                )
            except psycopg.Error as exc:
                raise translate(exc, self.location) from exc
            first = rows[0][0] if rows else through + 1
            if first != after + 1:
                _log.warning(
                    "router %s: updates %d..%d were pruned before host %s read them",
                    self.name,
                    after + 1,
                    first - 1,
                    self.host_id,
                )
            resent = [
                (position, _update_from_data(result["update"]))
                for position, text in rows
                if "update" in (result := parse_json(text))
            ]
            later = [item for item in self._news if item[0] > through]  # none, but for clarity
            self._news = [item for item in resent if _anything(item[1])] + later
            self._news_added += len(self._news)

    def follow(self, on_news: Callable[[], object] | None = None) -> None:
        """Read the owner's updates as they are logged, in a background thread.

        Args:
            on_news: Called (in that thread, holding no lock) after new
                updates arrived, such as a centre's ``run_due``, or something
                that wakes the host's loop.
        """
        if self._follower is None:
            self._on_news = on_news
            self._follower = threading.Thread(
                target=self._follow, name=f"callcore router {self.name} follower", daemon=True
            )
            self._follower.start()

    def _follow(self) -> None:
        while not self._stop.is_set():
            self._follow_connected()

    def _follow_connected(self) -> None:
        """One connection's life: read the log at each notice until stopped or broken."""
        try:
            with psycopg.connect(self.url, autocommit=True) as connection:
                connection.execute(f"LISTEN {_RESULTS_CHANNEL}")
                signalled = -1  # at once: news may be waiting (a restarted host's)
                while not self._stop.is_set():
                    self._catch_up()
                    added = self._news_added  # by this thread or by a sender's catch-up
                    if self._on_news is not None and added != signalled:
                        signalled = added  # even if the host took them meanwhile
                        self._on_news()
                    for _ in connection.notifies(timeout=_FOLLOW_POLL, stop_after=1):
                        pass
        except Exception:  # noqa: BLE001 - the database or the host's callback: log, go on
            _log.exception("router %s: following the log failed; retrying", self.name)
            self._stop.wait(_FOLLOW_POLL)

    def serves(self, agent_id: str) -> bool:
        """Whether the agent logged in through this host (which then rings its offers)."""
        with self._replica_lock:
            return self._replica().hosts.get(agent_id) == self.host_id

    @property
    def queues(self) -> tuple[QueueConfig, ...]:
        """The queue configuration (this host's copy)."""
        with self._replica_lock:
            return self._replica().router.queues

    @property
    def now(self) -> datetime | None:
        """The latest time the router has seen (this host's copy)."""
        with self._replica_lock:
            return self._replica().router.now

    def agent(self, agent_id: str) -> AgentView:
        """Describe an agent (this host's copy).

        Raises:
            NotFoundError: No such agent.
        """
        with self._replica_lock:
            return self._replica().router.agent(agent_id)

    def agent_ids(self) -> tuple[str, ...]:
        """Every agent the router has seen (this host's copy)."""
        with self._replica_lock:
            return self._replica().router.agent_ids()

    def contact(self, contact_id: str) -> ContactView:
        """Describe a contact the router holds (this host's copy).

        Raises:
            NotFoundError: No such contact.
        """
        with self._replica_lock:
            return self._replica().router.contact(contact_id)

    def contact_ids(self) -> tuple[str, ...]:
        """Every contact the router holds (this host's copy)."""
        with self._replica_lock:
            return self._replica().router.contact_ids()

    def line(self, queue: str) -> tuple[str, ...]:
        """A queue's contacts not yet connected, in order (this host's copy)."""
        with self._replica_lock:
            return self._replica().router.line(queue)

    def next_deadline(self) -> datetime | None:
        """When the router's next timer falls due (this host's copy)."""
        with self._replica_lock:
            return self._replica().router.next_deadline()

    def wallboard(self, *, now: datetime) -> Wallboard:
        """Real-time statistics (this host's copy), at ``now`` or the router's later time."""
        with self._replica_lock:
            router = self._replica().router
            return router.wallboard(now=_not_before(now, router.now))

    def queue_board(self, queue: str, *, now: datetime) -> QueueBoard:
        """One queue's real-time statistics (this host's copy), as :meth:`wallboard`."""
        with self._replica_lock:
            router = self._replica().router
            return router.queue_board(queue, now=_not_before(now, router.now))

    # --- owning ----------------------------------------------------------------------

    def start(self) -> None:
        """Take part in ownership: a background thread takes the lease when it is free."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"callcore router {self.name}", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop owning and following; an owner gives its lease up so a standby takes over now."""
        self._stop.set()
        self._wake()
        for thread in (self._thread, self._follower):
            if thread is not None:
                thread.join()
        self._thread = self._follower = None
        with self._send_lock:
            if self._sender is not None:
                self._sender.close()
                self._sender = None
        with self._replica_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def _wake(self) -> None:
        """Wake this host's threads from their wait for a notice (other hosts just look)."""
        if self._thread is None and self._follower is None:
            return
        try:
            with psycopg.connect(self.url, autocommit=True) as connection:
                for channel in (_COMMANDS_CHANNEL, _RESULTS_CHANNEL):
                    connection.execute("SELECT pg_notify(%s, %s)", (channel, self.name))
        except psycopg.Error:  # the threads wake up by themselves soon enough
            _log.debug("router %s: could not wake the threads", self.name, exc_info=True)

    def _run(self) -> None:
        renew_every = self.lease_seconds / 3
        while not self._stop.is_set():
            self._serve(renew_every)

    def _serve(self, renew_every: float) -> None:
        """One connection's life: rounds until stopped or the connection breaks."""
        try:
            with psycopg.connect(self.url, autocommit=True) as connection:
                connection.execute(f"LISTEN {_COMMANDS_CHANNEL}")
                while not self._stop.is_set():
                    self._round(connection)
                    for _ in connection.notifies(timeout=self._wait(renew_every), stop_after=1):
                        pass
                self._release(connection)
        except psycopg.Error:
            _log.exception("router %s: database error; reconnecting", self.name)
            self._owned = None  # fenced: a new owner may take the lease meanwhile
            self._stop.wait(renew_every)

    def _wait(self, renew_every: float) -> float:
        owned = self._owned
        if owned is None:
            return min(renew_every, max(self._next_attempt - time.monotonic(), 0.0))
        wait = owned.renewed + renew_every - time.monotonic()
        deadline = owned.state.router.next_deadline()
        if deadline is not None:
            wait = min(wait, (deadline - self._clock.now()).total_seconds())
        return max(wait, 0.0)

    def _round(self, connection: psycopg.Connection[Any]) -> None:
        """Take or renew the lease, then apply the pending commands and the due tick."""
        try:
            if self._owned is None:
                if time.monotonic() >= self._next_attempt:  # not at every wake-up by a command
                    self._next_attempt = time.monotonic() + self.lease_seconds / 3
                    self._take_over(connection)
            elif time.monotonic() - self._owned.renewed >= self.lease_seconds / 3:
                self._renew(connection)
            if self._owned is not None:
                self._apply_pending(connection)
        except _LostLeaseError:
            _log.warning("router %s: host %s lost its lease", self.name, self.host_id)
            self._owned = None

    def _take_over(self, connection: psycopg.Connection[Any]) -> None:
        with connection.transaction():
            row = connection.execute(
                "INSERT INTO callcore_leases (name, owner, epoch, acquired_at, expires_at) "
                "VALUES (%s, %s, 1, now(), now() + make_interval(secs => %s)) "
                "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
                "epoch = callcore_leases.epoch + 1, acquired_at = now(), "
                "expires_at = excluded.expires_at WHERE callcore_leases.expires_at < now() "
                "RETURNING epoch",
                (self.name, self.host_id, self.lease_seconds),
            ).fetchone()
            if row is None:
                return  # another host owns it
            epoch = int(row[0])
            state = _load(connection, self.name, self._factory, self._strategies)
        _log.info("router %s: host %s owns it (epoch %d)", self.name, self.host_id, epoch)
        self._owned = _Ownership(epoch, state, state.position, time.monotonic())

    def _renew(self, connection: psycopg.Connection[Any]) -> None:
        owned = self._owned
        assert owned is not None  # noqa: S101 - called only when owning
        renewed = connection.execute(
            "UPDATE callcore_leases SET expires_at = now() + make_interval(secs => %s) "
            "WHERE name = %s AND owner = %s AND epoch = %s AND expires_at > now()",
            (self.lease_seconds, self.name, self.host_id, owned.epoch),
        )
        if renewed.rowcount != 1:
            raise _LostLeaseError
        owned.renewed = time.monotonic()

    def _release(self, connection: psycopg.Connection[Any]) -> None:
        owned, self._owned = self._owned, None
        if owned is not None:
            connection.execute(
                "UPDATE callcore_leases SET expires_at = now() - interval '1 second' "
                "WHERE name = %s AND owner = %s AND epoch = %s",
                (self.name, self.host_id, owned.epoch),
            )

    def _apply_pending(self, connection: psycopg.Connection[Any]) -> None:
        """Apply the pending commands (and a due tick) in one fenced transaction."""
        owned = self._owned
        assert owned is not None  # noqa: S101 - called only when owning
        ticks: list[RouterUpdate] = []
        try:
            with connection.transaction():
                self._fence(connection, owned)
                pending = connection.execute(
                    "SELECT seq, sender, command FROM callcore_commands "
                    "WHERE router = %s AND result IS NULL ORDER BY seq LIMIT %s",
                    (self.name, _BATCH),
                ).fetchall()
                for seq, sender, text in pending:
                    self._log_applied(connection, owned, seq, sender, parse_json(text))
                tick = self._due_tick(connection, owned)
                if tick is not None:
                    ticks.append(tick)
                if owned.state.position - owned.checkpointed >= self.checkpoint_every:
                    self._checkpoint(connection, owned)
                if pending or tick is not None:  # followers read every logged update
                    connection.execute("SELECT pg_notify(%s, %s)", (_RESULTS_CHANNEL, self.name))
        except BaseException:
            self._owned = None  # the router ran ahead of the log: rebuild it on takeover
            raise
        if self._on_update is not None:
            for update in ticks:
                self._on_update(update)

    def _fence(self, connection: psycopg.Connection[Any], owned: _Ownership) -> None:
        """Hold the lease row until commit; refuse if the lease is no longer ours."""
        fence = connection.execute(
            "SELECT 1 FROM callcore_leases WHERE name = %s AND owner = %s "
            "AND epoch = %s AND expires_at > now() FOR SHARE",
            (self.name, self.host_id, owned.epoch),
        ).fetchone()
        if fence is None:
            raise _LostLeaseError

    def _log_applied(
        self,
        connection: psycopg.Connection[Any],
        owned: _Ownership,
        seq: int,
        sender: str,
        command: Mapping[str, Any],
    ) -> dict[str, Any]:
        router = owned.state.router
        now = _instant(command["now"])
        if router.now is not None and now < router.now:
            now = router.now  # another host's clock runs a little behind
        result = {"now": now.isoformat(), **owned.state.apply(command, sender, now)}
        connection.execute(
            "UPDATE callcore_commands SET position = %s, result = %s WHERE seq = %s",
            (owned.state.position, dumps(result), seq),
        )
        return result

    def _due_tick(
        self, connection: psycopg.Connection[Any], owned: _Ownership
    ) -> RouterUpdate | None:
        deadline = owned.state.router.next_deadline()
        now = self._clock.now()
        if deadline is None or deadline > now:
            return None
        command = {"op": "tick", "now": now.isoformat(), "args": {}}
        row = connection.execute(
            "INSERT INTO callcore_commands (router, sender, command) VALUES (%s, %s, %s) "
            "RETURNING seq",
            (self.name, self.host_id, dumps(command)),
        ).fetchone()
        assert row is not None  # noqa: S101 - INSERT ... RETURNING gives a row
        result = self._log_applied(connection, owned, int(row[0]), self.host_id, command)
        return _update_from_data(result["update"]) if "update" in result else None

    def _checkpoint(self, connection: psycopg.Connection[Any], owned: _Ownership) -> None:
        state = owned.state
        document = dumps(
            {"position": state.position, "snapshot": state.router.snapshot(), "hosts": state.hosts}
        )
        connection.execute(
            "INSERT INTO callcore_checkpoints (name, document) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET document = excluded.document",
            (CHECKPOINT_PREFIX + self.name, document),
        )
        owned.checkpointed = state.position
        connection.execute(  # a sender reads its result at once: these are long read
            "DELETE FROM callcore_commands WHERE router = %s AND position <= %s",
            (self.name, state.position - self.keep_log),
        )
