"""The column layout of the index: hashed stem bigrams, then one column per theme, then stems."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse

__all__ = [
    "BIGRAMS",
    "CHUNK",
    "GROUP",
    "bigram_code",
    "bigram_codes",
    "by_column",
    "group_by",
    "merge",
    "pair_codes",
]

# Column layout of the index: hashed stem bigrams, then one column per theme, then stems.
# Bigrams are hashed into a fixed space so that 100,000 calls need no bigram dictionary;
# a collision merges two rare pairs, which costs less than it saves (docs/matching.md).
_BIGRAM_BITS = 21
BIGRAMS = 1 << _BIGRAM_BITS
CHUNK = 1_024  # calls per index block: bounds the memory of one build step
GROUP = 16 * CHUNK  # calls per query group: blocks are merged into these once built


def bigram_codes(ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Hashed column of each adjacent pair of stem ids."""
    return pair_codes(ids[:-1], ids[1:])


def pair_codes(
    firsts: npt.NDArray[np.int64], seconds: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Hashed column of each pair (first, second) of stem ids: the order counts."""
    return ((firsts * 2_654_435_761 + seconds) * 40_503) % BIGRAMS


def bigram_code(a: int, b: int) -> int:
    """:func:`bigram_codes` of one pair, in Python integers (the same column: the modulus
    divides 2**64, so numpy's wrap-around does not change it)."""
    return ((a * 2_654_435_761 + b) * 40_503) % BIGRAMS


def group_by(keys: npt.NDArray[np.int64], values: npt.NDArray[np.int64]) -> dict[int, set[int]]:
    """{key: set of its values} for two parallel arrays."""
    if not len(keys):
        return {}
    pairs = np.unique((keys << 32) | values)  # values < 2**32: stem ids and bigram columns
    owners, members = pairs >> 32, pairs & 0xFFFFFFFF
    bounds = np.flatnonzero(np.diff(owners)) + 1
    starts = [0, *bounds.tolist()]
    groups = np.split(members, bounds)
    return {int(owners[i]): set(g.tolist()) for i, g in zip(starts, groups, strict=True)}


def by_column(
    data: npt.NDArray[np.float32],
    rows: npt.NDArray[np.int32],
    columns: npt.NDArray[np.int32],
    shape: tuple[int, int],
) -> sparse.csr_matrix:
    """The (row, column, value) entries of a ``shape`` matrix, held by column: the transposed
    matrix as rows (one row per column, listing its rows), the repeated pairs summed.

    Built by column because the entries come in the order of their rows: a stable counting
    sort by column leaves each column's rows sorted, so repeats are summed in one pass where
    building the rows directly would sort every row.
    """
    return sparse.coo_matrix(
        (data, (columns, rows)), shape=(shape[1], shape[0]), dtype=np.float32
    ).tocsr()


def merge(
    blocks: list[tuple[sparse.csr_matrix, npt.NDArray[np.int32]]],
    titles: list[sparse.csr_matrix],
) -> tuple[sparse.csc_matrix, npt.NDArray[np.int32]]:
    """Some blocks (held by column, see :func:`by_column`: each over its own sorted columns)
    as one matrix over the union of their columns: whole calls, then titles.

    A block's columns map onto the union in the same order and its rows follow the rows of
    the blocks before it, so one more stable sort by column leaves every column's rows
    sorted and unrepeated (no comparison sort, no sum).
    """
    # The union of the blocks' sorted columns: marked in a table, not np.unique (a sort).
    marked = np.zeros(max((int(u[-1]) + 1 for _, u in blocks if len(u)), default=0), dtype=bool)
    for _, own in blocks:
        marked[own] = True
    used = np.flatnonzero(marked).astype(np.int32)
    place = np.cumsum(marked, dtype=np.int32) - 1  # column number → its place in ``used``
    del marked
    remaps = [place[own] for _, own in blocks]
    parts = [(block, remap) for (block, _), remap in zip(blocks, remaps, strict=True)]
    parts += [(title, remap) for title, remap in zip(titles, remaps, strict=True)]
    del place
    data, columns, rows, offset = [], [], [], 0
    for matrix, remap in parts:
        data.append(matrix.data)
        columns.append(np.repeat(remap, np.diff(matrix.indptr)))
        rows.append(matrix.indices + np.int32(offset))
        offset += matrix.shape[1]
    held = by_column(
        np.concatenate(data), np.concatenate(rows), np.concatenate(columns), (offset, len(used))
    )
    del data, columns, rows
    merged: sparse.csc_matrix = held.T  # the same arrays, read as columns
    return merged, used
