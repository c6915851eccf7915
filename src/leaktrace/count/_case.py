"""A case: parties, what each obtained, sold or provided, and one finding per party.

A case is a folder with ``case.toml`` and the evidence under it (usually ``evidence/``)::

    name = "2026 杭州业主信息案"

    [[parties]]
    name = "王某"
    role = "insider"                       # outsider | insider | lawful_business_buyer
    obtained = ["evidence/owners.xlsx"]    # seized from the party or otherwise obtained
    [parties.facts]                        # law.Facts fields except role, items, held_items
    illegal_gains_yuan = 18000
    held_obtained_illegally = false        # insiders: what they kept was obtained illegally

    [[transfers]]                          # one sale or hand-over
    seller = "王某"
    buyer = "李某"                         # a party or anyone else
    evidence = ["evidence/owners.xlsx"]
    type = "sold"                          # sold | provided
    price_yuan = 6000                      # optional
    date = 2026-03-01                      # optional
    channel = "微信"                       # optional: how it changed hands

    transfers_file = "transfers.xlsx"      # optional: more transfers, one a row (CSV or XLSX)

    [[traces]]                             # optional: seized files to trace to a recipient
    evidence = "evidence/leaked.csv"
    registry = "registry.db"               # relative to the case folder, or a database URL

    [[evidence]]                           # optional: declare a dataset kind (policy.kinds)
    path = "evidence/owners.xlsx"
    kind = "home_owner_list"

    [report]                               # optional: the examiner's fields of the report
    case_no = "杭公网（2026）123号"
    unit = "杭州市公安局网警支队"
    examiner = "张三、李四"

Counting per party follows Art. 11 of the interpretation: information obtained and then sold
counts once; the same information sold or provided to different buyers counts once per buyer.
So a party's items, per category, are the sum over its buyers of the distinct items it sold to
that buyer, plus the distinct items it obtained and sold to no one. Items a party received in a
transfer count as obtained by it. Illegal gains are the declared prices of what a party sold,
unless its facts state ``illegal_gains_yuan``.

An insider's count is what they passed on (Art. 5 ¶1(8): "出售或者提供"): the sum over buyers.
What they obtained in performing their duties and passed to no one is reported (``held``) but
counted only when their facts say ``held_obtained_illegally = true`` (exported beyond their
authority, say), and then against the full standards, never the halved ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError
from python_calamine import CalamineError, CalamineWorkbook

from leaktrace.count._count import Progress, Run
from leaktrace.count._items import tally
from leaktrace.errors import FactsError, InputError
from leaktrace.ingest import Failure, walk
from leaktrace.ingest._excel import render_cell
from leaktrace.ingest._sniff import decoder_name
from leaktrace.law import Facts, Finding, Policy, Role, assess, load_policy
from leaktrace.law._messages import describe

CASE_FILE = "case.toml"

TIERS = ("sensitive", "important", "ordinary")

Name = Annotated[str, Field(min_length=1)]
RelPath = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Party(_Strict):
    """A person or organisation in the case, with the facts only an investigator can state."""

    name: Name
    role: Role
    obtained: list[RelPath] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)


class Transfer(_Strict):
    """One sale or hand-over of evidence files from a party to a buyer."""

    seller: Name
    buyer: Name
    evidence: Annotated[list[RelPath], Field(min_length=1)]
    type: Literal["sold", "provided"] = "sold"
    price_yuan: Annotated[Decimal, Field(ge=0)] | None = None
    date: dt.date | None = None
    channel: str | None = None
    """How it changed hands (微信, QQ, U盘, 邮件, ...), as the investigator found it."""


class EvidenceKind(_Strict):
    """A dataset kind declared for one evidence file (what detection cannot see)."""

    path: RelPath
    kind: Name


class TraceRequest(_Strict):
    """A seized file to trace to the recipient it was exported to (``leaktrace trace``)."""

    evidence: RelPath
    registry: Name
    """The mark registry: a path relative to the case folder, or a database URL."""
    key_file: RelPath | None = None


class ReportFields(_Strict):
    """``[report]``: who examined the evidence, for which case (``leaktrace report``)."""

    case_no: str | None = None
    unit: str | None = None
    examiner: str | None = None


class Case(_Strict):
    """A checked ``case.toml``; build it with :func:`load_case`."""

    name: str | None = None
    parties: Annotated[list[Party], Field(min_length=1)]
    transfers: list[Transfer] = Field(default_factory=list)
    transfers_file: RelPath | None = None
    evidence: list[EvidenceKind] = Field(default_factory=list)
    traces: list[TraceRequest] = Field(default_factory=list)
    report: ReportFields = Field(default_factory=ReportFields)

    _dir: Path = PrivateAttr(default=Path("."))
    _origins: list[tuple[str, str]] = PrivateAttr(default_factory=list)

    @property
    def dir(self) -> Path:
        return self._dir

    def origin(self, index: int) -> tuple[str, str]:
        """Where transfer ``index`` was stated: (file, ``field transfers[i]`` or ``row n``)."""
        if index < len(self._origins):
            return self._origins[index]
        return str(self._dir / CASE_FILE), f"field transfers[{index}]"

    def paths(self) -> list[str]:
        """Every evidence path the case names, once each, in order of first mention."""
        seen: dict[str, None] = {}
        for party in self.parties:
            seen.update(dict.fromkeys(party.obtained))
        for transfer in self.transfers:
            seen.update(dict.fromkeys(transfer.evidence))
        return list(seen)

    def kind_of(self, path: str) -> str | None:
        return next((e.kind for e in self.evidence if e.path == path), None)

    def party(self, name: str) -> Party | None:
        return next((p for p in self.parties if p.name == name), None)

    def obtained_by(self, party: str) -> list[str]:
        """Paths the party obtained: declared, and received in transfers."""
        own = next(p.obtained for p in self.parties if p.name == party)
        received = [p for t in self.transfers if t.buyer == party for p in t.evidence]
        return list(dict.fromkeys([*own, *received]))

    def sold_by(self, party: str) -> dict[str, list[str]]:
        """Buyer -> paths the party sold or provided to that buyer."""
        out: dict[str, list[str]] = {}
        for t in self.transfers:
            if t.seller == party:
                out.setdefault(t.buyer, []).extend(t.evidence)
        return {b: list(dict.fromkeys(paths)) for b, paths in out.items()}

    def gains_of(self, party: str) -> Decimal | None:
        """The sum of the declared prices of what the party sold (None when no price is known)."""
        prices = [t.price_yuan for t in self.transfers if t.seller == party and t.price_yuan]
        return sum(prices, Decimal(0)) if prices else None


def load_case(case_dir: Path) -> Case:
    """Read and check ``case_dir/case.toml`` (and its ``transfers_file``, if it names one).

    Raises FactsError naming the file, the field (or row) and the reason for anything wrong: an
    unknown field, a negative price or one that is not a number, a party's facts that
    ``law.Facts`` rejects, a transfer from someone who is not a party, an evidence file that is
    not there or lies outside the case folder.
    """
    source = case_dir / CASE_FILE
    where = str(source)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise FactsError(
            f"案件文件夹中没有 {CASE_FILE} no {CASE_FILE} in the case folder", where
        ) from None
    except OSError as exc:
        raise FactsError(f"无法读取案件文件 cannot read case file: {exc.strerror}", where) from None
    except UnicodeDecodeError:
        raise FactsError("案件文件不是 UTF-8 文本 case file is not UTF-8 text", where) from None
    except tomllib.TOMLDecodeError as exc:
        raise FactsError(f"不是有效的 TOML not valid TOML: {exc}", where) from None
    try:
        case = Case.model_validate(raw)
    except ValidationError as exc:
        raise FactsError(describe(exc), where) from None
    origins = [(where, f"field transfers[{i}]") for i in range(len(case.transfers))]
    if case.transfers_file is not None:
        _exists(case_dir, case.transfers_file, "transfers_file", where, what="transfers file")
        table = case_dir / case.transfers_file
        rows = read_transfers(table)
        case = case.model_copy(update={"transfers": [*case.transfers, *(t for t, _ in rows)]})
        origins += [(str(table), f"row {n}") for _, n in rows]
    case._dir = case_dir
    case._origins = origins
    _check(case, where)
    return case


def _check(case: Case, where: str) -> None:
    names = [p.name for p in case.parties]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise FactsError(
                f"字段 field parties[{i}].name: 当事人 {name!r} 重复 party {name!r} is named twice",
                where,
            )
    for i, party in enumerate(case.parties):
        _facts(party, Counter(), resold=False, where=where, index=i)
        for j, path in enumerate(party.obtained):
            _exists(case.dir, path, f"parties[{i}].obtained[{j}]", where)
    for i, t in enumerate(case.transfers):
        at, label = case.origin(i)
        if t.seller not in names:
            raise FactsError(
                f"{_field(label, 'seller')}: {t.seller!r} 不是本案当事人 is not one of the parties",
                at,
            )
        if t.buyer == t.seller:
            raise FactsError(
                f"{_field(label, 'buyer')}: 当事人不能卖给自己 a party cannot sell to itself", at
            )
        for j, path in enumerate(t.evidence):
            _exists(case.dir, path, _field(label, f"evidence[{j}]").removeprefix("字段 field "), at)
    named = set(case.paths())
    for i, e in enumerate(case.evidence):
        if e.path not in named:
            raise FactsError(
                f"字段 field evidence[{i}].path: 没有当事人获取或交易 {e.path!r} "
                "is not obtained or transferred by anyone",
                where,
            )
    for i, trace in enumerate(case.traces):
        _exists(case.dir, trace.evidence, f"traces[{i}].evidence", where)
        if trace.key_file is not None:
            _exists(case.dir, trace.key_file, f"traces[{i}].key_file", where, what="key file")
        if "://" not in trace.registry:
            _exists(case.dir, trace.registry, f"traces[{i}].registry", where, what="registry")


def _field(label: str, name: str) -> str:
    """``field transfers[2].seller`` for case.toml, ``row 5, seller`` for a transfers table."""
    return f"字段 {label}.{name}" if label.startswith("field ") else f"{label}, {name}"


def _exists(
    case_dir: Path, path: str, field_name: str, where: str, *, what: str = "evidence file"
) -> None:
    label = field_name if field_name.startswith("row ") else f"字段 field {field_name}"
    target = (case_dir / path).resolve()
    if Path(path).is_absolute() or not target.is_relative_to(case_dir.resolve()):
        raise FactsError(
            f"{label}: {path!r} 须为案件文件夹内的路径 must be a path inside the case folder", where
        )
    if not target.exists():
        raise FactsError(f"{label}: {_WHAT[what]}不存在 no such {what} {path!r}", where)


_WHAT = {
    "evidence file": "证据文件",
    "transfers file": "交易表",
    "key file": "密钥文件",
    "registry": "标记登记库",
}


# --- transfers from a table -------------------------------------------------------------------

TRANSFER_COLUMNS: dict[str, tuple[str, ...]] = {
    "seller": ("seller", "卖方", "卖家", "出售方", "出售人", "提供方"),
    "buyer": ("buyer", "买方", "买家", "购买方", "购买人", "接收方"),
    "evidence": ("evidence", "dataset", "证据", "数据集", "文件", "证据文件"),
    "date": ("date", "日期", "交易日期", "时间"),
    "price_yuan": ("price_yuan", "price", "价格", "金额", "价款", "价格（元）", "金额（元）"),
    "channel": ("channel", "渠道", "方式", "交易方式"),
    "type": ("type", "类型", "交易类型"),
}
"""Headers a transfers table may use (English or Chinese), per :class:`Transfer` field."""

_TYPES = {"sold": "sold", "出售": "sold", "卖": "sold", "provided": "provided", "提供": "provided"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def read_transfers(path: Path) -> list[tuple[Transfer, int]]:
    """The transfers of a CSV or XLSX table, each with the row it is on (1-based, as shown).

    Columns are matched by header (:data:`TRANSFER_COLUMNS`), the header being the first row
    that is not blank; ``evidence`` may list several paths separated by ``;``, ``；`` or ``、``.
    Blank rows are skipped but keep their numbers, so a FactsError names the row a spreadsheet
    shows.
    """
    where = str(path)
    rows = [(n, cells) for n, cells in _table_rows(path, where) if any(c.strip() for c in cells)]
    if not rows:
        raise FactsError("交易表是空的 the transfers table is empty", where)
    (_, headers), body = rows[0], rows[1:]
    columns = _transfer_columns(headers, where)
    out: list[tuple[Transfer, int]] = []
    for n, cells in body:
        values = {f: (cells[i] if i < len(cells) else "").strip() for f, i in columns.items()}
        if any(values.values()):
            out.append((_transfer_row(values, f"row {n}", where), n))
    return out


def _table_rows(path: Path, where: str) -> list[tuple[int, list[str]]]:
    """Every row of the table's first sheet with its number as shown, cells as displayed text.

    Read directly rather than through ``ingest``, which drops blank rows (and so row numbers).
    """
    ev = next(iter(walk([path])), None)
    if isinstance(ev, Failure) or ev is None:
        reason = ev.reason if ev is not None else "无法读取 cannot be read"
        raise FactsError(f"无法读取交易表 cannot read transfers table: {reason}", where)
    try:
        if ev.format in ("xlsx", "xls", "ods"):
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            cells = sheet.to_python(skip_empty_area=False)
            return [(i + 1, [render_cell(v) or "" for v in row]) for i, row in enumerate(cells)]
        if ev.format in ("csv", "tsv", "txt"):
            text = path.read_bytes().decode(decoder_name(ev.encoding or "utf-8"))
            reader = csv.reader(
                io.StringIO(text.removeprefix("\ufeff"), newline=""),
                delimiter="\t" if ev.format == "tsv" else ",",
            )
            out = []
            for row in reader:
                out.append((reader.line_num, row))
            return out
    except (OSError, ValueError, csv.Error, CalamineError) as exc:
        raise FactsError(f"无法读取交易表 cannot read transfers table: {exc}", where) from None
    raise FactsError(
        f"交易表须为 CSV 或 XLSX a transfers table must be CSV or XLSX, not {ev.format}", where
    )


def _transfer_columns(headers: Sequence[str], where: str) -> dict[str, int]:
    """Which column (by position) holds each :class:`Transfer` field."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = header.strip().lower().replace(" ", "")
        for name, synonyms in TRANSFER_COLUMNS.items():
            if key in synonyms and name not in found:
                found[name] = index
    missing = [n for n in ("seller", "buyer", "evidence") if n not in found]
    if missing:
        raise FactsError(
            f"交易表缺少列 the transfers table has no column for {', '.join(missing)} "
            f"(headers: {', '.join(h.strip() for h in headers if h.strip())})",
            where,
        )
    return found


