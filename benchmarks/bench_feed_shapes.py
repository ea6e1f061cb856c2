"""Parse time against input size for generated hostile feed shapes: growth must be linear.

    python benchmarks/bench_feed_shapes.py [--quick] [--max-kb KB] [--limit SECONDS]

Each shape is generated at sizes doubling up to ``--max-kb`` and given to ``fm.parse_feed``;
the table prints the time per size and the time ratio per doubling (about 2 for linear growth,
about 4 for quadratic). A shape that is refused (ParseError) must be refused at every size.
Shapes: an element with ever more attributes (refused past ``MAX_ATTRIBUTES``), many
elements each just under that limit, deep nesting inside an entry and inside the HTML of a
description, many entries, one long text, and entity declarations (refused). Each shape's
growth is the geometric mean of its ratios per doubling, from the first size taking over
20 ms to the largest (single ratios are noisy on a shared machine). The exit code is 1 when
that growth exceeds ``--max-ratio`` (2 is linear, 4 quadratic), or when one parse exceeds
``--limit`` seconds. ``--quick`` (the CI run) prints the growth without judging it: its sizes
are too small for timings that hold on a busy machine; it still fails when a refused shape is
parsed or a parse exceeds the limit.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable

import fundmatch as fm
from fundmatch.sources.feeds import MAX_ATTRIBUTES, MAX_FEED_BYTES

HEAD = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Shapes</title>'
TAIL = b"</channel></rss>"
ITEM = b"<item><title>Call %d</title><guid>g%d</guid><description>%s</description></item>"


def _fill(size: int, unit: bytes) -> int:
    return max(1, (size - len(HEAD) - len(TAIL)) // len(unit))


def many_attributes(size: int) -> bytes:
    count = _fill(size + 64, b' a0000000="x"') - 4
    attributes = b"".join(b' a%07d="x"' % i for i in range(count))
    return HEAD + b"<item" + attributes + b"><title>x</title><guid>g</guid></item>" + TAIL


def attributes_at_the_end(size: int) -> bytes:
    flood = b"<item" + b"".join(b' a%d="x"' % i for i in range(1000)) + b"><title>x</title></item>"
    filler = b"<item><title>open data</title><guid>g</guid></item>"
    count = _fill(size - len(flood), filler)
    return HEAD + filler * count + flood + TAIL


def elements_under_the_limit(size: int) -> bytes:
    attributes = b"".join(b' a%d="x"' % i for i in range(MAX_ATTRIBUTES))
    element = b"<category" + attributes + b">c</category>"
    count = _fill(size, element)
    return HEAD + b"<item><title>x</title><guid>g</guid>" + element * count + b"</item>" + TAIL


def deep_elements(size: int) -> bytes:
    depth = _fill(size, b"<x></x>")
    return (
        HEAD
        + b"<item><title>x</title><guid>g</guid>"
        + b"<x>" * depth
        + b"y"
        + b"</x>" * depth
        + b"</item>"
        + TAIL
    )


def deep_html(size: int) -> bytes:
    depth = _fill(size, b"&lt;div&gt;&lt;/div&gt;")
    html = b"&lt;div&gt;" * depth + b"y" + b"&lt;/div&gt;" * depth
    return HEAD + ITEM % (0, 0, html) + TAIL


def many_entries(size: int) -> bytes:
    unit = ITEM % (0, 0, b"Deadline: 12 June 2027, 17:00 CET. Budget EUR 2 million.")
    count = _fill(size, unit)
    text = b"Deadline: 12 June 2027, 17:00 CET. Budget EUR 2 million."
    return HEAD + b"".join(ITEM % (i, i, text) for i in range(count)) + TAIL


def long_text(size: int) -> bytes:
    words = b"open data for smart cities " * _fill(size, b"open data for smart cities ")
    return HEAD + ITEM % (0, 0, words) + TAIL


def entities(size: int) -> bytes:
    count = _fill(size, b"&e;")
    doctype = b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e "open data">]>'
    return doctype + HEAD[21:] + ITEM % (0, 0, b"&e;" * count) + TAIL


SHAPES: dict[str, Callable[[int], bytes]] = {
    "many attributes (refused)": many_attributes,
    "attribute flood at the end (refused)": attributes_at_the_end,
    f"elements of {MAX_ATTRIBUTES} attributes": elements_under_the_limit,
    "deep elements": deep_elements,
    "deep HTML in a description": deep_html,
    "many entries": many_entries,
    "long text": long_text,
    "entity declarations (refused)": entities,
}


def _parse(data: bytes) -> tuple[float, str]:
    begin = time.perf_counter()
    try:
        calls = fm.parse_feed(data)
        outcome = f"{len(calls)} calls"
    except fm.ParseError as exc:
        outcome = "refused: " + exc.message.removeprefix("refused: ")[:40]
    return time.perf_counter() - begin, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes up to 256 KB")
    parser.add_argument("--max-kb", type=int, default=4096, help="largest size (KB)")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds allowed per parse")
    parser.add_argument(
        "--max-ratio", type=float, default=2.6, help="largest mean ratio per doubling"
    )
    parser.add_argument("--bomb", action="store_true", help="also a 20 MB attribute bomb")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    largest = 256 if args.quick else args.max_kb
    sizes = []
    size = 32
    while size <= largest:
        sizes.append(size * 1024)
        size *= 2
    failures: list[str] = []
    print(f"{'shape':36} {'size':>9} {'seconds':>9} {'ratio':>6}  outcome")
    growths: list[str] = []
    for name, build in SHAPES.items():
        previous: float | None = None
        refused: set[bool] = set()
        measurable: list[float] = []  # times from the first one over 20 ms
        for size in sizes:
            data = build(size)
            seconds, outcome = _parse(data)
            refused.add(outcome.startswith("refused"))
            ratio = "" if previous is None else f"{seconds / previous:6.2f}"
            if measurable or seconds > 0.02:
                measurable.append(seconds)
            if seconds > args.limit:
                failures.append(f"{name}: {seconds:.1f} s at {size // 1024} KB")
            print(f"{name:36} {len(data) // 1024:>7} KB {seconds:9.4f} {ratio:>6}  {outcome}")
            previous = seconds
        if len(refused) > 1:
            failures.append(f"{name}: refused at some sizes only")
        if len(measurable) >= 3:
            growth = (measurable[-1] / measurable[0]) ** (1 / (len(measurable) - 1))
            growths.append(f"{name:36} x{growth:.2f} per doubling over {len(measurable) - 1}")
            if growth > args.max_ratio and not args.quick:
                failures.append(f"{name}: x{growth:.2f} per doubling")
        else:
            growths.append(f"{name:36} under 20 ms at every size")
    print("\ngrowth (geometric mean of the ratios per doubling; 2 is linear, 4 quadratic)")
    for line in growths:
        print(" ", line)
    if args.quick:
        print("  (quick: growth shown, not judged; run without --quick to judge it)")
    if args.bomb:
        data = many_attributes(MAX_FEED_BYTES - 1024)
        seconds, outcome = _parse(data)
        label = "attribute bomb just under the cap"
        print(f"{label:36} {len(data) // 1024:>7} KB {seconds:9.4f} {'':>6}  {outcome}")
        if not outcome.startswith("refused"):
            failures.append("the 20 MB attribute bomb was not refused")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
