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
_TEMPLATES: tuple[tuple[str, ...], ...] = (
    ("业主", "{name}", "电话", "{mobile}", "住", "{home}"),
    ("{name}", "的身份证号", "{cn_id}", "，手机", "{mobile}"),
    ("帮我查下", "{mobile}", "这个号码的机主"),
    ("收到，", "{name}", " ", "{mobile}", " ", "{address}"),
    ("卡号", "{bank_card}", "，户名", "{name}", "，开户行工行"),
    ("车牌", "{plate}", "的车主是", "{name}", "，电话", "{mobile}"),
    ("这个人住", "{room}", "，身份证", "{cn_id}"),
    ("邮箱", "{email}", "，QQ", "{qq}", "，都是", "{name}", "的"),
    ("今晚群里发的那批数据还要吗？",),
    ("价格好商量，一条五毛",),
    ("好的，明天给你",),
)

# Brokers' chats are mostly data; small talk is the minority.
_WEIGHTS = [4 if any(p.startswith("{") for p in t) else 1 for t in _TEMPLATES]

_SENDERS = ("老王", "数据哥", "小李_", "A阿杰", "zhang888", "晴天", "专业查询")


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
            template = _TEMPLATES[-1]
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