def _transfer_row(cells: Mapping[str, str], label: str, where: str) -> Transfer:
    data: dict[str, Any] = {
        "seller": cells["seller"],
        "buyer": cells["buyer"],
        "evidence": [p.strip() for p in re.split(r"[;；、]", cells["evidence"]) if p.strip()],
    }
    if cells.get("type"):
        kind = _TYPES.get(cells["type"].lower())
        if kind is None:
            raise FactsError(
                f"{label}, type: {cells['type']!r} 不是 出售 sold 或 提供 provided", where
            )
        data["type"] = kind
    if cells.get("price_yuan"):
        data["price_yuan"] = _price(cells["price_yuan"], label, where)
    if cells.get("date"):
        data["date"] = _date(cells["date"], label, where)
    if cells.get("channel"):
        data["channel"] = cells["channel"]
    try:
        return Transfer.model_validate(data)
    except ValidationError as exc:
        reason = describe(exc).replace("字段 field ", f"{label}, ")
        raise FactsError(reason, where) from None


def _price(text: str, label: str, where: str) -> Decimal:
    cleaned = re.sub(r"[\s,，¥￥元]|RMB|CNY", "", text, flags=re.IGNORECASE)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise FactsError(f"{label}, price_yuan: {text!r} 不是数字 is not a number", where)
    if amount < 0:
        raise FactsError(f"{label}, price_yuan: {text!r} 不得为负数 must not be negative", where)
    return amount


