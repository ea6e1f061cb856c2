"""``python -m fundmatch``: the command line."""

from fundmatch.cli import main

raise SystemExit(main())
