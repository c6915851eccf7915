"""Trade chains: which database a seized list came from, and who sold what to whom.

```python
from leaktrace.chain import match, chain

found = match([Path("seized/")], [Path("sources/")])   # containment of every seized list
found.matches[0].best                                  # the candidate it most likely came from
found.to_json()

result = chain(Path("case/"))                          # parties, transfers, paths, issues
result.to_json()                                       # the shape in docs/chain.md
result.write(Path("out/"))                             # chain.json, chain.graphml (+ chain.html)
```
"""

from __future__ import annotations

from leaktrace.chain._chain import (
    THRESHOLD,
    ChainParty,
    ChainResult,
    ChainTransfer,
    Issue,
    chain,
)
from leaktrace.chain._keys import (
    KEY_FIELDS,
    KEY_ROW_SCHEMA,
    MATCH_KEYS,
    KeyedList,
    MatchKey,
    key_rows,
)
from leaktrace.chain._match import (
    SHARED_SCHEMA,
    Candidate,
    ListMatch,
    MatchResult,
    match,
    pair_counts,
    shared_keys,
)

__all__ = [
    "KEY_FIELDS",
    "KEY_ROW_SCHEMA",
    "MATCH_KEYS",
    "SHARED_SCHEMA",
    "THRESHOLD",
    "Candidate",
    "ChainParty",
    "ChainResult",
    "ChainTransfer",
    "Issue",
    "KeyedList",
    "ListMatch",
    "MatchKey",
    "MatchResult",
    "chain",
    "key_rows",
    "match",
    "pair_counts",
    "shared_keys",
]
