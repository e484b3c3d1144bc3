"""Grid text encodings round-trip, and the model-output parser never crashes (last well-formed grid wins)."""

import pytest

from infscale.arc.formats import ENCODINGS, encode_grid, encode_task, parse_grid, parse_grids
from infscale.errors import InvalidRequestError

GRID = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 0, 0]]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_round_trip(encoding):
    assert parse_grid(encode_grid(GRID, encoding)) == GRID


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_round_trip_in_prose_and_fences(encoding):
    text = f"Here is my answer.\n```\n{encode_grid(GRID, encoding)}\n```\nHope it helps."
    assert parse_grid(text) == GRID


def test_unknown_encoding_is_typed_error():
    with pytest.raises(InvalidRequestError):
        encode_grid(GRID, "morse")


@pytest.mark.parametrize(
    "text",
    ["", "no grid here at all", "[[1,2],[3]]", "[[1, 2], [3, 10]]", "[[[", None, 42, "12\n345\n", "[[true]]"],
)
def test_garbage_and_malformed_give_none(text):
    assert parse_grid(text) is None


def test_last_well_formed_grid_wins():
    text = "first try:\n[[1,1],[1,1]]\nno wait, it is\n```\n23\n45\n```\nthen a broken one [[1,2],[3"
    assert parse_grid(text) == [[2, 3], [4, 5]]
    assert parse_grids(text) == [[[1, 1], [1, 1]], [[2, 3], [4, 5]]]


def test_json_after_rows_wins():
    assert parse_grid("12\n34\nfinal: [[5,6],[7,8]]") == [[5, 6], [7, 8]]


def test_ragged_block_is_malformed():
    # consecutive rows of changing width are one broken grid, so the earlier well-formed grid wins
    assert parse_grid("[[1]]\n\n123\n45\n67") == [[1]]


def test_too_large_grid_rejected():
    assert parse_grid("\n".join(["1" * 31] * 3)) is None


def test_encode_task_lists_pairs_and_tests():
    task = {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]], "output": [[4]]}]}
    text = encode_task(task)
    assert "Example 1 input:\n1" in text and "Example 1 output:\n2" in text and "Test 1 input:\n3" in text
    assert "4" not in text
