"""The validator's cheap accept tests agree with the full menu and condition rules."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from callcore.ivr import Compare, Menu, MenuOption, Op
from callcore.ivr._conditions import condition_problems, is_plain_and_valid

KEYS = st.text(alphabet="0123#*a", max_size=2)
WORDS = st.lists(st.sampled_from(["sales", "Sales ", "help"]), max_size=2)


def menu_is_valid_by_hand(menu: Menu) -> bool:
    """The menu rules restated directly: branches, options, keys and keywords."""
    if menu.on_noinput is None or menu.on_nomatch is None or not menu.options:
        return False
    keys = [option.key for option in menu.options]
    if len(set(keys)) != len(keys):
        return False
    if any(not key or any(c not in "0123456789*#" for c in key) for key in keys):
        return False
    owners: dict[str, int] = {}
    for index, option in enumerate(menu.options):
        for word in option.keywords:
            if owners.setdefault(word.casefold().strip(), index) != index:
                return False
    return True


@given(
    st.lists(st.tuples(KEYS, WORDS), max_size=4),
    st.sampled_from([None, "end"]),
    st.sampled_from([None, "end"]),
)
def test_menu_problems_match_the_rules(
    options: list[tuple[str, list[str]]], on_noinput: str | None, on_nomatch: str | None
) -> None:
    """A menu has problems exactly when the rules, checked by hand, say so."""
    menu = Menu(
        prompt="p",
        options=tuple(MenuOption(key=k, goto="end", keywords=tuple(w)) for k, w in options),
        on_noinput=on_noinput,
        on_nomatch=on_nomatch,
    )
    assert (not list(menu.problems())) == menu_is_valid_by_hand(menu)


@given(
    st.sampled_from(["vars.x", "caller.tier", "call.ani", "language", "vars", "lang", "x.y", ""]),
    st.sampled_from(list(Op)),
    st.sampled_from([None, 1, "[", "a+", ["a"]]),
)
def test_plain_condition_shortcut_is_sound(subject: str, op: Op, value: Any) -> None:
    """A condition the shortcut accepts has no problems under the full check."""
    condition = Compare(subject, op, value)
    if is_plain_and_valid(condition):
        assert list(condition_problems(condition, "when")) == []
    expected_plain = op not in {Op.IN, Op.NOT_IN, Op.MATCHES} and (
        subject == "language"
        or (
            subject.split(".", maxsplit=1)[0] in {"vars", "caller", "call", "language"}
            and "." in subject
        )
    )
    assert is_plain_and_valid(condition) == expected_plain
