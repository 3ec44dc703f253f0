"""Name groups: whole words, any case, longest name first, one bit per group."""

from __future__ import annotations

import pytest

from matching.wordgroups import NameGroups, post_text


def test_names_are_whole_words_in_any_case_longest_first() -> None:
    groups = NameGroups([("tennis",), ("table tennis",), ("rugby", "tag rugby")], plural=True)
    assert groups.mask("Table Tennis club") == 0b010
    assert groups.mask("Tennis and TAG RUGBY festivals") == 0b101
    assert groups.mask("Rugbys") == 0b100  # the plural, when asked for
    assert groups.mask("Tennisball") == 0
    assert NameGroups([("rugby",)]).mask("rugbys") == 0


def test_more_groups_than_a_mask_holds_are_refused() -> None:
    with pytest.raises(ValueError, match="62"):
        NameGroups([(f"name{i}",) for i in range(63)])


def test_post_text_joins_title_description_and_tags() -> None:
    assert post_text("Netball", "League?", ["PE", "sport"]) == "Netball\nLeague?\nPE, sport"
