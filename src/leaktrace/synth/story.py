"""The source story as a case folder: owner lists sold along a chain, with every party's truth.

In the story, owner lists move from a developer's salesperson and a property company's staff to
decoration companies and estate agencies, who resell them. :func:`write_story_case` writes that
as a complete case folder, the way investigators would assemble it::

    case.toml      parties, declared transfers (date, price, channel), dataset kinds, facts
    evidence/      what was seized from each party, one folder per party, in messy formats
                   (XLSX with a title row, GBK CSV, legacy XLS, tab-separated TXT, JSON)
    sources/       the holders' own databases (the developer's customer base, the property
                   company's owner register): candidates for ``leaktrace match``
    truth.json     every party's expected Art. 11 counts, gains, trade role, the transfers
                   (declared and the one left undeclared) and which source each list came from

The parties (names are invented):

* 陈某, a developer's salesperson (insider), took 2,000 customer records, including all
  ``households`` households of the high-end estate 东方郡, and sold them to three buyers for
  21,000 yuan: all of them to the reseller 刘某 and to the store manager 黄某, the 东方郡 households
  to the decoration company employee 施某.
* 赵某, property-management staff (insider), took 1,500 owners of 嘉绿苑 from the register and
  sold 900 to the store manager 孙某 and the other 600 to 刘某.
* 黄某 and 孙某, store managers of the agency owner 童某, hand what they bought to his agency's
  customer database (provided, no price). 童某 was criminally detained before (not a penalty).
* 刘某, a reseller, merges what he bought (2,600 people) and sells the merged list to 周某; a
  1,000-row part of it is seized from 吴某, with no sale on record: the transfer ``chain``
  should infer (600 of the 嘉绿苑 rows and 400 of the others, so only 刘某's and 周某's lists
  contain it).

Every seized list is made with :func:`leaktrace.synth.noisy`: phones and rooms rewritten in
other valid forms, some phones masked or shown untrue (those rows do not count), a few rows
repeated. Every file is declared a ``home_owner_list``, so each countable row is one 500-tier
item of its person, keyed by the mobile number. The truth is computed from who each row is
about (``person_id``), never by the code under test; it follows Art. 11 as ``count_case`` does:
per party, the sum over buyers of the distinct items sold or provided to each, plus the distinct
items obtained and passed to no one.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import xlsxwriter
import xlwt

from leaktrace.synth._noise import NoiseRates, Noisy, noisy
from leaktrace.synth._people import residents

STORY_SCHEMA = "leaktrace.synth.story/1"

ESTATE = "东方郡"
"""The high-end estate whose households the decoration company bought."""
DEVELOPER_OTHER = ("江南春城", "锦绣江南")
"""The developer's other estates (its customer base holds their buyers too)."""
REGISTER_ESTATE = "嘉绿苑"
"""The estate whose owner register the property company keeps."""

SALES_LIST = 2_000
"""Records the salesperson took and sold."""
DEVELOPER_CUSTOMERS = 2_600
REGISTER_OWNERS = 1_600
INSIDER_LIST = 1_500
TO_SUN = 900
"""Of the property insider's list: to the store manager 孙某; the rest (600) to 刘某."""
UNDECLARED = (600, 400)
"""吴某's list: rows from the property insider's part and from the salesperson's part."""

RATES = NoiseRates(variant=0.35, invalid=0.01, masked=0.015, typo=0.01, duplicate=0.02)
"""Noise of seized lists; a holder's own database is clean."""
CLEAN = NoiseRates(variant=0.0, invalid=0.0, masked=0.0, typo=0.0, duplicate=0.0)

TIERS = ("sensitive", "important", "ordinary")


@dataclass
class _List:
    """One written file: its path (relative to the case folder) and who each countable row is."""

    path: str
    people: list[int]
    """person_id of every row written."""
    valid: set[int] = field(default_factory=set)
    """person_id of the rows that count (mobile valid)."""
    rows: int = 0


@dataclass(frozen=True)
class _Transfer:
    seller: str
    buyer: str
    evidence: str
    date: dt.date
    price: int | None
    channel: str
    type: str = "sold"


