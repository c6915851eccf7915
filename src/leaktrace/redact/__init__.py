"""脱敏: masked or pseudonymised copies of evidence files, for handing a list to someone who
must not see the people in it (a contractor, a test system, a colleague in another case).

```python
from leaktrace.redact import load_key, redact

result = redact(["owners.csv", "chats/"], "masked/")                  # 138****5678, 张**
result = redact(["owners.csv"], "pseudo/", key=load_key(Path("mask.key")))  # keyed pseudonyms
result.to_json()
```

Every value the column classifier or ``detect.find_spans`` finds is replaced, in its place, in a
copy of the same format (CSV, TSV, TXT, XLSX, JSON, JSON Lines) with the same rows, columns,
sheets, title and header rows, encoding, delimiter and quoting. The masks and pseudonyms
themselves come from ``leaktrace.mask``. See ``docs/mask.md``.
"""

from __future__ import annotations

from leaktrace.redact._keys import KEY_ENV, create_key_file, load_key
from leaktrace.redact._redact import WRITERS, MaskedFile, MaskResult, redact

__all__ = [
    "KEY_ENV",
    "WRITERS",
    "MaskResult",
    "MaskedFile",
    "create_key_file",
    "load_key",
    "redact",
]
