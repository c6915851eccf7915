"""Chat exports: personal information inside sentences, with the true spans.

Lists are not the only way data leaks; brokers paste it into chats ("业主张伟电话13812345678住金都
花园3幢2单元1201室"). Each message is assembled piece by piece so the character offsets of every
value are known exactly. Offsets count Python characters (code points), ``end`` exclusive.

Span types: a community name followed by its room (``金都花园3幢2单元1201室``) and a full postal
address are ``address``; a bare room (``3幢2单元1201室``) is ``room``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from leaktrace.synth._noise import NoiseRates, apply_noise

# Pieces of a template: literal text, or "{field}" for a person's value of that type.
#
# Written for the generator alone: the detector finds names and addresses with a tagger trained
# on newswire (MSRA) and keeps no cue list for them, and these sentences do not repeat its few
# cues for numbers (QQ, 微信, 电话...) except where the number has no other sign (a QQ number is
# only a QQ number when someone says so). tests/detect/test_accuracy.py checks that the name and
# address spans here are not introduced by a word of the detector's lists.
_TEMPLATES: tuple[tuple[str, ...], ...] = (
    ("房子登记在", "{name}", "名下，人就在", "{home}"),
    ("{name}", "这个人，证件", "{cn_id}", "，另外一个号", "{mobile}"),
    ("麻烦确认", "{mobile}", "现在是谁在用"),
    ("整理好了：", "{name}", "，", "{mobile}", "，", "{address}"),
    ("{bank_card}", "这张卡开户的是", "{name}", "，在城西支行办的"),
    ("{plate}", "这台车登记的是", "{name}", "，号码", "{mobile}"),
    ("租客搬走了，", "{room}", "空着，证件", "{cn_id}", "留在物业"),
    ("{name}", "的邮件地址", "{email}", "，QQ：", "{qq}"),
    ("昨天找", "{name}", "经理对过账，没问题"),
    ("{name}", "老师让家长周五前回复"),
    ("货到了就送", "{address}", "，签收人", "{name}"),
    ("之前那单", "{name}", "反映没收到，寄的是", "{home}"),
    ("核对下身份：", "{cn_id}", "，本人", "{name}"),
    ("今晚群里发的那批数据还要吗？",),
    ("价格好商量，一条五毛",),
    ("好的，明天给你",),
    ("@管理员 今天的更新到了没",),
    ("主队让球1.95.2.10，谁跟",),
    ("升级到3.1.2.5版本之后就正常了",),
)

_FALLBACK = ("好的，明天给你",)

# Brokers' chats are mostly data; small talk is the minority.
_WEIGHTS = [4 if any(p.startswith("{") for p in t) else 1 for t in _TEMPLATES]

_SENDERS = ("老周", "收数据", "阿飞_", "B站小号", "li2019", "夜猫子", "代查")


@dataclass(frozen=True)
class Chat:
    """Messages with their truth: the table rows and one row per span in ``spans``."""

    frame: pl.DataFrame
    spans: pl.DataFrame
    person_id: pl.Series


def chat_messages(people: pl.DataFrame, seed: int, rows: int) -> Chat:
    """``rows`` chat messages about ``people`` (drawn at random), with their true spans."""
    r = random.Random(seed)
    rates = NoiseRates(variant=0.25, invalid=0.05, masked=0.08, typo=0.0, duplicate=0.0)
    records = people.to_dicts()
    times: list[str] = []
    senders: list[str] = []
    messages: list[str] = []
    persons: list[int | None] = []
    spans: list[dict[str, object]] = []
    for row in range(rows):
        person = r.choice(records) if records else None
        template = r.choices(_TEMPLATES, weights=_WEIGHTS)[0]
        if person is None or _needs_missing(template, person):
            template = _FALLBACK
        text, found = _render(template, person or {}, r, rates)
        for type_id, start, end, status in found:
            spans.append(
                {
                    "row": row,
                    "column": "消息",
                    "type": type_id,
                    "start": start,
                    "end": end,
                    "status": status,
                    "text": text[start:end],
                }
            )
        times.append(
            f"2021-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} "
            f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}"
        )
        senders.append(r.choice(_SENDERS))
        messages.append(text)
        persons.append(int(person["person_id"]) if found and person else None)
    frame = pl.DataFrame({"时间": times, "发送人": senders, "消息": messages})
    span_schema = {
        "row": pl.Int64,
        "column": pl.String,
        "type": pl.String,
        "start": pl.Int64,
        "end": pl.Int64,
        "status": pl.String,
        "text": pl.String,
    }
    return Chat(frame, pl.DataFrame(spans, schema=span_schema), pl.Series("person_id", persons))


def _field(name: str, person: dict[str, object]) -> tuple[str, str | None]:
    """(type id, true text) of a template field for ``person``."""
    if name == "home":
        room = _room(person)
        return "address", None if room is None else f"{person['community']}{room}"
    if name == "room":
        return "room", _room(person)
    value = person.get(name)
    return name, None if value is None else str(value)


def _room(person: dict[str, object]) -> str | None:
    return f"{person['building']}幢{person['unit']}单元{person['room']}室"


def _needs_missing(template: Sequence[str], person: dict[str, object]) -> bool:
    fields = [p[1:-1] for p in template if p.startswith("{")]
    return any(_field(f, person)[1] is None for f in fields)


def _render(
    template: Sequence[str], person: dict[str, object], r: random.Random, rates: NoiseRates
) -> tuple[str, list[tuple[str, int, int, str]]]:
    text = ""
    found: list[tuple[str, int, int, str]] = []
    for piece in template:
        if not piece.startswith("{"):
            text += piece
            continue
        type_id, value = _field(piece[1:-1], person)
        assert value is not None  # _needs_missing ruled this out
        shown, status = apply_noise(value, type_id, rates, r, no_spaces=True)
        found.append((type_id, len(text), len(text) + len(shown), status))
        text += shown
    return text, found