def write_story_case(out: Path, *, seed: int = 2017, households: int = 900) -> Path:
    """Write the story's case folder under ``out`` and return the path of ``case.toml``.

    ``households`` is the size of the estate 东方郡 (at least 10, at most 1,900: the salesperson's
    2,000 records include all of them). Same seed, same bytes.
    """
    if not 10 <= households <= 1_900:
        raise ValueError("households must be between 10 and 1,900")
    out = Path(out)
    rng = np.random.default_rng(seed)
    pool = _population(seed, households)
    ids = pool["person_id"].to_numpy()
    community = pool["community"].to_numpy()
    estate = ids[community == ESTATE]
    other = ids[np.isin(community, DEVELOPER_OTHER)]
    register = ids[community == REGISTER_ESTATE]

    developer = np.concatenate([estate, other])
    sales = np.concatenate([estate, rng.choice(other, SALES_LIST - households, replace=False)])
    sales = rng.permutation(sales)
    insider = rng.choice(register, INSIDER_LIST, replace=False)
    to_sun, to_liu = insider[:TO_SUN], insider[TO_SUN:]
    merged = rng.permutation(np.concatenate([sales, to_liu]))
    undeclared = rng.permutation(
        np.concatenate(
            [
                rng.choice(to_liu, UNDECLARED[0], replace=False),
                rng.choice(sales, UNDECLARED[1], replace=False),
            ]
        )
    )
    agency = rng.permutation(np.concatenate([sales, to_sun]))

    w = _Writer(out, pool, seed)
    lists = {
        "developer": w.write(
            "sources/开发商客户库.csv",
            developer,
            {
                "客户姓名": "name",
                "手机号": "mobile",
                "身份证号": "cn_id",
                "项目": "community",
                "房号": "room",
                "认购日期": "date",
            },
            rates=CLEAN,
            fmt="csv",
        ),
        "register": w.write(
            "sources/物业业主登记表.xlsx",
            register,
            {
                "业主姓名": "name",
                "联系电话": "mobile",
                "小区": "community",
                "房号": "room",
                "面积": "area",
                "交房日期": "date",
            },
            rates=CLEAN,
            fmt="xlsx",
            title="嘉绿苑业主登记表",
        ),
        "chen": w.write(
            "evidence/陈某/客户资料.xlsx",
            sales,
            {
                "客户姓名": "name",
                "手机号码": "mobile",
                "项目": "community",
                "房号": "room",
                "认购日期": "date",
            },
            fmt="xlsx",
            title="客户资料（内部）",
        ),
        "huang": w.write(
            "evidence/黄某/业主名单.csv",
            sales,
            {"姓名": "name", "电话": "mobile", "小区": "community", "房号": "room"},
            fmt="csv",
            encoding="gbk",
        ),
        "shi": w.write(
            "evidence/施某/东方郡业主.xls",
            rng.permutation(estate),
            {"业主": "name", "联系方式": "mobile", "房号": "room"},
            fmt="xls",
            title=f"{ESTATE}业主资料",
        ),
        "zhao": w.write(
            "evidence/赵某/业主登记.csv",
            insider,
            {
                "业主姓名": "name",
                "联系电话": "mobile",
                "小区": "community",
                "房号": "room",
                "交房日期": "date",
            },
            fmt="csv",
            encoding="utf-8-sig",
        ),
        "sun": w.write(
            "evidence/孙某/业主.txt",
            to_sun,
            {"姓名": "name", "手机": "mobile", "房号": "room"},
            fmt="tsv",
        ),
        "liu_from_chen": w.write(
            "evidence/刘某/微信文件/客户资料.xlsx",
            sales,
            {
                "客户姓名": "name",
                "手机号码": "mobile",
                "项目": "community",
                "房号": "room",
                "认购日期": "date",
            },
            fmt="xlsx",
            title="客户资料（内部）",
        ),
        "liu_from_zhao": w.write(
            "evidence/刘某/微信文件/业主.csv",
            to_liu,
            {"业主姓名": "name", "联系电话": "mobile", "小区": "community", "房号": "room"},
            fmt="csv",
        ),
        "liu_merged": w.write(
            "evidence/刘某/合并名单.xlsx",
            merged,
            {"姓名": "name", "手机": "mobile", "小区": "community", "房号": "room"},
            fmt="xlsx",
        ),
        "zhou": w.write(
            "evidence/周某/名单.json",
            merged,
            {"name": "name", "phone": "mobile", "community": "community", "room": "room"},
            fmt="json",
        ),
        "wu": w.write(
            "evidence/吴某/业主资料.xlsx",
            undeclared,
            {"业主姓名": "name", "手机号": "mobile", "小区": "community", "房号": "room"},
            fmt="xlsx",
        ),
        "tong": w.write(
            "evidence/童某/房源客户库.xlsx",
            agency,
            {
                "客户": "name",
                "手机": "mobile",
                "小区": "community",
                "房号": "room",
                "录入日期": "date",
            },
            fmt="xlsx",
            title="门店客户库",
        ),
    }
    parties = _parties(lists)
    transfers = _transfers(lists)
    case = out / "case.toml"
    case.write_text(_case_toml(parties, transfers, lists), encoding="utf-8")
    truth = _truth(seed, households, parties, transfers, lists)
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2), "utf-8")
    return case


