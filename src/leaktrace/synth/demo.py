"""The demo case: the source story, plus a property company that fingerprints its exports.

:func:`write_demo_case` writes the story's case folder (:func:`leaktrace.synth.story.
write_story_case`) and adds what a careful holder would have: the property company marks every
export of its owner register with ``leaktrace.mark`` (registry and key file under
``holder/``), one recipient's export is re-typed and cut down the way a leaker does
(:mod:`leaktrace.synth.leak`) and turns up among the seized evidence, and ``case.toml`` asks for
that file to be traced (``[[traces]]``)::

    holder/业主登记表.csv         the property company's register (its master)
    holder/registry.db(.key)      the mark registry and its key (mode 0600; derived from the
                                  seed, so every run marks alike: a demo key protects nothing)
    holder/exports/*.csv          the marked exports, one per recipient
    evidence/吴某/手机导出/嘉绿苑业主.xlsx   the leaked copy seized from 吴某's phone
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from leaktrace.mark import Registry, mark_export
from leaktrace.synth import leak
from leaktrace.synth.story import write_story_case

HOLDER = "嘉绿苑物业公司"
RECIPIENTS = ("客服部-赵某", "工程部-钱某", "维修外包-安居工程", "业主委员会")
"""Who the property company gave its owner register to; the first one leaks."""
LEAKER = RECIPIENTS[0]
LEAKED = "evidence/吴某/手机导出/嘉绿苑业主.xlsx"
REGISTER = "sources/物业业主登记表.xlsx"

LEAK = leak.LeakSpec(
    rows=700,
    foreign=0.05,
    dedupe=True,
    keep=("name", "mobile", "room"),
    shuffle=True,
    phones=True,
    fullwidth=0.2,
    whitespace=0.2,
    mask=0.05,
    suffix=".xlsx",
)
"""What the leaker did: 700 rows, a few foreign rows, name + phone + room kept, re-typed."""


@dataclass(frozen=True)
class DemoCase:
    """Where the demo case is and who the marked list should be traced to."""

    dir: Path
    case_file: Path
    leaked: str
    leaker: str
    recipients: tuple[str, ...]


def write_demo_case(out: Path, *, seed: int = 2017, households: int = 900) -> DemoCase:
    """Write the demo case folder under ``out`` (which must not hold a case yet)."""
    out = Path(out)
    case_file = write_story_case(out, seed=seed, households=households)
    holder = out / "holder"
    (holder / "exports").mkdir(parents=True, exist_ok=True)
    master = holder / "业主登记表.csv"
    leak.write_table(leak.read_export(out / REGISTER), master)
    _demo_key_file(holder / "registry.db.key", seed)
    registry = Registry.create(str(holder / "registry.db"))
    try:
        exports = {}
        for i, recipient in enumerate(RECIPIENTS, start=1):
            export = holder / "exports" / f"业主登记表-{i:02d}.csv"
            uid = _derived(f"distribution {seed} {recipient}")[:16]
            mark_export(master, recipient=recipient, registry=registry, out=export, uid=uid)
            exports[recipient] = export
    finally:
        registry.close()
    leaked = out / LEAKED
    leaked.parent.mkdir(parents=True, exist_ok=True)
    leak.simulate([exports[LEAKER]], LEAK, leaked, seed=seed)
    with case_file.open("a", encoding="utf-8") as fh:
        fh.write(
            "\n# 物业公司对每份导出的业主名单加了指纹；吴某手机中查获的名单交由溯源。\n"
            "# The property company fingerprinted its exports; "
            "the list on 吴某's phone is traced.\n"
            "[[traces]]\n"
            f'evidence = "{LEAKED}"\n'
            'registry = "holder/registry.db"\n'
            'key_file = "holder/registry.db.key"\n'
        )
    return DemoCase(out, case_file, LEAKED, LEAKER, RECIPIENTS)


def _derived(label: str) -> bytes:
    return hashlib.sha256(f"leaktrace demo · {label}".encode()).digest()


def _demo_key_file(path: Path, seed: int) -> None:
    """The demo's mark key, derived from the seed so that every run marks the same way.

    A real holder's key is 32 random bytes (``leaktrace mark --init``); this one is public and
    protects nothing, which is fine for synthetic data and wrong for anything else.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(_derived(f"key {seed}").hex() + "\n")