def _date(text: str, label: str, where: str) -> dt.date:
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    try:
        if match is None:
            raise ValueError
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise FactsError(
            f"{label}, date: {text!r} 不是日期 is not a date (YYYY-MM-DD)", where
        ) from None


def _facts(
    party: Party,
    items: Mapping[str, int],
    *,
    resold: bool,
    where: str,
    index: int,
    gains: Decimal | None = None,
    held: Mapping[str, int] | None = None,
) -> Facts:
    """The party's ``law.Facts``: its stated facts, the counted items (an insider's held
    items apart), and the gains.

    ``gains`` (the declared prices of what it sold) stands in for ``illegal_gains_yuan`` only
    when the facts do not state it.
    """
    prefix = f"parties[{index}].facts"
    if "items" in party.facts:
        raise FactsError(
            f"字段 field {prefix}.items: 条数由证据计算，不能填写 "
            "items are counted from the evidence, not stated",
            where,
        )
    if "held_items" in party.facts:
        raise FactsError(
            f"字段 field {prefix}.held_items: 条数由证据计算，不能填写 "
            "items are counted from the evidence, not stated",
            where,
        )
    if "role" in party.facts:
        raise FactsError(
            f"字段 field {prefix}.role: 身份填在当事人上，不填在 facts 中 "
            "give the role on the party, not in facts",
            where,
        )
    data = {
        **party.facts,
        "role": party.role,
        "items": {t: items.get(t, 0) for t in TIERS},
        "held_items": {t: (held or {}).get(t, 0) for t in TIERS},
        "resold": bool(party.facts.get("resold", False)) or resold,
    }
    if gains is not None and "illegal_gains_yuan" not in party.facts:
        data["illegal_gains_yuan"] = gains
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        reason = describe(exc).replace("字段 field ", f"字段 field {prefix}.")
        raise FactsError(reason, where) from None


