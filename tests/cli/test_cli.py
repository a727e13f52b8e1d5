"""The command line: every command's output, and one line with a non-zero exit for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from callcore.cli import _demo, main

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples"

FLOW = {
    "id": "main",
    "start": "welcome",
    "languages": ["en"],
    "prompts": {"welcome": {"en": "Press 1 for billing, 2 for support."}},
    "nodes": {
        "welcome": {
            "type": "menu",
            "prompt": "welcome",
            "options": [{"key": "1", "goto": "billing"}, {"key": "2", "goto": "support"}],
            "on_noinput": "support",
            "on_nomatch": "support",
        },
        "billing": {"type": "queue", "queue": "billing"},
        "support": {"type": "queue", "queue": "support"},
    },
}

SCENARIO = """\
start: "2026-12-07T08:00:00"
timezone: Europe/London
interval: 30
intervals: 2
seed: 5
replications: 2
queues: [{name: billing}, {name: support, wrap_up: 10}]
streams:
  - name: calls
    volumes: [20, 30]
    handle: {distribution: exponential, mean: 120}
    patience: {distribution: exponential, mean: 90}
    menu_seconds: 5
    choices:
      - {key: "1", queue: billing, probability: 0.5}
      - {key: "2", queue: support, probability: 0.5}
agents:
  - {name: a, count: 3, queues: [billing, support], breaks: [{at: "08:30", minutes: 5}]}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line; its exit code, standard output and standard error."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    """One line, callcore: error: ..., naming ``words``; a non-zero exit."""
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("callcore: error: ")
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    """The menu flow, as a JSON file."""
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(FLOW), encoding="utf-8")
    return path


# --- flow ---------------------------------------------------------------------------------


def test_flow_validate_a_good_flow(capsys: pytest.CaptureFixture[str], flow_file: Path) -> None:
    """A sound flow: one line naming it and its nodes, exit 0."""
    code, out, _ = run(capsys, "flow", "validate", str(flow_file))
    assert code == 0
    assert "flow 'main' is valid: 3 nodes" in out


def test_flow_validate_lists_every_problem_with_its_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Two broken references: each listed with its path, exit 1."""
    broken = json.loads(json.dumps(FLOW))
    broken["nodes"]["welcome"]["options"][0]["goto"] = "bilingg"
    broken["nodes"]["welcome"]["on_noinput"] = "nowhere"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    code, out, _ = run(capsys, "flow", "validate", str(path))
    assert code == 1
    assert "problem(s):" in out
    assert "error   nodes.welcome.options[0].goto: unknown target 'bilingg'" in out
    assert "error   nodes.welcome.on_noinput: unknown target 'nowhere'" in out


def test_flow_render_mermaid_and_dot(
    capsys: pytest.CaptureFixture[str], flow_file: Path, tmp_path: Path
) -> None:
    """Mermaid printed; DOT written to a file."""
    code, out, _ = run(capsys, "flow", "render", str(flow_file))
    assert code == 0
    assert out.startswith("flowchart TD")
    assert "billing" in out
    target = tmp_path / "flow.dot"
    code, out, _ = run(
        capsys, "flow", "render", str(flow_file), "--format", "dot", "--out", str(target)
    )
    assert code == 0
    assert target.read_text(encoding="utf-8").startswith("digraph")


def test_flow_render_svg_without_graphviz_is_one_line(
    capsys: pytest.CaptureFixture[str], flow_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SVG needs Graphviz's dot; without it, one line says so."""
    monkeypatch.setenv("PATH", "")
    code, _, err = run(capsys, "flow", "render", str(flow_file), "--format", "svg")
    assert_one_line_error(code, err, "Graphviz")


def test_flow_try_plays_typed_input(
    capsys: pytest.CaptureFixture[str], flow_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typing 1 at the menu queues the call for billing."""
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("1\n"))
    code, out, _ = run(capsys, "flow", "try", str(flow_file))
    assert code == 0
    assert "Press 1 for billing" in out
    assert "queue 'billing'" in out
    assert "path: welcome → billing" in out


def test_flow_try_words_silence_and_end_of_input(
    capsys: pytest.CaptureFixture[str], flow_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Silence three times goes the no-input way (support); end of input hangs up."""
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("\n\n\n"))
    code, out, _ = run(capsys, "flow", "try", str(flow_file))
    assert code == 0
    assert "queue 'support'" in out
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(""))
    code, out, _ = run(capsys, "flow", "try", str(flow_file))
    assert code == 0
    assert "outcome: abandoned" in out


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", ("IVR flow", "")),
        ("[1, 2]", ("IVR flow",)),
        (json.dumps({"id": "x"}), ("IVR flow", "start")),
    ],
)
def test_flow_bad_files_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, words: tuple[str, ...]
) -> None:
    """Unreadable or broken files: one line, exit 1, for render and try."""
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    for action in ("render", "try"):
        code, _, err = run(capsys, "flow", action, str(path))
        assert_one_line_error(code, err)


