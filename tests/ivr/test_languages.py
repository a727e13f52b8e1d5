"""Language tags with fallback (RFC 4647 lookup)."""

from __future__ import annotations

import pytest

from callcore.errors import DocumentError
from callcore.ivr import flow_from_dict, flow_to_dict, load_flow, lookup_language
from callcore.testing.flow_tester import FlowTester
from tests.ivr.flows import document

OFFERED = ("en", "ro", "zh-Hant", "de-CH")


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("ro-RO", "ro"),  # the example
        ("RO-ro", "ro"),  # case is ignored; the flow's spelling is returned
        ("en", "en"),
        ("zh-Hant-CN-x-private1", "zh-Hant"),  # RFC 4647 section 3.4's worked example, shortened
        ("zh-Hans", None),
        ("de", None),  # lookup never widens to a more specific tag (de-CH)
        ("de-CH-1996", "de-CH"),
        ("x-klingon", None),
        ("", None),
        ("en-a-bbb-x-a-ccc", "en"),  # singletons go with the subtag after them
    ],
)
def test_lookup_language(tag: str, expected: str | None) -> None:
    """Each tag falls back, subtag by subtag, to the first offered language it reaches."""
    assert lookup_language(tag, OFFERED) == expected


def test_a_caller_tagged_ro_ro_gets_romanian_prompts() -> None:
    """A language node from the caller record finds 'ro' for 'ro-RO'."""
    nodes = {
        "lang": {"type": "language", "from_caller": True, "next": "bye"},
        "bye": {"type": "hangup", "prompt": "p0"},
    }
    flow = document(nodes, start="lang")
    flow["languages"] = ["en", "ro"]
    for number, texts in enumerate(flow["prompts"].values()):
        texts["ro"] = f"mesaj {number}"
    run = FlowTester(flow).run(caller={"language": "ro-RO"})
    assert run.session.language == "ro"
    run.assert_action("play", language="ro", text="mesaj 0")
    english = FlowTester(flow).run(caller={"language": "fr-FR"})
    assert english.session.language == "en"


def test_a_voice_per_language_reaches_the_host() -> None:
    """The flow's voices go with SetLanguage and with every Play in that language."""
    nodes = {
        "lang": {"type": "language", "language": "ro", "next": "bye"},
        "bye": {"type": "hangup", "prompt": "p0"},
    }
    flow = document(nodes, start="lang", voices={"ro": "ro-RO-Wavenet-A"})
    flow["languages"] = ["en", "ro"]
    for texts in flow["prompts"].values():
        texts["ro"] = "salut {caller.name}"
    run = FlowTester(flow).run(caller={"name": "Ana"})
    run.assert_action("set_language", language="ro", voice="ro-RO-Wavenet-A")
    run.assert_action("play", text="salut Ana", voice="ro-RO-Wavenet-A")
    english = FlowTester(flow).run(language="en")
    assert english.assert_action("play", language="ro").voice == "ro-RO-Wavenet-A"  # type: ignore[union-attr]


def test_voices_name_the_flow_s_languages() -> None:
    """A voice for a language the flow does not offer is a problem at voices.LANG."""
    flow = document({"bye": {"type": "hangup"}}, start="bye", voices={"fr": "x"})
    with pytest.raises(DocumentError, match=r"voices\.fr"):
        load_flow(flow)
    assert flow_from_dict(flow_to_dict(load_flow({**flow, "voices": {"en": "v"}}))).voices == {
        "en": "v"
    }