@dataclass(frozen=True)
class Given:
    """What one party passed to one buyer in one transfer: what Art. 11 adds up.

    ``within``, when given, keeps only the items also found in those files: an inferred
    transfer (``leaktrace.chain``) passes what the buyer holds *and* the seller held.
    """

    buyer: str
    type: Literal["sold", "provided"]
    evidence: tuple[str, ...]
    within: tuple[str, ...] | None = None


def declared(case: Case, party: str) -> list[Given]:
    """The party's declared transfers as :class:`Given`."""
    return [Given(t.buyer, t.type, tuple(t.evidence)) for t in case.transfers if t.seller == party]


@dataclass
class PartyCounts:
    """One party's items per category under Art. 11, and how they add up."""

    party: str
    obtained: Counter[str] = field(default_factory=Counter)
    """Distinct items in everything the party obtained."""
    sold: dict[str, Counter[str]] = field(default_factory=dict)
    """Per buyer: distinct items sold or provided to that buyer."""
    kept: Counter[str] = field(default_factory=Counter)
    """Distinct items obtained and sold to no one."""
    bare_phone: int = 0
    by_type: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)
    """``sold`` / ``provided`` -> buyer -> distinct items passed that way to that buyer."""
    insider: bool = False
    """An insider's items are what they passed on; what they kept is ``held``."""

    def by_category(self) -> Counter[str]:
        """Items counted for the party: sum over buyers, plus obtained and never sold (for an
        insider, only the sum over buyers: see :meth:`held`)."""
        total = Counter() if self.insider else Counter(self.kept)
        for per_buyer in self.sold.values():
            total.update(per_buyer)
        return total

    def held(self) -> Counter[str]:
        """An insider's items obtained and passed to no one (empty for other parties)."""
        return Counter(self.kept) if self.insider else Counter()

    def items(self, policy: Policy) -> Counter[str]:
        return _tiers(self.by_category(), policy)

    def held_items(self, policy: Policy) -> Counter[str]:
        return _tiers(self.held(), policy)

    def passed(self, how: str) -> int:
        """Items sold (or provided), summed over buyers as Art. 11 counts them."""
        return sum(sum(c.values()) for c in self.by_type.get(how, {}).values())

    def to_json(self, policy: Policy) -> dict[str, Any]:
        return {
            "items": dict(self.items(policy)),
            "by_category": dict(sorted(self.by_category().items())),
            "obtained": dict(sorted(self.obtained.items())),
            "sold": {b: dict(sorted(c.items())) for b, c in self.sold.items()},
            "kept": dict(sorted(self.kept.items())),
            "held": dict(self.held_items(policy)) if self.insider else None,
            "bare_phone": self.bare_phone,
            "rule": (
                "Art. 5 ¶1(8), Art. 11: an insider's items are the sum over buyers of distinct "
                "items sold or provided to each; items held and passed to no one ('held') count "
                "only when obtained illegally, and then against the full standards"
                if self.insider
                else "Art. 11: sum over buyers of distinct items sold or provided to each, plus "
                "distinct items obtained and sold to no one"
            ),
        }