def test_missing_file_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A file that does not exist: one line naming it, for every command that reads one."""
    missing = str(tmp_path / "nope.yaml")
    for argv in (
        ("flow", "validate", missing),
        ("flow", "render", missing),
        ("staffing", missing),
        ("simulate", missing),
        ("center", "validate", missing),
    ):
        code, _, err = run(capsys, *argv)
        assert_one_line_error(code, err, "nope.yaml")


# --- center --------------------------------------------------------------------------------


def test_center_validate_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    """examples/center.yaml is a valid centre: its queues, agents, flows and numbers counted."""
    code, out, _ = run(capsys, "center", "validate", str(EXAMPLES / "center.yaml"))
    assert code == 0
    assert "the centre is valid: 4 queues, 2 agents, 1 flows, 1 numbers" in out


@pytest.mark.parametrize(
    ("command", "content"),
    [
        (("center", "validate"), "queues: [unclosed\n"),
        (("center", "validate"), "- a list\n"),
        (("flow", "validate"), "id: [unclosed\n"),
    ],
)
def test_validate_unreadable_documents_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: tuple[str, str], content: str
) -> None:
    """A file that is not YAML (or not a mapping): one line on standard error, exit 1."""
    path = tmp_path / "document.yaml"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, *command, str(path))
    assert_one_line_error(code, err)
    assert out == ""


def test_center_validate_lists_problems(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A misspelt queue and flow: both listed with their paths, exit 1."""
    text = (EXAMPLES / "center.yaml").read_text(encoding="utf-8")
    text = text.replace("queue: billing, priority", "queue: bilingg, priority")
    text = text.replace('"+40 21 300 4000": main', '"+40 21 300 4000": mian')
    path = tmp_path / "center.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "center", "validate", str(path))
    assert code == 1
    assert "unknown queue 'bilingg'" in out
    assert "unknown flow 'mian'" in out


# --- staffing -------------------------------------------------------------------------------


def test_staffing_plan_erlang_c(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """100 calls of 180 s in half an hour need 14 agents for 80/20 (Erlang C); the CSV has them."""
    volumes = tmp_path / "volumes.csv"
    volumes.write_text("interval,calls,aht\n09:00,100,180\n09:30,0,180\n", encoding="utf-8")
    code, out, _ = run(capsys, "staffing", str(volumes))
    assert code == 0
    assert "Erlang C" in out
    plan = (tmp_path / "volumes-plan.csv").read_text(encoding="utf-8").splitlines()
    assert plan[0].startswith("interval,calls,aht,load,required,scheduled")
    assert plan[1].split(",")[4] == "14"
    assert plan[2].split(",")[4] == "0"


def test_staffing_plan_erlang_a_with_shrinkage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Patience 120 s: Erlang A needs 12; 30 % shrinkage schedules 18 (12 / 0.7, rounded up)."""
    volumes = tmp_path / "volumes.csv"
    volumes.write_text("interval,calls,aht\n09:00,100,180\n", encoding="utf-8")
    out_file = tmp_path / "plan.csv"
    code, out, _ = run(
        capsys, "staffing", str(volumes), "--patience", "120", "--shrinkage", "0.3",
        "--out", str(out_file),
    )  # fmt: skip
    assert code == 0
    assert "Erlang A" in out
    row = out_file.read_text(encoding="utf-8").splitlines()[1].split(",")
    assert row[4:6] == ["12", "18"]


@pytest.mark.parametrize(
    ("content", "argv", "words"),
    [
        ("interval,calls\n09:00,10\n", (), ("missing column", "aht")),
        ("interval,calls,aht\n09:00,ten,180\n", (), (":2:", "numbers")),
        ("interval,calls,aht\n09:00,-1,180\n", (), (":2:",)),
        ("interval,calls,aht\n", (), ("no rows",)),
        ("interval,calls,aht\n09:00,10,180\n", ("--service-level", "80"), ("between 0 and 1",)),
        ("interval,calls,aht\n09:00,10,180\n", ("--shrinkage", "1.5"), ("shrinkage",)),
        ("interval,calls,aht\n09:00,10,180\n", ("--interval", "0"), ("at least 1",)),
        ("interval,calls,aht\n09:00,100000,1800\n", ("--interval", "1"), ("aht",)),
    ],
)
def test_staffing_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    content: str,
    argv: tuple[str, ...],
    words: tuple[str, ...],
) -> None:
    """Bad CSV contents or options: one line, non-zero exit."""
    volumes = tmp_path / "volumes.csv"
    volumes.write_text(content, encoding="utf-8")
    if argv and argv[:2] in {("--service-level", "80"), ("--interval", "0")}:
        with pytest.raises(SystemExit) as exit_info:
            main(["staffing", str(volumes), *argv])
        err = capsys.readouterr().err
        assert_one_line_error(int(str(exit_info.value.code)), err, *words)
        return
    code, _, err = run(capsys, "staffing", str(volumes), *argv)
    assert_one_line_error(code, err, *words)


# --- simulate ----------------------------------------------------------------------------


def test_simulate_prints_and_writes_the_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Two replications of an hour: tables with CIs, and a CSV of intervals, queues and the day."""
    scenario = tmp_path / "day.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    code, out, _ = run(capsys, "simulate", str(scenario))
    assert code == 0
    assert "KPIs per interval (mean ± 95 % CI over 2 replications)" in out
    assert "KPIs per queue, whole day" in out
    lines = (tmp_path / "day-report.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("interval,queue,agents,contacts,contacts_ci")
    assert len(lines) == 1 + 2 + 2 + 1  # header, intervals, queues, the day


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("intervals: 2", "intervals: 0"), ("scenario", "intervals")),
        (("support, probability: 0.5}", "support, probability: 0.4}"), ("sum to 1",)),
        (
            ("queue: support, probability", "queue: suport, probability"),
            ("unknown queue 'suport'",),
        ),
        (("mean: 120", "mean: -1"), ("handle.mean",)),
        (("Europe/London", "Europe/Londn"), ("timezone",)),
        (("start: ", "begin: "), ("begin", "start")),
        (("count: 3", "count: -2"), ("agents[0].count",)),
    ],
)
def test_simulate_bad_scenarios_are_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    change: tuple[str, str],
    words: tuple[str, ...],
) -> None:
    """Every problem of a scenario, on one line with its path; exit 1."""
    scenario = tmp_path / "day.yaml"
    scenario.write_text(SCENARIO.replace(*change), encoding="utf-8")
    code, _, err = run(capsys, "simulate", str(scenario))
    assert_one_line_error(code, err, *words)