# --- the people and the files ---------------------------------------------------------------


def _population(seed: int, households: int) -> pl.DataFrame:
    """Owners of the three estates, one person per flat and per mobile number."""
    parts = []
    for i, (estates, n) in enumerate(
        (
            ((ESTATE,), households),
            (DEVELOPER_OTHER, DEVELOPER_CUSTOMERS - households),
            ((REGISTER_ESTATE,), REGISTER_OWNERS),
        )
    ):
        people = residents(n * 2 + 50, seed=seed * 10 + i, communities=list(estates))
        people = people.unique(
            ["community", "building", "unit", "room"], keep="first", maintain_order=True
        )
        parts.append(people.head(n))
    pool = pl.concat(parts).unique("mobile", keep="first", maintain_order=True)
    if pool.height != DEVELOPER_CUSTOMERS + REGISTER_OWNERS:
        raise ValueError("the synthetic estates are too small for this story")
    return pool.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("person_id"))


class _Writer:
    """Writes one list per call: noisy text from the people, in one of the messy formats."""

    def __init__(self, out: Path, pool: pl.DataFrame, seed: int) -> None:
        self.out = out
        self.pool = pool
        self.seed = seed
        self.calls = 0

    def write(
        self,
        path: str,
        people: np.ndarray,
        columns: dict[str, str],
        *,
        fmt: str,
        rates: NoiseRates = RATES,
        encoding: str = "utf-8",
        title: str | None = None,
    ) -> _List:
        self.calls += 1
        chosen = self.pool[people.tolist()]
        made = noisy(chosen, columns, self.seed * 100 + self.calls, rates=rates)
        made = _dated(made, columns, self.seed)
        mobile = next(c for c, f in columns.items() if f == "mobile")
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_render(made, columns, fmt, encoding, title))
        who = made.person_id.to_list()
        ok = made.status[mobile].to_list()
        return _List(
            path,
            who,
            {p for p, s in zip(who, ok, strict=True) if s == "valid"},
            made.frame.height,
        )


def _dated(made: Noisy, columns: dict[str, str], seed: int) -> Noisy:
    """Date columns hold one date per person, the same in every list, before the sales of 2018.

    (The generic ``date`` field draws a fresh date per cell, up to 2023.)
    """
    dated = [c for c, f in columns.items() if f == "date"]
    if not dated:
        return made
    start = dt.date(2012, 1, 1).toordinal()
    days = ((made.person_id.cast(pl.Int64) * 7_919 + seed) % 2_190 + start).to_list()
    text = [dt.date.fromordinal(d).isoformat() for d in days]
    frame = made.frame.with_columns(pl.Series(c, text, dtype=pl.String) for c in dated)
    return Noisy(frame, made.status, made.forms, made.types, made.person_id)


def _render(
    made: Noisy, columns: dict[str, str], fmt: str, encoding: str, title: str | None
) -> bytes:
    frame = made.frame
    if fmt == "csv":
        return frame.write_csv().encode(encoding)
    if fmt == "tsv":
        return frame.write_csv(separator="\t").encode(encoding)
    if fmt == "json":
        text = json.dumps(frame.to_dicts(), ensure_ascii=False, indent=1)
        return text.encode("utf-8")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        book.set_properties({"created": dt.datetime(2018, 5, 1)})
        sheet = book.add_worksheet("Sheet1")
        top = 0
        if title is not None:
            sheet.merge_range(0, 0, 0, len(frame.columns) - 1, title)
            top = 1
        sheet.write_row(top, 0, frame.columns)
        for r, row in enumerate(frame.iter_rows(), start=top + 1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if columns[frame.columns[c]] == "area":
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write_string(r, c, value)
        book.close()
        return buffer.getvalue()
    if fmt == "xls":
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("Sheet1")
        top = 0
        if title is not None:
            sheet.write_merge(0, 0, 0, len(frame.columns) - 1, title)
            top = 1
        for c, name in enumerate(frame.columns):
            sheet.write(top, c, name)
        for r, row in enumerate(frame.iter_rows(), start=top + 1):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r}")


# --- the case -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Party:
    name: str
    legal_role: str
    trade_role: str
    obtained: tuple[str, ...]
    facts: dict[str, Any]
    note: str


