"""The body buffer kept between upstream reads (exporter/sources/spare_buffer.py)."""

from __future__ import annotations

from exporter.sources.spare_buffer import SpareBuffer


def test_a_buffer_handed_back_serves_the_next_body_of_a_like_size() -> None:
    spare = SpareBuffer()
    first = spare.take(1000)
    spare.give(first)
    again = spare.take(900)
    assert again is first
    assert len(again) == 900
    spare.give(again)
    grown = spare.take(1500)
    assert grown is first
    assert len(grown) == 1500


def test_a_buffer_in_use_is_never_handed_out_twice() -> None:
    spare = SpareBuffer()
    spare.give(bytearray(100))
    one, two = spare.take(100), spare.take(100)
    assert one is not two


def test_a_much_smaller_body_leaves_the_large_buffer_idle() -> None:
    spare = SpareBuffer()
    large = bytearray(10_000)
    spare.give(large)
    small = spare.take(100)
    assert small is not large
    assert len(small) == 100
    assert spare.take(9_000) is large


def test_a_body_of_unknown_length_gets_the_idle_buffer_whole_as_room() -> None:
    spare = SpareBuffer()
    assert len(spare.take(None)) == 0
    spare.give(bytearray(5_000))
    assert len(spare.take(None)) == 5_000


def test_the_larger_of_two_buffers_handed_back_is_kept() -> None:
    spare = SpareBuffer()
    small, large = bytearray(10), bytearray(1_000)
    spare.give(large)
    spare.give(small)
    assert spare.take(None) is large
