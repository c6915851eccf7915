"""Personal information inside free text (chat exports, remarks): typed character spans.

Three passes, each cheap where there is nothing to find:

1. **Tokens.** One vectorised ``str.extract_all`` pulls every candidate token (digit runs with
   the separators people type, e-mails, coordinates, IPs, plates, letter-digit runs); every unit's
   vectorised ``status`` then types all tokens at once, in catalogue priority. Character offsets
   are recovered per found token (the only per-item Python), so cost follows what is found.
2. **Cued values.** QQ and WeChat numbers look like anything else; they count only after a cue
   (QQ, 扣扣, 微信, vx).
3. **Names, addresses and rooms.** Rows that can hold them (a surname next to a cue, a place
   name, a 幢/栋/单元 pattern) are picked with vectorised ``contains``; the exact spans come from
   Python regexes with look-around, which Polars' regex engine lacks.

Overlaps are resolved by priority: checked identifiers first, then addresses, rooms, names.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from leaktrace.detect._catalogue import CATALOGUE
from leaktrace.detect._data import bank_bins, place_names, plate_provinces, surnames
from leaktrace.detect._text import V, fold_series

SPAN_SCHEMA = {
    "row": pl.Int64,
    "type": pl.String,
    "start": pl.Int64,
    "end": pl.Int64,
    "text": pl.String,
    "status": pl.String,
}

# Token types in priority order (catalogue order); name/address/room and cued types apart.
_TOKEN_TYPES = (
    "email",
    "gps",
    "ip",
    "cn_id",
    "mobile",
    "bank_card",
    "landline",
    "uscc",
    "vin",
    "passport",
    "plate",
)
_PRIORITY = {t: i for i, t in enumerate((*_TOKEN_TYPES, "qq", "wechat", "address", "room", "name"))}
_HAN = "\u4e00-\u9fff"
# before an invalid-looking mobile in prose: a phone word, or a name and a space (张三 1201234...)
_PHONE_CUE = re.compile(
    r"(?:电话|手机|号码|联系|tel|TEL|Tel|查下|查查)[:：\s]*$|[\u4e00-\u9fff*]{2,4}\s$"
)


@cache
def _token_pattern() -> str:
    provinces = "".join(sorted(plate_provinces()))
    return "|".join(
        [
            r"[A-Za-z0-9._%+\-*]+@+[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*",  # e-mail, even broken
            r"-?\d{1,3}\.[\d*]{2,}\s?,\s?-?\d{1,3}\.[\d*]{2,}",  # coordinate pair
            r"\d{1,3}\.[\d*]{1,3}\.[\d*]{1,3}\.[\d*]{1,3}",  # IPv4
            r"[1-9]\.\d+[Ee]\+1[4-7]",  # an ID Excel turned into a float
            r"\(0\d{2,3}\)[\d*]{7,8}|0\d{2,3}-[\d*]{7,8}",  # landline with area code
            r"(?:\+86[\- ]?)?1[3-9*][\d*][\- ][\d*]{4}[\- ][\d*]{4}|\+86[\- ]?1[\d*]{10}",
            r"\d{6}[\- ]\d{8}[\- ]\d{3}[\dXx]",  # ID in groups
            r"[3-69]\d{3}(?:[\- ][\d*]{4}){3}(?:[\- ][\d*]{1,3})?",  # card in groups of four
            rf"[{provinces}][A-Za-z][·•]?[A-Za-z0-9*]{{4,6}}[挂学警港澳领]?",  # plate
            r"[A-Za-z0-9*]+",  # any other run of letters and digits
        ]
    )


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SPAN_SCHEMA)


# Which types a token can be, by its shape: validators only run on tokens that could pass them.
_SHAPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("@", ("email",)),
    (r"^[\d*.\-]+\.[\d*]", ("gps", "ip")),
    (r"^[1-9]\.\d+[Ee]\+", ("cn_id",)),
    (r"^[+(]?[\d*][\d*\- ()]{6,}[\dXx*]?$", ("cn_id", "mobile", "bank_card", "landline")),
    (r"^[A-Za-z0-9*]{7,18}$", ("uscc", "vin", "passport")),
    (r"^[^\x00-\x7f]", ("plate",)),
)


def _type_tokens(tokens: pl.Series) -> pl.DataFrame:
    """(type, status) of each token: the first type in priority order with a status."""
    frame = pl.DataFrame({"v": tokens}).with_row_index("i")
    found = []
    for pattern, types in _SHAPES:
        part = frame.filter(pl.col("v").str.contains(pattern))
        if part.height == 0:
            continue
        statuses = part.select("i", *[CATALOGUE[t].status_expr(V).alias(t) for t in types])
        type_col = pl.coalesce([pl.when(pl.col(t).is_not_null()).then(pl.lit(t)) for t in types])
        status_col = pl.coalesce([pl.col(t) for t in types])
        found.append(statuses.select("i", type_col.alias("type"), status_col.alias("status")))
    typed = pl.concat(found) if found else pl.DataFrame(schema={"i": pl.UInt32})
    typed = typed.filter(pl.col("type").is_not_null()) if found else typed
    if found:
        typed = (
            typed.with_columns(
                pl.col("type").replace_strict(_PRIORITY, return_dtype=pl.Int64).alias("rank")
            )
            .sort("i", "rank")
            .unique("i", keep="first")
        )
    result = frame.select("i").join(typed, on="i", how="left", maintain_order="left")
    if "type" not in result.columns:
        result = result.with_columns(
            pl.lit(None, pl.String).alias("type"), pl.lit(None, pl.String).alias("status")
        )
    return result.select("type", "status")


@cache
def _known_bins() -> frozenset[str]:
    return frozenset(bank_bins())


def _keep_in_text(type_id: str, status: str, token: str, before: str) -> bool:
    """Stricter than a column: an "invalid" value in prose must really look like its type."""
    if status != "invalid":
        return True
    digits = re.sub(r"\D", "", token)
    if type_id == "mobile":
        return digits[:2] in {"13", "14", "15", "16", "17", "18", "19"} or bool(
            _PHONE_CUE.search(before)
        )
    if type_id == "bank_card":
        return digits.startswith("62") or digits[:6] in _known_bins()
    if type_id == "landline":
        return "-" in token or "(" in token
    return True


def _token_spans(rows: pl.Series, texts: pl.Series) -> list[tuple[int, str, int, int, str]]:
    frame = pl.DataFrame({"row": rows, "text": texts})
    tokens = (
        frame.select("row", pl.col("text").str.extract_all(_token_pattern()).alias("tok"))
        .explode("tok")
        .drop_nulls("tok")
    )
    if tokens.height == 0:
        return []
    typed = pl.concat([tokens, _type_tokens(tokens["tok"])], how="horizontal")
    # a letter cue glued to a number (QQ12345, tel13812345678): drop the letters and retry
    untyped = typed.filter(pl.col("type").is_null() & pl.col("tok").str.contains(r"^[A-Za-z]+\d"))
    retry = untyped.select("row", "tok", pl.col("tok").str.replace(r"^[A-Za-z]+", "").alias("sub"))
    retyped = pl.concat([retry, _type_tokens(retry["sub"])], how="horizontal").filter(
        pl.col("type").is_not_null()
    )
    by_row: dict[int, str] = dict(zip(frame["row"].to_list(), texts.to_list(), strict=True))
    out: list[tuple[int, str, int, int, str]] = []
    cursor: dict[int, int] = {}
    hits = typed.with_columns(pl.lit(None, pl.String).alias("sub"))
    sub_type = {(r, t): (sub, ty, st) for r, t, sub, ty, st in retyped.iter_rows()}
    for row, tok, type_id, status, _ in hits.iter_rows():
        text = by_row[row]
        start = text.find(tok, cursor.get(row, 0))
        cursor[row] = start + len(tok)
        if type_id is None and (row, tok) in sub_type:
            sub, type_id, status = sub_type[(row, tok)]
            start += len(tok) - len(sub)
            tok = sub
        if type_id is None or start < 0:
            continue
        if _keep_in_text(type_id, status, tok, text[max(0, start - 8) : start]):
            out.append((row, type_id, start, start + len(tok), status))
    return out


@cache
def _surname_alt() -> str:
    single, compound = surnames()
    return "(?:" + "|".join(sorted(compound)) + "|[" + "".join(sorted(single)) + "])"


# Strong cues name the person on their own (业主张伟...); weak ones (start of text, a comma) only
# when a phone or ID word, or a space before a number, follows the name.
_NAME_CUES = (
    "业主", "户主", "户名", "车主是", "车主", "机主是", "机主", "姓名", "客户", "联系人", "收件人",
    "收货人", "租户", "房东", "都是", "叫",
)  # fmt: skip
_WEAK_CUES = ("，", ",", ":", "：")
_NAME_AFTER = r"电话|手机|的|，|,|。|\s|$|先生|女士|身份证|住|[:：]|\d|\+"
_WEAK_AFTER = r"电话|手机|的身份证|身份证|先生|女士|\s+[+\d]"
_NOT_GIVEN = "的电手身住先女是在和与说要了吗呢吧啊也都就还很这那有没请给让把被从向对为或但号码卡"


@cache
def _name_regex() -> re.Pattern[str]:
    strong = "|".join(f"(?<={re.escape(w)})" for w in _NAME_CUES)
    weak = "|".join(f"(?<={re.escape(w)})" for w in _WEAK_CUES)
    given_char = rf"(?:(?![{_NOT_GIVEN}])[{_HAN}])"
    name = rf"{_surname_alt()}(?:{given_char}{{1,2}}|\*{{1,2}}|\*{given_char})"
    return re.compile(
        rf"(?:{strong})({name})(?={_NAME_AFTER})|(?:^|{weak})({name})(?={_WEAK_AFTER})"
    )


_STRUCTURE = (
    r"(?:路|街|大道|巷|弄|胡同|号|村|镇|乡|街道|社区|小区|花园|苑|公寓|大厦"
    r"|家园|新村|幢|栋|单元|室|组|\*)"
)
_ROOM = r"\d{1,3}[幢栋]\d{1,2}单元\d{2,5}室?|\d{1,3}[幢栋]\d{2,5}室?|\d{1,3}-\d{1,2}-\d{3,5}"
_ROOM_MASKED = r"[\d*]{1,3}[幢栋](?:[\d*]{1,2}单元?)?[\d*]*室?\**"
_ADDRESS_STOP = re.compile(
    r"电话|手机|身份证|联系|姓名|业主|微信|[Qq][Qq]|邮箱|卡号|车牌|户名|的|，|,|。|\s"
)
_LEAD_CUE = re.compile(r"^.*(?:住在|家住|住|地址是|地址|位于|在|是|：|:)")


_ADDRESS_RUN = re.compile(rf"[{_HAN}0-9A-Za-z\-#*]*")


def _place_matches(text: str, places: list[str]) -> list[tuple[int, str]]:
    """(start, run) for each place name (found by Aho-Corasick in Polars) not inside the last.

    The run is the place name and the address characters after it, to be trimmed by the caller.
    """
    out: list[tuple[int, str]] = []
    cursor, covered = 0, 0
    for place in places:
        start = text.find(place, cursor)
        if start < 0:
            continue
        cursor = start + len(place)
        if start < covered:
            continue
        run = _ADDRESS_RUN.match(text, start)
        end = run.end() if run else cursor
        out.append((start, text[start:end]))
        covered = end
    return out


@cache
def _home_regex() -> re.Pattern[str]:
    return re.compile(rf"(?<![\d*])(?:{_ROOM}|{_ROOM_MASKED})")


def _address_spans(row: int, text: str, places: list[str]) -> list[tuple[int, str, int, int, str]]:
    out: list[tuple[int, str, int, int, str]] = []
    for start, chunk in _place_matches(text, places):
        stop = _ADDRESS_STOP.search(chunk)
        if stop:
            chunk = chunk[: stop.start()]
        ends = list(re.finditer(_STRUCTURE, chunk))
        if not ends:
            continue
        chunk = chunk[: ends[-1].end()]
        if len(chunk) >= 6:
            out.append((row, "address", start, start + len(chunk), ""))
    for m in _home_regex().finditer(text):
        room = m.group(0)
        # the Han run before the room is "住" + estate; a run ending in the cue has no estate
        run_start = m.start()
        while run_start > 0 and "\u4e00" <= text[run_start - 1] <= "\u9fff":
            run_start -= 1
        run = text[run_start : m.start()]
        cue = _LEAD_CUE.match(run)
        estate = run[cue.end() :] if cue else run
        if len(estate) >= 2:
            out.append((row, "address", m.start() - len(estate), m.end(), ""))
        elif re.fullmatch(_ROOM, room) or "*" in room:
            out.append((row, "room", m.start(), m.end(), ""))
    return out


def _cued_spans(row: int, text: str) -> list[tuple[int, str, int, int, str]]:
    out = []
    for m in re.finditer(r"(?:[Qq][Qq]|扣扣)(?:号码?)?[:：\s]*([\d*]{5,11})", text):
        out.append((row, "qq", m.start(1), m.end(1), ""))
    for m in re.finditer(r"(?:微信|[Vv][Xx]|[Ww][Xx])(?:号)?[:：\s]*([A-Za-z][\w\-*]{4,19})", text):
        out.append((row, "wechat", m.start(1), m.end(1), ""))
    return out


def _python_spans(rows: pl.Series, texts: pl.Series) -> list[tuple[int, str, int, int, str]]:
    out: list[tuple[int, str, int, int, str]] = []
    name_re = _name_regex()
    places = texts.str.extract_many(list(place_names()), leftmost=True).to_list()
    for row, text, found in zip(rows.to_list(), texts.to_list(), places, strict=True):
        out.extend(_cued_spans(row, text))
        out.extend(_address_spans(row, text, found or []))
        for m in name_re.finditer(text):
            group = 1 if m.group(1) else 2
            out.append((row, "name", m.start(group), m.end(group), ""))
    return out


def _resolve(spans: list[tuple[int, str, int, int, str]]) -> list[tuple[int, str, int, int, str]]:
    """Keep the highest-priority (then longest) span wherever spans of one row overlap.

    One sweep in (row, start) order: a span that overlaps the last kept one replaces it only
    if it ranks higher, so the cost is linear in the spans found.
    """
    kept: list[tuple[int, str, int, int, str]] = []
    for span in sorted(spans, key=lambda s: (s[0], s[2], _PRIORITY[s[1]], s[2] - s[3])):
        if kept and kept[-1][0] == span[0] and span[2] < kept[-1][3]:
            last = kept[-1]
            if (_PRIORITY[span[1]], span[2] - span[3]) < (_PRIORITY[last[1]], last[2] - last[3]):
                kept[-1] = span
            continue
        kept.append(span)
    return kept


def find_spans(series: pl.Series) -> pl.DataFrame:
    """Typed spans of personal information in a free-text column.

    Columns: ``row`` (index within ``series``), ``type``, ``start``/``end`` (character offsets,
    end exclusive), ``text`` (as written) and ``status`` (valid / invalid / masked).
    """
    original = series.cast(pl.String)
    folded = fold_series(original)
    frame = pl.DataFrame({"row": pl.int_range(0, len(original), eager=True), "text": folded})
    frame = frame.filter(pl.col("text").is_not_null() & (pl.col("text") != ""))
    if frame.height == 0:
        return _empty()
    spans = _token_spans(frame["row"], frame["text"])
    textual = frame.filter(
        pl.col("text").str.contains(rf"[{_HAN}]{{2}}")
        & (
            pl.col("text").str.contains(r"[幢栋]|单元|\d-\d{1,2}-\d|[Qq][Qq]|扣扣|微信|[VvWw][Xx]")
            | pl.col("text").str.contains_any(list(place_names()))
            | pl.col("text").str.contains("|".join(_NAME_CUES) + "|电话|手机|身份证|先生|女士|\\s")
        )
    )
    spans += _python_spans(textual["row"], textual["text"])
    kept = _resolve(spans)
    if not kept:
        return _empty()
    result = pl.DataFrame(
        {
            "row": [s[0] for s in kept],
            "type": [s[1] for s in kept],
            "start": [s[2] for s in kept],
            "end": [s[3] for s in kept],
            "status": [s[4] or None for s in kept],
        },
        schema={k: v for k, v in SPAN_SCHEMA.items() if k != "text"},
    )
    result = result.with_columns(
        original.gather(result["row"])
        .str.slice(result["start"], result["end"] - result["start"])
        .alias("text"),
    )
    # statuses of Python-found spans come from their units (same rules as columns)
    pending = result.filter(pl.col("status").is_null())
    if pending.height:
        fills = []
        for type_id in pending["type"].unique().to_list():
            part = pending.filter(pl.col("type") == type_id)
            fills.append(part.with_columns(CATALOGUE[type_id].status(part["text"]).alias("status")))
        result = pl.concat([result.filter(pl.col("status").is_not_null()), *fills])
    return (
        result.filter(pl.col("status").is_not_null()).sort("row", "start").select(list(SPAN_SCHEMA))
    )
