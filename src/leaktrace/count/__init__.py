"""Count items (一条公民个人信息) per Art. 11 of the interpretation, per file, party and case.

```python
from leaktrace.count import count, assess_case

result = count([Path("seized/")])            # policy: the built-in default
result.items()                               # {"sensitive": 0, "important": 1840, "ordinary": 9120}
result.linkage.persons                       # records linked into persons (docs/count.md)
result.to_json()                             # the shape in docs/count.md
count([Path("seized/")], export=Path("items.xlsx"))   # the deduplicated list, masked

case = assess_case(Path("case/"))            # one finding per party (Art. 11 counting)
case.to_json()
```
"""

from __future__ import annotations

from leaktrace.count._case import (
    Case,
    CaseCounts,
    CaseResult,
    Party,
    PartyCounts,
    PartyResult,
    Transfer,
    assess_case,
    count_case,
    load_case,
)
from leaktrace.count._count import (
    KEY_RULES,
    LINK_RULES,
    STATUS_TEXT,
    UNIDENTIFIED,
    Categoriser,
    CountResult,
    FileCount,
    KeyRule,
    LinkRule,
    check_key,
    check_link,
    count,
    item_rows,
    linkage_lines,
    policy_for,
)
from leaktrace.count._items import ITEM_SCHEMA, ItemSet, Tally, tally
from leaktrace.count._pairs import TOP_PAIRS

__all__ = [
    "ITEM_SCHEMA",
    "KEY_RULES",
    "LINK_RULES",
    "STATUS_TEXT",
    "TOP_PAIRS",
    "UNIDENTIFIED",
    "Case",
    "CaseCounts",
    "CaseResult",
    "Categoriser",
    "CountResult",
    "FileCount",
    "ItemSet",
    "KeyRule",
    "LinkRule",
    "Party",
    "PartyCounts",
    "PartyResult",
    "Tally",
    "Transfer",
    "assess_case",
    "check_key",
    "check_link",
    "count",
    "count_case",
    "item_rows",
    "linkage_lines",
    "load_case",
    "policy_for",
    "tally",
]