def _tiers(by_category: Counter[str], policy: Policy) -> Counter[str]:
    out: Counter[str] = Counter({t: 0 for t in TIERS})
    for cat, n in by_category.items():
        out[policy.tier_of(cat)] += n
    return out


@dataclass
class CaseCounts:
    """Counts for every party, and the evidence they came from."""

    parties: dict[str, PartyCounts]
    files: list[dict[str, Any]]


Groups = dict[str, tuple[list[int], list[int]]]


class CaseReader:
    """Every evidence file of a case read once; then any number of Art. 11 tallies over it.

    ``count_case`` asks for the parties' counts once; ``leaktrace.chain`` also asks how much of
    one party's lists another party's lists contain, and counts again with inferred transfers.
    Use as a context manager: the spilled items are removed on exit.
    """

    def __init__(
        self, case: Case, policy: Policy | None = None, *, progress: Progress | None = None
    ) -> None:
        self.case = case
        self.policy = policy if policy is not None else load_policy()
        for i, declared_kind in enumerate(case.evidence):
            if declared_kind.kind not in self.policy.kinds:
                raise FactsError(
                    f"字段 field evidence[{i}].kind: 未知数据集种类 "
                    f"unknown dataset kind {declared_kind.kind!r} "
                    f"(the policy knows {', '.join(self.policy.kinds)})",
                    str(case.dir / CASE_FILE),
                )
        self.run = Run(self.policy, progress=progress)
        self.sources: dict[str, list[int]] = {}
        try:
            for path in case.paths():
                self.sources[path] = self.run.read(case.dir / path, case.kind_of(path))
                if self.run.errors:
                    failure = self.run.errors[0]
                    raise InputError(failure.reason, failure.path)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> CaseReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.run.items.close()

    def ids(self, paths: Iterable[str]) -> list[int]:
        """Source ids of these evidence paths (archive members included)."""
        return sorted({s for p in paths for s in self.sources[p]})

    @property
    def files(self) -> list[dict[str, Any]]:
        """Every file read, its path relative to the case folder (archive members as
        ``archive.zip!member``), so results do not depend on where the case sits."""
        return [
            {
                "path": case_relative(f.path, self.case.dir),
                "sha256": f.sha256,
                "size": f.size,
                "records_read": f.records_read,
            }
            for f in self.run.files
        ]

    def tally(self, groups: Groups) -> tuple[dict[str, Counter[str]], dict[str, int]]:
        """Distinct items per category of each group ``(include, exclude)``, and bare phones."""
        self.run.link_persons()
        result = tally(self.run.items.groups(), groups, sources=len(self.run.files))
        names = self.run.categoriser.ids
        cats = {
            g: Counter({names[c]: n for c, n in result.groups.get(g, Counter()).items() if n})
            for g in groups
        }
        bare = {g: sum(result.group_bare.get(g, Counter()).values()) for g in groups}
        return cats, bare

    def counts(self, given: Mapping[str, Sequence[Given]] | None = None) -> dict[str, PartyCounts]:
        """Every party's Art. 11 counts; ``given`` (party -> transfers) replaces the declared."""
        given = given if given is not None else {}
        groups: Groups = {}
        plans: dict[str, dict[str, list[Given]]] = {}
        for party in self.case.parties:
            out = (
                list(given[party.name]) if party.name in given else declared(self.case, party.name)
            )
            per_buyer: dict[str, list[Given]] = {}
            for g in out:
                per_buyer.setdefault(g.buyer, []).append(g)
            plans[party.name] = per_buyer
            obtained = self.ids(self.case.obtained_by(party.name))
            passed = self.ids(p for g in out for p in g.evidence)
            groups[_group(party.name, "obtained")] = (obtained, [])
            groups[_group(party.name, "kept")] = (obtained, passed)
            for buyer, gs in per_buyer.items():
                groups.update(self._given_groups(_group(party.name, "to", buyer), gs))
                for how in ("sold", "provided"):
                    typed = [g for g in gs if g.type == how]
                    if typed:
                        groups.update(self._given_groups(_group(party.name, how, buyer), typed))
        cats, bare = self.tally(groups)

        def given_items(name: str) -> Counter[str]:
            inside = Counter(cats[name])
            inside.subtract(cats.get(name + "\x1foutside", Counter()))
            return +inside

        parties: dict[str, PartyCounts] = {}
        for party in self.case.parties:
            counts = PartyCounts(party.name, insider=party.role == "insider")
            counts.obtained = cats[_group(party.name, "obtained")]
            counts.kept = cats[_group(party.name, "kept")]
            counts.bare_phone = bare[_group(party.name, "kept")]
            for buyer, gs in plans[party.name].items():
                counts.sold[buyer] = given_items(_group(party.name, "to", buyer))
                counts.bare_phone += bare[_group(party.name, "to", buyer)]
                for how in ("sold", "provided"):
                    if any(g.type == how for g in gs):
                        counts.by_type.setdefault(how, {})[buyer] = given_items(
                            _group(party.name, how, buyer)
                        )
            parties[party.name] = counts
        return parties

    def _given_groups(self, name: str, gs: Sequence[Given]) -> Groups:
        """Groups for what went to one buyer: all of it, and (inferred) what lies outside."""
        within = [g.within for g in gs if g.within is not None]
        if within and len(gs) > 1:
            raise ValueError("an inferred transfer cannot share a buyer with another transfer")
        evidence = self.ids(p for g in gs for p in g.evidence)
        out: Groups = {name: (evidence, [])}
        if within:
            out[name + "\x1foutside"] = (evidence, self.ids(within[0]))
        return out


