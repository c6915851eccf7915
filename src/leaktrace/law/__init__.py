"""The law LeakTrace applies: Criminal Law Art. 253-1 and 法释〔2017〕10号, as data and as code.

```python
from leaktrace.law import load_policy, assess, Facts

policy = load_policy()                        # built-in policy.toml, or load_policy(Path(...))
policy.category_of({"name", "mobile", "room"})  # CategoryMatch(category, tier, rule_id, bare_phone)
finding = assess(Facts(role="insider", items={"important": 2000}), policy)
finding.level, finding.grounds, finding.to_json()
```

``law`` knows nothing about files of evidence: counting items (Art. 11) happens upstream, and
the counts arrive here as :class:`Facts`.
"""

from leaktrace.law._assess import assess
from leaktrace.law._facts import Facts, Items, Role, load_facts
from leaktrace.law._finding import LEVEL_TEXT, Finding, Fine, Ground, Level, PolicyRef, Sentence
from leaktrace.law._policy import (
    LINKABLE,
    TIERS,
    CategoryMatch,
    Linkage,
    Policy,
    TierName,
    load_policy,
)

__all__ = [
    "LEVEL_TEXT",
    "LINKABLE",
    "TIERS",
    "CategoryMatch",
    "Facts",
    "Finding",
    "Fine",
    "Ground",
    "Items",
    "Level",
    "Linkage",
    "Policy",
    "PolicyRef",
    "Role",
    "Sentence",
    "TierName",
    "assess",
    "load_facts",
    "load_policy",
]