def test_simulate_not_yaml_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A file that is not YAML: one line."""
    scenario = tmp_path / "day.yaml"
    scenario.write_text("start: [unclosed\n", encoding="utf-8")
    code, _, err = run(capsys, "simulate", str(scenario))
    assert_one_line_error(code, err)


# --- demo and the entry points ---------------------------------------------------------------


def test_demo_prints_the_table_and_writes_a_png(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The demo day: the interval table, a PNG chart (its signature checked) and the SQLite file."""
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path))
    assert code == 0
    assert "KPIs per interval" in out
    assert "08:00" in out
    assert "17:30" in out
    chart = tmp_path / "callcore-demo.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "callcore-demo.db").stat().st_size > 0


def test_demo_svg_chart(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--chart svg writes the standard library's SVG chart (of a shorter day, for speed)."""
    short = {**_demo.DEMO_SCENARIO, "intervals": 3}
    short["streams"] = [{**stream, "volumes": stream["volumes"][:3]} for stream in short["streams"]]
    monkeypatch.setattr(_demo, "DEMO_SCENARIO", short)
    code, _, _ = run(capsys, "demo", "--out", str(tmp_path), "--chart", "svg", "--seed", "1")
    assert code == 0
    assert (tmp_path / "callcore-demo.svg").read_text(encoding="utf-8").startswith("<svg")


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown command or a missing argument: one line, exit 2."""
    for argv in (["nonsense"], ["flow"], ["flow", "render"], [], ["demo", "--chart", "bmp"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        assert_one_line_error(2, capsys.readouterr().err)


def test_python_dash_m_callcore_runs_in_a_fresh_process(tmp_path: Path) -> None:
    """`python -m callcore` is the same command line: its version, and a one-line error."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "callcore", "--version"],
        capture_output=True, text=True, env=environment, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    assert done.stdout.startswith("callcore ")
    done = subprocess.run(
        [sys.executable, "-m", "callcore", "simulate", str(tmp_path / "none.yaml")],
        capture_output=True, text=True, env=environment, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1


def test_without_the_extra_one_line_says_which(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, flow_file: Path
) -> None:
    """Without rich (the extra cli not installed): one line naming the extra, exit 1."""
    for name in [name for name in sys.modules if name.startswith(("rich", "callcore.cli._"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "rich", None)
    code, _, err = run(capsys, "flow", "validate", str(flow_file))
    assert_one_line_error(code, err, "rich", "callcore[cli]")