def count_case(
    case: Case, policy: Policy | None = None, *, progress: Progress | None = None
) -> CaseCounts:
    """Count each party's items per Art. 11; every evidence file is read once.

    An evidence file that cannot be read stops the case with an InputError: a party's count
    would otherwise be silently short.
    """
    with CaseReader(case, policy, progress=progress) as reader:
        return CaseCounts(reader.counts(), reader.files)


def _group(*parts: str) -> str:
    return "\x1f".join(parts)


@dataclass
class PartyResult:
    party: str
    role: str
    counts: PartyCounts
    facts: Facts
    finding: Finding

    def to_json(self, policy: Policy) -> dict[str, Any]:
        return {
            "party": self.party,
            "role": self.role,
            "counts": self.counts.to_json(policy),
            "finding": self.finding.to_json(),
        }


@dataclass
class CaseResult:
    """One finding per party, with the counts that led to it."""

    name: str | None
    policy: Policy
    parties: list[PartyResult]
    files: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        """The JSON shape documented in ``docs/count.md`` ("Cases")."""
        return {
            "case": self.name,
            "policy": {"name": self.policy.name, "sha256": self.policy.sha256},
            "parties": [p.to_json(self.policy) for p in self.parties],
            "files": self.files,
        }


def assess_case(
    case_dir: Path, policy: Policy | None = None, *, progress: Progress | None = None
) -> CaseResult:
    """Load a case folder, count each party's items per Art. 11 and assess each party."""
    policy = policy if policy is not None else load_policy()
    case = load_case(case_dir)
    counted = count_case(case, policy, progress=progress)
    where = str(case_dir / CASE_FILE)
    results = []
    for index, party in enumerate(case.parties):
        counts = counted.parties[party.name]
        resold = bool(case.sold_by(party.name))
        facts = _facts(
            party,
            counts.items(policy),
            resold=resold,
            where=where,
            index=index,
            gains=case.gains_of(party.name),
            held=counts.held_items(policy),
        )
        results.append(PartyResult(party.name, party.role, counts, facts, assess(facts, policy)))
    return CaseResult(case.name, policy, results, counted.files)


def case_relative(path: str, case_dir: Path) -> str:
    """``path`` relative to ``case_dir`` when it lies under it, else as it is; an archive member
    keeps its ``!/inner`` part."""
    outer, bang, inner = path.partition("!")
    full, root = Path(outer).resolve(), case_dir.resolve()
    if full.is_relative_to(root):
        outer = full.relative_to(root).as_posix()
    return outer + bang + inner
