"""Lists of one estate that hold the same people under different identifiers, with the truth.

Person linkage (issue 14) is tested against this, not against the code's own output. Five lists
of the estate 嘉绿苑, each keeping another subset of its residents' identifiers, as the lists a
case actually gathers do:

=====================  ==============================================  =====================
file                   columns                                         what it traps
=====================  ==============================================  =====================
业主名册.xlsx          姓名, 身份证号, 联系电话, 房号                   estate only in the title
                                                                       row; couples' rows with
                                                                       one family phone
售楼处来电.csv         来电号码, 意向, 来电日期                          mobile alone
装修客户.csv           姓名, 小区, 房号                                  name + room alone;
                                                                       namesakes in other rooms
实名认证.csv           证件号码, 电子邮箱                                ID beside e-mail
会员名单.csv           邮箱, 手机                                        e-mail beside mobile
=====================  ==============================================  =====================

Identifiers are written the ways lists write them (``+86 138 …``, ``138-…``, full-width digits,
a lowercase ``x``, 15-digit old ID numbers), never untrue or masked, so that what the evidence
proves is known exactly: ``truth.json`` gives ``persons`` (how many people the lists hold) and
``linked_persons`` (how many the linking rules of issue 14 can prove: a row whose only
identifier is a couple's family phone, with no name, cannot be told to be either spouse and
stays apart from both; such rows of one phone are one item). Both are counted here from the
generator's own person ids and canonical values, with networkx, never with LeakTrace's linkage.

Layout under ``out``::

    evidence/       the five lists
    truth/rows.csv  file, row (0-based data row), person_id, ambiguous, for every written row
    truth/people.csv the people (canonical values), one row per person_id
    truth.json      the counts, per-list membership and the traps
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import polars as pl

from leaktrace.synth._noise import NoiseRates, noisy
from leaktrace.synth._people import residents
from leaktrace.synth.story import _render

LINKED_SCHEMA = "leaktrace.synth.linked/1"
ESTATE = "嘉绿苑"
TITLE = f"{ESTATE}业主名册（2018年）"

RATES = NoiseRates(variant=0.4, invalid=0.0, masked=0.0, typo=0.0, duplicate=0.02)
"""Written forms vary, but no value is untrue, masked or misspelt: the truth is exact."""

COUPLE_SHARE = 0.3
"""Share of flats where a couple lives; in the owner register both spouses give the family
phone (the husband's mobile)."""
NAMESAKE_SHARE = 0.05
"""Share of people who bear the name of someone in another flat."""


@dataclass(frozen=True)
class _Spec:
    path: str
    columns: dict[str, str]
    share: float
    fmt: str
    title: str | None = None
    family_phone: bool = False


LISTS: tuple[_Spec, ...] = (
    _Spec(
        "业主名册.xlsx",
        {"姓名": "name", "身份证号": "cn_id", "联系电话": "mobile", "房号": "room"},
        0.8,
        "xlsx",
        title=TITLE,
        family_phone=True,
    ),
    _Spec("售楼处来电.csv", {"来电号码": "mobile", "意向": "note", "来电日期": "date"}, 0.4, "csv"),
    _Spec("装修客户.csv", {"姓名": "name", "小区": "community", "房号": "room"}, 0.5, "csv"),
    _Spec("实名认证.csv", {"证件号码": "cn_id", "电子邮箱": "email"}, 0.35, "csv"),
    _Spec("会员名单.csv", {"邮箱": "email", "手机": "mobile"}, 0.35, "csv"),
)

_LINKING = ("cn_id", "mobile", "email")
_PLACE = ("building", "unit", "room")


def write_linked_lists(out: Path, seed: int, *, flats: int = 400) -> Path:
    """Write the five lists of ``flats`` flats' residents under ``out``; return truth.json."""
    if flats <= 0:
        raise ValueError("flats must be positive")
    out = Path(out)
    rng = np.random.default_rng(seed)
    people, spouse = _population(seed, flats, rng)
    rows: list[pl.DataFrame] = []
    lists: list[dict[str, Any]] = []
    for i, spec in enumerate(LISTS):
        chosen = _members(people, spouse, spec, rng)
        shown = _shown(people, spouse, chosen, spec)
        made = noisy(shown, spec.columns, seed * 100 + i, rates=RATES)
        target = out / "evidence" / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_render(made, spec.columns, spec.fmt, "utf-8", spec.title))
        who = made.person_id.cast(pl.Int64)
        # the values each written row shows, canonical (noise changes only how they are written)
        values = pl.DataFrame({"person_id": who}).join(
            shown.select("person_id", *_shown_fields(spec)),
            on="person_id",
            how="left",
            maintain_order="left",
        )
        rows.append(
            pl.DataFrame(
                {
                    "file": [spec.path] * made.frame.height,
                    "row": np.arange(made.frame.height, dtype=np.int64),
                    "person_id": who,
                }
            ).hstack(values.drop("person_id").select(_all_fields(values)))
        )
        lists.append(
            {
                "path": spec.path,
                "rows": made.frame.height,
                "persons": who.n_unique(),
                "members": sorted(who.unique().to_list()),
                "identifiers": sorted(set(spec.columns.values()) & {*_LINKING, "name", "room"}),
                "title": spec.title,
            }
        )
    table = pl.concat(rows, how="diagonal_relaxed").with_columns(
        pl.lit(None, pl.String).alias(c)
        for c in (*_LINKING, "name", "community", *_PLACE)
        if c not in {c for r in rows for c in r.columns}
    )
    table = table.with_columns(_ambiguous(table).alias("ambiguous"))
    linked = _linked_persons(table)
    truth_dir = out / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    table.select("file", "row", "person_id", "ambiguous").write_csv(truth_dir / "rows.csv")
    people.filter(pl.col("person_id").is_in(table.get_column("person_id").implode())).select(
        "person_id", "name", "cn_id", "mobile", "email", "community", *_PLACE
    ).write_csv(truth_dir / "people.csv")
    shared = _shared_mobiles(table)
    index = {
        "schema": LINKED_SCHEMA,
        "seed": seed,
        "flats": flats,
        "estate": ESTATE,
        "evidence_dir": "evidence",
        "records": table.height,
        "persons": table.get_column("person_id").n_unique(),
        "linked_persons": linked,
        "lists": lists,
        "traps": {
            "couples": len(spouse),
            "couples_sharing_a_phone": shared.len(),
            "family_phone_rows_without_name": int(table.get_column("ambiguous").sum()),
            "namesakes_in_other_rooms": _namesakes(people),
            "estate_only_in_title": [s.path for s in LISTS if s.title is not None],
        },
        "shared_mobiles": sorted(shared.to_list()),
    }
    path = out / "truth.json"
    path.write_text(json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _population(seed: int, flats: int, rng: np.random.Generator) -> tuple[pl.DataFrame, dict]:
    """Residents of ``flats`` flats of the estate, a couple in some; and wife -> husband ids."""
    pool = residents(flats * 3 + 100, seed=seed, communities=[ESTATE])
    pool = pool.unique("mobile", keep="first", maintain_order=True)
    pool = pool.unique("cn_id", keep="first", maintain_order=True)
    pool = pool.unique("email", keep="first", maintain_order=True)
    heads = pool.unique(list(_PLACE), keep="first", maintain_order=True).head(flats)
    if heads.height < flats:
        raise ValueError(f"the estate {ESTATE} has fewer than {flats} flats")
    rest = pool.join(heads.select("person_id"), on="person_id", how="anti")
    couples = round(flats * COUPLE_SHARE)
    wives = rest.head(couples).with_columns(
        heads.head(couples).select(*_PLACE, "address").get_columns()
    )
    # spouses never share a name (two people of one name in one flat are not told apart)
    clash = wives.get_column("name") == heads.head(couples).get_column("name")
    wives = wives.with_columns(
        pl.when(pl.Series(clash)).then(pl.col("name") + "芳").otherwise(pl.col("name"))
    )
    people = pl.concat([heads, wives.select(heads.columns)])
    # namesakes: some take the name of someone in another flat
    n = people.height
    takers = rng.choice(n, size=round(n * NAMESAKE_SHARE), replace=False)
    givers = rng.integers(0, n, size=takers.size)
    names = people.get_column("name").to_list()
    place = people.select(pl.concat_str(_PLACE, separator="-")).to_series().to_list()
    for t, g in zip(takers.tolist(), givers.tolist(), strict=True):
        if place[t] != place[g]:
            names[t] = names[g]
    people = people.with_columns(pl.Series("name", names))
    spouse = dict(
        zip(
            wives.get_column("person_id").to_list(),
            heads.head(couples).get_column("person_id").to_list(),
            strict=True,
        )
    )
    return people.with_columns(pl.col("person_id").cast(pl.Int64)), spouse


def _members(
    people: pl.DataFrame, spouse: dict, spec: _Spec, rng: np.random.Generator
) -> pl.DataFrame:
    """The people a list holds: a share of them; in the register, both spouses or neither."""
    if not spec.family_phone:
        chosen = people.filter(pl.Series(rng.random(people.height) < spec.share))
        return chosen[rng.permutation(chosen.height).tolist()]  # each list in its own order
    husband_of = spouse
    pick = rng.random(people.height) < spec.share
    ids = people.get_column("person_id").to_list()
    picked = {p for p, k in zip(ids, pick.tolist(), strict=True) if k and p not in husband_of}
    keep = [p in picked or (p in husband_of and husband_of[p] in picked) for p in ids]
    register = people.filter(pl.Series(keep))
    return register.sort([pl.col(c).cast(pl.Int64) for c in _PLACE], maintain_order=True)


def _shown(people: pl.DataFrame, spouse: dict, chosen: pl.DataFrame, spec: _Spec) -> pl.DataFrame:
    """The people as the list shows them: in the register a wife gives the family phone."""
    if not spec.family_phone:
        return chosen
    phone = dict(people.select("person_id", "mobile").iter_rows())
    family = {w: phone[h] for w, h in spouse.items()}
    return chosen.with_columns(
        pl.col("person_id")
        .replace_strict(family, default=None, return_dtype=pl.String)
        .fill_null(pl.col("mobile"))
        .alias("mobile")
    )


def _shown_fields(spec: _Spec) -> list[str]:
    fields = [f for f in spec.columns.values() if f in (*_LINKING, "name", "community")]
    if "room" in spec.columns.values():
        fields += list(_PLACE)
    return fields


def _all_fields(values: pl.DataFrame) -> list[str]:
    return [c for c in (*_LINKING, "name", "community", *_PLACE) if c in values.columns]


def _ambiguous(table: pl.DataFrame) -> pl.Expr:
    """Rows whose only identifier is a phone that two people's rows show, and no name."""
    others = [pl.col(c).is_null() for c in ("cn_id", "email", "name")]
    shared = pl.col("mobile").is_in(_shared_mobiles(table).implode()).fill_null(False)
    return shared & pl.all_horizontal(others)


def _linked_persons(table: pl.DataFrame) -> int:
    """How many people the evidence proves, counted as components of a graph of rows.

    Rows of one person join when they show one identifier, or the same name in the same
    building, unit and room. A family phone (one that rows of two people show) joins only rows
    that also show the same name; a row that shows it and nothing else (ambiguous) joins only
    the other such rows of that phone: they repeat one item, which the evidence cannot give to
    either spouse. Rows of two people never join otherwise: the generator made no identifier
    shared by two people but the family phones, and no namesakes in one flat.
    """
    graph: nx.Graph = nx.Graph()
    graph.add_nodes_from(range(table.height))
    shared = _shared_mobiles(table)
    frame = table.with_row_index("node").with_columns(
        pl.when(~pl.col("mobile").is_in(shared.implode())).then(pl.col("mobile")).alias("_own"),
        pl.when(pl.col("ambiguous")).then(pl.col("mobile")).alias("_alone"),
    )
    joins = (
        ["person_id", "cn_id"],
        ["person_id", "email"],
        ["person_id", "_own"],
        ["person_id", "mobile", "name"],
        ["_alone"],
        ["person_id", "name", *_PLACE],
    )
    for keys in joins:
        for group in frame.drop_nulls(keys).group_by(keys).agg("node").get_column("node"):
            nodes = group.to_list()
            graph.add_edges_from(itertools.pairwise(nodes))
    return nx.number_connected_components(graph)


def _shared_mobiles(table: pl.DataFrame) -> pl.Series:
    """Mobiles that rows of two or more people show (the couples' family phones)."""
    return (
        table.drop_nulls("mobile")
        .group_by("mobile")
        .agg(pl.col("person_id").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
        .get_column("mobile")
    )


def _namesakes(people: pl.DataFrame) -> int:
    """People whose name someone in another flat bears too."""
    flats = people.group_by("name").agg(pl.concat_str(_PLACE, separator="-").n_unique().alias("n"))
    return int(people.join(flats.filter(pl.col("n") > 1), on="name").height)
