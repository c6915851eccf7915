"""LeakTrace: find, count and trace leaked lists of Chinese citizens' personal information."""

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
2.1 GB instead of 1.4 GB at 13 million rows). A value the user sets in the environment wins. Only
a process that imports ``leaktrace`` before Polars gets it (the ``leaktrace`` command does)."""

os.environ.setdefault(ALLOCATOR_ENV, ALLOCATOR_CONF)

__version__ = "0.1.0"
