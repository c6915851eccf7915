"""What the ``leaktrace`` command sets up in its process before anything loads Polars.

Importing ``leaktrace`` changes nothing in the process; the console script's entry point,
:func:`main`, calls :func:`configure` first and only then imports the CLI (and with it Polars). A
Python caller who wants the same allocator behaviour calls :func:`configure` before importing
Polars.
"""

from __future__ import annotations

import os

ALLOCATOR_ENV = "_RJEM_MALLOC_CONF"
"""The variable Polars' allocator (jemalloc, on Linux) reads its options from when Polars loads;
Polars puts its own options first and appends what the variable held, so those win."""

ALLOCATOR_CONF = "dirty_decay_ms:30000,muzzy_decay_ms:0"
"""Keep freed pages for 30 s instead of Polars' half a second.

Every batch of a count allocates and frees hundreds of megabytes; with Polars' setting jemalloc
hands those pages back to the system almost at once, and the next batch takes them back one page
fault at a time. Measured on 13 million rows, that was about 1.5 million page faults and a fifth
of the run's CPU time; kept for 30 s, it is some 600,000, about one per page of the peak. The
price: memory freed during the last 30 s still counts towards the process's size (a peak of about
2.1 GB instead of 1.4 GB at 13 million rows). A value the user sets in the environment wins. It
takes effect only if set before Polars is first imported."""


def configure() -> None:
    """Set the allocator options (unless the user set their own); call before importing Polars."""
    os.environ.setdefault(ALLOCATOR_ENV, ALLOCATOR_CONF)


def main() -> None:
    """Entry point of the ``leaktrace`` console script: set up the process, then run the CLI."""
    configure()
    from leaktrace.cli import main as cli_main  # imports Polars: after configure()

    cli_main()