def _parties(lists: dict[str, _List]) -> list[_Party]:
    return [
        _Party(
            "陈某",
            "insider",
            "source",
            (lists["chen"].path,),
            {"offence_date": dt.date(2018, 4, 2)},
            "开发商置业顾问，利用职务便利获取客户资料 a developer's salesperson",
        ),
        _Party(
            "赵某",
            "insider",
            "source",
            (lists["zhao"].path,),
            {"offence_date": dt.date(2018, 3, 25)},
            "物业公司员工，利用职务便利获取业主信息 property-management staff",
        ),
        _Party(
            "刘某",
            "outsider",
            "reseller",
            (lists["liu_merged"].path,),
            {"offence_date": dt.date(2018, 4, 20)},
            "倒卖者，合并后转售 a reseller who merges and resells",
        ),
        _Party(
            "黄某",
            "outsider",
            "reseller",
            (),
            {"offence_date": dt.date(2018, 3, 22)},
            "中介门店店长，购买名单交给童某 a store manager who buys lists for 童某",
        ),
        _Party(
            "孙某",
            "outsider",
            "reseller",
            (),
            {"offence_date": dt.date(2018, 3, 18)},
            "中介门店店长，购买名单交给童某 a store manager who buys lists for 童某",
        ),
        _Party(
            "施某",
            "lawful_business_buyer",
            "buyer",
            (),
            {"offence_date": dt.date(2018, 4, 2), "business_profit_yuan": 600_000},
            "装修公司员工，为经营购买业主信息 a decoration company's employee",
        ),
        _Party(
            "童某",
            "outsider",
            "buyer",
            (lists["tong"].path,),
            {"offence_date": dt.date(2018, 3, 22), "prior_criminal_detention": True},
            "房产中介老板，让店长购买业主信息 the agency owner",
        ),
        _Party(
            "周某",
            "outsider",
            "buyer",
            (),
            {"offence_date": dt.date(2018, 4, 20)},
            "买家 a buyer of the merged list",
        ),
        _Party(
            "吴某",
            "outsider",
            "buyer",
            (lists["wu"].path,),
            {"offence_date": dt.date(2018, 5, 6)},
            "买家，交易未查明 a buyer; no sale on record",
        ),
    ]


def _transfers(lists: dict[str, _List]) -> list[_Transfer]:
    d = dt.date
    return [
        _Transfer("陈某", "刘某", lists["liu_from_chen"].path, d(2018, 3, 10), 8_000, "微信"),
        _Transfer("赵某", "孙某", lists["sun"].path, d(2018, 3, 15), 2_700, "微信"),
        _Transfer("孙某", "童某", lists["sun"].path, d(2018, 3, 18), None, "U盘", "provided"),
        _Transfer("陈某", "黄某", lists["huang"].path, d(2018, 3, 20), 8_000, "QQ"),
        _Transfer("黄某", "童某", lists["huang"].path, d(2018, 3, 22), None, "U盘", "provided"),
        _Transfer("赵某", "刘某", lists["liu_from_zhao"].path, d(2018, 3, 25), 1_800, "微信"),
        _Transfer("陈某", "施某", lists["shi"].path, d(2018, 4, 2), 5_000, "U盘"),
        _Transfer("刘某", "周某", lists["zhou"].path, d(2018, 4, 20), 10_000, "QQ"),
    ]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, dt.date)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _case_toml(parties: list[_Party], transfers: list[_Transfer], lists: dict[str, _List]) -> str:
    lines = [
        "# 合成案例 synthetic case (leaktrace.synth.story): 业主信息从开发商置业顾问、物业员工",
        "# 流向装修公司与房产中介，再被倒卖。 Owner lists sold along a chain; all data synthetic.",
        'name = "某市业主信息倒卖案（合成）"',
        "",
    ]
    for p in parties:
        lines += [f"# {p.note}", "[[parties]]", f'name = "{p.name}"', f'role = "{p.legal_role}"']
        if p.obtained:
            lines.append("obtained = [" + ", ".join(f'"{o}"' for o in p.obtained) + "]")
        lines.append("[parties.facts]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in p.facts.items()]
        lines.append("")
    for t in transfers:
        lines += [
            "[[transfers]]",
            f'seller = "{t.seller}"',
            f'buyer = "{t.buyer}"',
            f'evidence = ["{t.evidence}"]',
            f'type = "{t.type}"',
        ]
        if t.price is not None:
            lines.append(f"price_yuan = {t.price}")
        lines += [f"date = {t.date.isoformat()}", f'channel = "{t.channel}"', ""]
    seized = [lst.path for key, lst in lists.items() if key not in ("developer", "register")]
    for path in seized:
        lines += ["[[evidence]]", f'path = "{path}"', 'kind = "home_owner_list"', ""]
    return "\n".join(lines)


# --- the truth ------------------------------------------------------------------------------


def _truth(
    seed: int,
    households: int,
    parties: list[_Party],
    transfers: list[_Transfer],
    lists: dict[str, _List],
) -> dict[str, Any]:
    by_path = {lst.path: lst for lst in lists.values()}

    def valid(paths: Sequence[str]) -> set[int]:
        out: set[int] = set()
        for p in paths:
            out |= by_path[p].valid
        return out

    out_parties = []
    for p in parties:
        received = [t.evidence for t in transfers if t.buyer == p.name]
        obtained = valid([*p.obtained, *received])
        given: dict[str, dict[str, set[int]]] = {"sold": {}, "provided": {}}
        for t in transfers:
            if t.seller == p.name:
                given[t.type].setdefault(t.buyer, set()).update(by_path[t.evidence].valid)
        buyers: dict[str, set[int]] = {}
        for kind in given.values():
            for buyer, people in kind.items():
                buyers.setdefault(buyer, set()).update(people)
        passed = set().union(*buyers.values()) if buyers else set()
        kept = obtained - passed
        items = sum(len(s) for s in buyers.values()) + len(kept)
        gains = sum(t.price or 0 for t in transfers if t.seller == p.name)
        out_parties.append(
            {
                "name": p.name,
                "role": p.trade_role,
                "legal_role": p.legal_role,
                "obtained": len(obtained),
                "sold": sum(len(s) for s in given["sold"].values()),
                "provided": sum(len(s) for s in given["provided"].values()),
                "kept": len(kept),
                "items": {"sensitive": 0, "important": items, "ordinary": 0},
                "by_category": {"other_safety": items} if items else {},
                "gains_yuan": gains,
            }
        )
    declared: list[dict[str, Any]] = [
        {
            "seller": t.seller,
            "buyer": t.buyer,
            "date": t.date.isoformat(),
            "type": t.type,
            "items": len(by_path[t.evidence].valid),
            "price_yuan": t.price,
            "channel": t.channel,
            "evidence": [t.evidence],
            "inferred": False,
        }
        for t in transfers
    ]
    wu = lists["wu"].valid
    liu = valid(
        ["evidence/刘某/合并名单.xlsx", *(t.evidence for t in transfers if t.buyer == "刘某")]
    )
    declared.append(
        {
            "seller": "刘某",
            "buyer": "吴某",
            "date": None,
            "type": "sold",
            "items": len(wu & liu),
            "price_yuan": None,
            "channel": None,
            "evidence": [lists["wu"].path],
            "inferred": True,
            "containment": len(wu & liu) / len(wu),
        }
    )
    # Counted with --count-inferred: the inferred sale adds what 吴某 holds that 刘某 held, and
    # 刘某 no longer keeps what he is inferred to have sold.
    zhou = lists["zhou"].valid
    kept = liu - zhou - wu
    sold = len(zhou) + len(wu & liu)
    with_inferred = {
        "刘某": {
            "obtained": len(liu),
            "sold": sold,
            "provided": 0,
            "kept": len(kept),
            "items": {"sensitive": 0, "important": sold + len(kept), "ordinary": 0},
        }
    }
    files = {
        lst.path: {"rows": lst.rows, "items": len(lst.valid), "people": len(set(lst.people))}
        for lst in lists.values()
    }
    origin = {
        lists[k].path: "sources/开发商客户库.csv" for k in ("chen", "huang", "shi", "liu_from_chen")
    } | {lists[k].path: "sources/物业业主登记表.xlsx" for k in ("zhao", "sun", "liu_from_zhao")}
    return {
        "schema": STORY_SCHEMA,
        "seed": seed,
        "households": households,
        "estate": ESTATE,
        "rule": (
            "Art. 11: per party, the sum over buyers of the distinct items sold or provided to "
            "each, plus the distinct items obtained and passed to no one; sold and provided are "
            "sums over buyers; declared transfers only (the inferred one is not counted)"
        ),
        "parties": out_parties,
        "with_inferred": with_inferred,
        "transfers": declared,
        "files": files,
        "origin": origin,
        "tiers": list(TIERS),
    }


__all__ = ["STORY_SCHEMA", "write_story_case"]
