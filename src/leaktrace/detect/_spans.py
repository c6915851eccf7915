"""Personal information inside free text (chat exports, remarks): typed character spans.

Three passes, each cheap where there is nothing to find:

1. **Tokens.** One vectorised ``str.extract_all`` pulls every candidate token (digit runs with
   the separators people type, e-mails, coordinates, IPs, plates, letter-digit runs); every unit's
   vectorised ``status`` then types all tokens at once, in catalogue priority. The validators
   rule here: a token is an ID, a mobile, a card or an e-mail by its check, never by the tagger.
   Chat noise is dropped, not called invalid: an ``@`` with no dotted domain (nor a mail
   provider: zhang@qq is a broken e-mail) is a mention, and a dotted number run without an IP
   word before it (odds, versions) is not an IP address.
2. **Cued values.** QQ and WeChat numbers look like anything else; they count only after a cue
   (QQ, 扣扣, 微信, vx).
3. **The tagger** (``detect._tagger``, trained on MSRA) marks person names, places and
   organisations in every row with Han characters. A tagged name is a ``name`` span, its status
   by the name unit's rules (a surname alone before a title, 王经理, is a name with the given
   name withheld: masked). Addresses start at a tagged place or a gazetteer place name and run
   while address structure follows (roads, numbers, villages, estates, buildings, rooms), ending
   where the structure ends: before a clause, a title or a word such as 村民 that only begins
   like an address part, and never inside an organisation (…政府, …局). An estate before
   幢/栋 is an address; a number of buildings (共有13栋) is not.

Overlaps are resolved by priority: checked identifiers first, then addresses, rooms, names.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache

import numba
import numpy as np
import polars as pl

from leaktrace.detect._bytes import compiled
from leaktrace.detect._catalogue import CATALOGUE
from leaktrace.detect._data import bank_bins, place_names, plate_provinces, surnames
from leaktrace.detect._tagger import KINDS, Model
from leaktrace.detect._tagger import model as tagger_model
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


# a mail provider written without its top-level domain (zhang@qq, li@163) is a broken e-mail
_MAIL_PROVIDERS = frozenset(
    ("qq", "163", "126", "139", "gmail", "hotmail", "outlook", "sina", "sohu", "foxmail", "yahoo",
     "aliyun", "icloud", "yeah")
)  # fmt: skip
_IP_CUE = re.compile(r"(?i:ip|地址|登录|登陆|访问|服务器|主机|host|来源)[^\d]{0,6}$")


def _keep_in_text(type_id: str, status: str, token: str, before: str, after: str) -> bool:
    """Stricter than a column: a value in prose must really look like its type.

    Chat noise is not personal information, so it is dropped rather than called invalid: an
    ``@`` without a dotted domain or a mail provider is a mention (hi@all, but not zhang@qq); a
    dotted number run is an IP address only after an IP word (IP, 地址, 登录...) and when it is
    not part of a longer run (betting odds 2.15.3.40, versions 10.0.2.15 stay out).
    """
    if type_id == "email":
        domain = token.partition("@")[2].lstrip("@").lower()
        return "." in domain or domain in _MAIL_PROVIDERS
    if type_id == "ip":
        if before[-1:] in {".", *"0123456789"} or after[:1] in {".", *"0123456789"}:
            return False
        return status != "invalid" and bool(_IP_CUE.search(before))
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
    # only rows with a typed token need their offsets found (a home's 3, 2, 1201 have none)
    wanted = pl.concat([typed.filter(pl.col("type").is_not_null())["row"], retyped["row"]])
    if wanted.len() == 0:
        return []
    keep = pl.DataFrame({"row": wanted.unique()})
    typed = typed.join(keep, on="row", how="semi", maintain_order="left")
    by_row: dict[int, str] = dict(
        frame.join(keep, on="row", how="semi").select("row", "text").iter_rows()
    )
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
        before, after = (
            text[max(0, start - 12) : start],
            text[start + len(tok) : start + len(tok) + 1],
        )
        if _keep_in_text(type_id, status, tok, before, after):
            out.append((row, type_id, start, start + len(tok), status))
    return out


@cache
def _surname_alt() -> str:
    single, compound = surnames()
    return "(?:" + "|".join(sorted(compound)) + "|[" + "".join(sorted(single)) + "])"


@cache
def _masked_name_regex() -> re.Pattern[str]:
    """A known surname and a hidden given name (张*, 张**, 张*伟, 张某): the tagger never saw
    asterisks in newswire, so these shapes are read directly; the name unit then calls them
    masked. 某 followed by a noun it quantifies (某人, 某单位, 某天) is not a name."""
    given = rf"\*[{_HAN}](?=[^{_HAN}]|$|{_NAME_AFTER})"
    hidden = rf"{given}|\*{{1,2}}|某{{1,2}}(?![人些种个位地天年月日处部次件样项家单公])"
    return re.compile(rf"(?<![*]){_surname_alt()}(?:{hidden})")


def _tagged_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A tagged person name as a span, or None when it is not one.

    A compound surname the tagger cut in two (完颜洪烈 tagged from 颜) gets its first character
    back; a lone surname after 老, 小 or 阿 is a nickname (老王, 小李), not a name withheld; a
    surname said twice is a word (谢谢, 常常, 刚刚), not a name.
    """
    single, compound = surnames()
    if start > 0 and text[start - 1 : start + 1] in compound:
        start -= 1
    if end - start == 1 and start > 0 and text[start - 1] in "老小阿大":
        return None
    if end - start == 2 and text[start] == text[start + 1] and text[start] in single:
        return None
    return start, end


# A second way in for names, beside the tagger: in list-like chat (业主张伟电话...) the tagger,
# trained on newswire, lacks the context it learnt from, and a cue word gives it. Strong cues
# name the person on their own; weak ones (start of text, a comma) only when a phone or ID word,
# or a space before a number, follows the name.
_NAME_CUES = (
    "业主", "户主", "户名", "车主是", "车主", "机主是", "机主", "姓名", "客户", "联系人", "收件人",
    "收货人", "租户", "房东", "叫",
)  # fmt: skip
_WEAK_CUES = ("，", ",", ":", "：")
_NAME_AFTER = r"电话|手机|的|，|,|。|\s|$|先生|女士|身份证|住|[:：]|\d|\+"
_WEAK_AFTER = r"电话|手机|的身份证|身份证|先生|女士|\s+[+\d]|[，,]\s*[+\d]"
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


# Address structure: a word that ends an address part. Not when it only begins another word
# (村民, 号码, 路口, 镇长, 室友...): the character after it decides.
_STRUCTURE = re.compile(
    r"(?:路|街|大道|巷|弄|胡同|号楼|号院|号|村|镇|乡|街道|社区|小区|花园|苑|公寓|大厦|家园|新村"
    r"|广场|幢|栋|单元|室|组|座|塔|楼|层|屯|\*)(?![民委长友内外织口边上下亲干坊头费线过码称里])"
)
# after the last structure word, a room or door number may follow (2号楼1203, B塔2608)
_ROOM_TAIL = re.compile(r"-?[A-Za-z]?\d{1,5}(?:室|房|号)?(?![\d])")
# a clause between two address parts ends the address (…100号楼下有个小区)
_CLAUSE = re.compile(
    r"有|在|了|是|去|到|把|给|要|说|让|被|往|送|找|住|附近|旁边|对面|楼下|楼上|门口|开了|村民|居民"
)
_ROOM = r"\d{1,3}[幢栋]\d{1,2}单元\d{2,5}室?|\d{1,3}[幢栋]\d{2,5}室?|\d{1,3}-\d{1,2}-\d{3,5}"
_ROOM_MASKED = r"[\d*]{1,3}[幢栋](?:[\d*]{1,2}单元?)?[\d*]*室?\**"
_BUILDING = r"\d{1,3}(?:幢|栋|号楼)(?![\d*单])"
_ADDRESS_STOP = re.compile(
    r"电话|手机|身份证|联系|姓名|业主|微信|[Qq][Qq]|邮箱|卡号|车牌|户名|的|，|,|。|\s"
)
_LEAD_CUE = re.compile(r"^.*(?:住在|家住|住|地址是|地址|位于|在|是|：|:)")
# what an estate name cannot end in: a count of buildings (共有13栋, 第3栋) is not an address
_NOT_ESTATE_END = "有共是在住了第约近余和及等到至个每各这那全整多几两"
# how estate names end (金都花园, 望江苑, 寿昌新村, 翠苑一区, 锦绣城)
_ESTATE_END = "园苑村区城庭居府邸湾座寓厦舍坊里阁墅苑都轩台湖景"
# organisations that end an address rather than belong to it (…人民政府, …公安局, …大学); an
# address never starts inside any organisation
_ORG_END = "府局院所委会部厅处站队司行校学馆台"
_OFFICE = re.compile("政府|办公室|委员会|办事处|公安|法院|检察院")


_ADDRESS_RUN = re.compile(rf"[{_HAN}0-9A-Za-z\-#*]*")


def _place_starts(text: str, places: list[str]) -> list[int]:
    """Where each place name (found by Aho-Corasick in Polars) starts in ``text``, in order."""
    out: list[int] = []
    cursor = 0
    for place in places:
        start = text.find(place, cursor)
        if start < 0:
            continue
        cursor = start + len(place)
        out.append(start)
    return out


def _address_end(text: str, start: int, limit: int) -> int:
    """Where an address that starts at ``start`` ends (``start`` when it has no structure).

    The run of address characters is cut at a stop word (phone, ID, 的, punctuation) and at
    ``limit`` (an organisation); then the address grows part by part, each part ending in a
    structure word, until a part holds a clause; a room number may follow the last part.
    """
    run = _ADDRESS_RUN.match(text, start)
    stop = run.end() if run else start
    cut = _ADDRESS_STOP.search(text, start, stop)
    stop = min(cut.start() if cut else stop, limit)
    end = start
    for m in _STRUCTURE.finditer(text, start, stop):
        if _CLAUSE.search(text, end, m.start()):
            break
        end = m.end()
    if end > start:
        tail = _ROOM_TAIL.match(text, end, stop)
        if tail:
            end = tail.end()
    return end


@cache
def _home_regex() -> re.Pattern[str]:
    return re.compile(rf"(?<![\d*])(?:(?:{_ROOM}|{_ROOM_MASKED})|({_BUILDING}))")


def _estate_before(text: str, at: int, entity_ends: set[int]) -> int:
    """Where the estate name before a building number at ``at`` starts (``at`` when none).

    The Han run before the number, after a lead cue (住, 地址...) and after the last clause,
    is an estate when it ends like one (…花园, …苑, …新村), when the tagger ended a place or an
    organisation there, or when a lead cue introduced it; never when it ends in a count
    (共有13栋, 第3栋).
    """
    start = at
    while start > 0 and "\u4e00" <= text[start - 1] <= "\u9fff":
        start -= 1
    cue = _LEAD_CUE.match(text[start:at])
    if cue:
        start += cue.end()
    clauses = list(_CLAUSE.finditer(text, start, at))
    if clauses:
        start = clauses[-1].end()
    if at - start < 2 or text[at - 1] in _NOT_ESTATE_END:
        return at
    if cue or at in entity_ends or text[at - 1] in _ESTATE_END:
        return start
    return at


def _address_spans(
    row: int,
    text: str,
    starts: list[int],
    orgs: list[tuple[int, int]],
    place_ends: list[int],
    home: bool = True,
) -> list[tuple[int, str, int, int, str]]:
    out: list[tuple[int, str, int, int, str]] = []
    blocks = [(s, e) for s, e in orgs if text[e - 1] in _ORG_END or _OFFICE.search(text, s, e)]
    for start in starts:
        limit = len(text)
        if blocks:
            if any(s <= start < e for s, e in blocks):
                continue  # a place that opens an organisation's name (杭州市…人民政府办公室)
            limit = min([s for s, _ in blocks if s > start], default=limit)
        end = _address_end(text, start, limit)
        if end - start >= 6:
            out.append((row, "address", start, end, ""))
    if not home:
        return out
    entity_ends = {e for _, e in orgs}.union(place_ends)
    for m in _home_regex().finditer(text):
        at, building = m.start(), m.group(1)
        estate = _estate_before(text, at, entity_ends)
        if estate < at:
            end = _address_end(text, at, len(text)) if building else m.end()
            out.append((row, "address", estate, max(end, m.end()), ""))
        elif not building and (_ROOM_WHOLE.fullmatch(m.group(0)) or "*" in m.group(0)):
            out.append((row, "room", at, m.end(), ""))
    return out


_ROOM_WHOLE = re.compile(_ROOM)


def _cued_spans(row: int, text: str) -> list[tuple[int, str, int, int, str]]:
    out = []
    for m in re.finditer(r"(?:[Qq][Qq]|扣扣)(?:号码?)?[:：\s]*([\d*]{5,11})", text):
        out.append((row, "qq", m.start(1), m.end(1), ""))
    # a WeChat ID's own form (wxid_…) is one whatever comes before it; the cue wx is not its
    # first letters
    for m in re.finditer(r"(?<![A-Za-z0-9_])(wxid_[A-Za-z0-9_\-]{4,30})", text):
        out.append((row, "wechat", m.start(1), m.end(1), ""))
    cue = r"(?:微信|[Vv][Xx]|[Ww][Xx](?!id_))(?:号)?[:：\s]*(?!wxid_)([A-Za-z][\w\-*]{4,19})"
    for m in re.finditer(cue, text):
        out.append((row, "wechat", m.start(1), m.end(1), ""))
    return out


_loading: Future[Model] | None = None
_loading_lock = threading.Lock()


def load_tagger_early() -> None:
    """Start loading the tagger's model on a worker thread (about 0.4 CPU-seconds), so that
    a caller can read and hash its first file meanwhile; the first span search waits for it
    instead of loading it a second time."""
    global _loading
    with _loading_lock:
        if _loading is None:
            _loading = _tag_pool().submit(tagger_model)


def _tagger() -> Model:
    with _loading_lock:
        loading = _loading
    return loading.result() if loading is not None else tagger_model()


def _tag(texts: list[str]) -> np.ndarray:
    """The tagger's spans (text index, start, end, kind) of ``texts``, on both cores.

    ``Model.tag`` decodes in compiled code that releases the GIL, so the texts are cut in two
    halves of about the same number of characters, tagged in two threads and put back together
    (each text is decoded on its own, so the cut changes nothing). One thread when numba is
    held to one (``NUMBA_NUM_THREADS=1``, as ``bench_ner.py`` measures a core).
    """
    tagger = _tagger()
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    total = int(lengths.sum())
    if total < _PARALLEL_CHARS or len(texts) < 2 or numba.get_num_threads() < 2:
        return tagger.tag(texts)
    cut = int(np.searchsorted(np.cumsum(lengths), total // 2)) + 1
    cut = min(max(cut, 1), len(texts) - 1)
    halves = [_tag_pool().submit(tagger.tag, part) for part in (texts[:cut], texts[cut:])]
    first, second = (h.result() for h in halves)
    second = second.copy()
    second[:, 0] += cut
    return np.concatenate([first, second])


_PARALLEL_CHARS = 20_000
"""Below this many characters one thread tags faster than two."""


@cache
def _tag_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="tagger")


def _tagged_names(texts: pl.Series, entities: np.ndarray) -> pl.DataFrame:
    """Name spans (key, start, end) of the tagger's PER entities, as ``_tagged_name`` reads
    them, for all texts at once."""
    per = entities[entities[:, 3] == _PER]
    frame = pl.DataFrame(
        {"i": per[:, 0], "start": per[:, 1], "end": per[:, 2]},
        schema={"i": pl.Int64, "start": pl.Int64, "end": pl.Int64},
    )
    if frame.height == 0:
        return frame
    text = texts.gather(frame["i"])
    single, compound = surnames()
    start, end = pl.col("start"), pl.col("end")
    frame = frame.with_columns(t=text)
    glued = (start > 0) & pl.col("t").str.slice(start - 1, 2).is_in(sorted(compound))
    frame = frame.with_columns(pl.when(glued).then(start - 1).otherwise(start).alias("start"))
    nickname = (
        (end - start == 1)
        & (start > 0)
        & pl.col("t").str.slice((start - 1).clip(0), 1).is_in(list("老小阿大"))
    )
    first = pl.col("t").str.slice(start, 1)
    twice = (end - start == 2) & (first == pl.col("t").str.slice(start + 1, 1))
    said_twice = twice & first.is_in(sorted(single))  # 谢谢, 常常: a word, not a name
    return frame.filter(~nickname & ~said_twice).drop("t")


def _python_spans(
    rows: pl.Series, texts: pl.Series
) -> tuple[list[tuple[int, str, int, int, str]], pl.DataFrame]:
    """Names (tagger), addresses (tagger and gazetteer), rooms and cued numbers of each row.

    The tagger runs once on all texts (on both cores) and its names are read for all texts at
    once; only the texts a vectorised test says can hold an address, a room, a cued number, a
    masked name or a cued name go through the per-text passes. Returns those spans and the
    tagged names (``row``, ``start``, ``end``).
    """
    out: list[tuple[int, str, int, int, str]] = []
    row_list, text_list = rows.to_list(), texts.to_list()
    entities = _tag(text_list)
    names = _tagged_names(texts, entities)
    names = names.with_columns(rows.gather(names["i"]).alias("row")).drop("i")
    # place names end in a division word (县 区 市 旗 州 省 盟 ...): only rows with one are searched
    divided = texts.str.contains(r"[县区市旗州省盟區处岛镇]")
    places: dict[int, list[str]] = {}
    if divided.any():
        idx = divided.arg_true().to_list()
        found = texts.gather(idx).str.extract_many(list(place_names()), leftmost=True).to_list()
        places = {i: f for i, f in zip(idx, found, strict=True) if f}
    flags = pl.DataFrame({"t": texts}).select(
        cued=pl.col("t").str.contains(r"[Qq][Qq]|扣扣|微信|[VvWw][Xx]"),
        home=pl.col("t").str.contains(r"[幢栋]|\d-\d{1,2}-\d"),
        masked=pl.col("t").str.contains(r"[*某]"),
        named=pl.col("t").str.contains_any([*_NAME_CUES, *_WEAK_CUES]),
    )
    cued, home, masked, named = (flags[c].to_numpy() for c in flags.columns)
    placed = np.zeros(len(text_list), dtype=bool)
    placed[entities[entities[:, 3] != _PER, 0]] = True
    placed[list(places)] = True
    busy = np.flatnonzero(cued | home | masked | named | placed)
    # places and organisations of text k: others[lo[k]:hi[k]] (the tagger gives them in order)
    other = entities[entities[:, 3] != _PER]
    others = other[:, 1:].tolist()
    lo = np.searchsorted(other[:, 0], busy, side="left").tolist()
    hi = np.searchsorted(other[:, 0], busy, side="right").tolist()
    masked_name, name_cued = _masked_name_regex(), _name_regex()
    for j, k in enumerate(busy.tolist()):
        row, text = row_list[k], text_list[k]
        if cued[k]:
            out.extend(_cued_spans(row, text))
        if placed[k] or home[k]:
            found_here = others[lo[j] : hi[j]]
            orgs = [(s, e) for s, e, kind in found_here if kind == _ORG]
            starts = {s for s, _, kind in found_here if kind == _LOC}
            starts.update(_place_starts(text, places.get(k, [])))
            place_ends = [e for _, e, kind in found_here if kind == _LOC]
            out.extend(_address_spans(row, text, sorted(starts), orgs, place_ends, home[k]))
        if masked[k]:
            for m in masked_name.finditer(text):
                out.append((row, "name", m.start(), m.end(), ""))
        if named[k]:
            for m in name_cued.finditer(text):
                group = 1 if m.group(1) else 2
                out.append((row, "name", m.start(group), m.end(group), ""))
    return out, names


_PER, _LOC, _ORG = (KINDS.index(k) for k in ("PER", "LOC", "ORG"))


def _resolve(spans: pl.DataFrame) -> pl.DataFrame:
    """Keep the highest-priority (then longest) span wherever spans of one row overlap.

    One sweep in (row, start, priority, longest first) order: a span that overlaps the last
    kept one replaces it only if it ranks higher, so the cost is linear in the spans found.
    """
    ordered = spans.with_columns(
        pl.col("type").replace_strict(_PRIORITY, return_dtype=pl.Int64).alias("rank")
    ).sort("row", "start", "rank", pl.col("start") - pl.col("end"), maintain_order=True)
    kept = _sweep(
        *(ordered[c].to_numpy().astype(np.int64) for c in ("row", "start", "end", "rank"))
    )
    return ordered.gather(kept).drop("rank")


@compiled
def _sweep(
    row: np.ndarray, start: np.ndarray, end: np.ndarray, rank: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """Indices of the spans kept by ``_resolve``'s sweep over spans in its order."""
    kept = np.empty(row.size, dtype=np.int64)
    m = 0
    for i in range(row.size):
        if m > 0:
            j = kept[m - 1]
            if row[j] == row[i] and start[i] < end[j]:
                if rank[i] < rank[j] or (
                    rank[i] == rank[j] and start[i] - end[i] < start[j] - end[j]
                ):
                    kept[m - 1] = i
                continue
        kept[m] = i
        m += 1
    return kept[:m]


def _name_status(texts: pl.Series, status: pl.Series) -> pl.Series:
    """A tagged name's status: the name unit's where it has one; a known surname alone (王经理,
    李老师) is a name with the given name withheld, masked; other shapes the unit does not
    know (transliterations without a dot, such as 克林顿) are names all the same: invalid, which
    is never counted as a valid item."""
    single, _ = surnames()
    alone = texts.str.len_chars() == 1
    known = texts.is_in(sorted(single))
    return (
        pl.select(
            pl.when(alone & known)
            .then(pl.lit("masked"))
            .when(alone)
            .then(pl.lit(None, pl.String))
            .otherwise(status.fill_null("invalid"))
        )
        .to_series()
        .alias("status")
    )


def find_spans(series: pl.Series) -> pl.DataFrame:
    """Typed spans of personal information in a free-text column.

    Columns: ``row`` (index within ``series``), ``type``, ``start``/``end`` (character offsets,
    end exclusive), ``text`` (as written) and ``status`` (valid / invalid / masked).

    Each distinct text is read once: remark columns repeat their phrases (已发货, 老客户), and
    the spans of a text do not depend on its row. A column read in batches keeps that across
    its batches with one :class:`SpanFinder`.
    """
    return SpanFinder().find(series)


CACHE_BYTES = 160 * 2**20
"""Memory a :class:`SpanFinder` may spend on the texts it remembers (estimated as
:data:`_TEXT_BYTES` a text plus two bytes a character, as Python holds them): enough for the
half million distinct remarks of a ten-million-row list. Once it is spent, texts are still read
once a batch, and the ones already known still skip the reading, but new ones are not kept."""

_TEXT_BYTES = 200
"""What remembering one text costs besides its characters: the string object, its entry in
the dictionary, its key and its span offsets."""


class SpanFinder:
    """:func:`find_spans` for one column read batch by batch, each distinct text read once.

    Remarks repeat across a whole table, not only within a batch (a ten-million-row list has
    about half as many distinct remarks as the sum of its batches' distinct remarks), and the
    spans of a text depend on the text alone. So the finder remembers the texts it has read,
    up to :data:`CACHE_BYTES`, with their spans, and reads only the new ones: the spans of every
    batch are exactly ``find_spans`` of that batch.

    Not thread-safe: one column, one batch at a time.
    """

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self._limit = limit
        self._bytes = 0
        self._keys: dict[str, int] = {}
        # spans of every known text, in key order, as arrays: text ``k``'s spans are entries
        # ``first[k]:first[k] + count[k]``; type and status as indices into _TYPES, _STATUSES
        self._first = np.zeros(0, dtype=np.int64)
        self._count = np.zeros(0, dtype=np.int64)
        self._type = np.zeros(0, dtype=np.int8)
        self._start = np.zeros(0, dtype=np.int64)
        self._end = np.zeros(0, dtype=np.int64)
        self._status = np.zeros(0, dtype=np.int8)

    def find(self, series: pl.Series) -> pl.DataFrame:
        """The spans of one batch, as :func:`find_spans` gives them."""
        original = series.cast(pl.String)
        frame = pl.DataFrame({"text": original}).with_row_index("row")
        frame = frame.filter(pl.col("text").is_not_null() & (pl.col("text") != ""))
        if frame.height == 0:
            return _empty()
        distinct = frame.get_column("text").unique(maintain_order=True)
        texts = distinct.to_list()
        keys = np.fromiter((self._keys.get(t, -1) for t in texts), np.int64, len(texts))
        new = np.flatnonzero(keys < 0)
        learnt = [texts[i] for i in new]
        cost = sum(2 * len(t) + _TEXT_BYTES for t in learnt)
        # over budget, this batch's new texts are read and then dropped again
        keep = self._bytes + cost <= self._limit
        known = (len(self._keys), self._start.size)
        if learnt:
            keys[new] = self._learn(learnt, distinct.gather(new))
        try:
            return self._spans_of(original, frame, distinct, keys)
        finally:
            if keep:
                self._bytes += cost
            else:
                self._drop(learnt, *known)

    def _spans_of(
        self, original: pl.Series, frame: pl.DataFrame, distinct: pl.Series, keys: np.ndarray
    ) -> pl.DataFrame:
        """The spans of the rows of ``frame``, whose distinct texts have the known ``keys``."""
        hit = self._count[keys] > 0
        if not hit.any():
            return _empty()
        hits = pl.DataFrame(
            {"text": distinct.filter(pl.Series(hit)), "key": keys[hit]},
            schema={"text": pl.String, "key": pl.Int64},
        )
        rows = frame.join(hits, on="text").drop("text")
        key = rows.get_column("key").to_numpy()
        count = self._count[key]
        # each row's spans: entries first[key] .. first[key] + count[key] - 1 of the arrays
        within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        taken = np.repeat(self._first[key], count) + within
        row = pl.Series("row", np.repeat(rows.get_column("row").to_numpy(), count), pl.Int64)
        start = pl.Series("start", self._start[taken], pl.Int64)
        end = pl.Series("end", self._end[taken], pl.Int64)
        result = pl.DataFrame(
            {
                "row": row,
                "type": pl.Series(self._type[taken]).replace_strict(
                    dict(enumerate(_TYPES)), return_dtype=pl.String
                ),
                "start": start,
                "end": end,
                "text": original.gather(row).str.slice(start, end - start),
                "status": pl.Series(self._status[taken]).replace_strict(
                    dict(enumerate(_STATUSES)), return_dtype=pl.String
                ),
            }
        )
        return result.sort("row", "start").select(list(SPAN_SCHEMA))

    def _drop(self, texts: list[str], known: int, spans: int) -> None:
        """Forget ``texts``, the last ones learnt, leaving ``known`` texts and ``spans`` spans."""
        for text in texts:
            del self._keys[text]
        self._first, self._count = self._first[:known], self._count[:known]
        self._type, self._start = self._type[:spans], self._start[:spans]
        self._end, self._status = self._end[:spans], self._status[:spans]

    def _learn(self, texts: list[str], series: pl.Series) -> np.ndarray:
        """Read new texts: their keys, with their spans stored."""
        base = len(self._keys)
        keys = np.arange(base, base + len(texts), dtype=np.int64)
        self._keys.update(zip(texts, keys.tolist(), strict=True))
        local = pl.Series(np.arange(len(texts), dtype=np.int64))
        found = _distinct_spans(local, fold_series(series)).sort("row", "start")
        count = np.bincount(found.get_column("row").to_numpy(), minlength=len(texts))
        self._first = np.concatenate([self._first, self._start.size + np.cumsum(count) - count])
        self._count = np.concatenate([self._count, count])
        type_code = found.get_column("type").replace_strict(_TYPE_CODE, return_dtype=pl.Int8)
        status_code = found.get_column("status").replace_strict(_STATUS_CODE, return_dtype=pl.Int8)
        self._type = np.concatenate([self._type, type_code.to_numpy()])
        self._start = np.concatenate([self._start, found.get_column("start").to_numpy()])
        self._end = np.concatenate([self._end, found.get_column("end").to_numpy()])
        self._status = np.concatenate([self._status, status_code.to_numpy()])
        return keys


_TYPES = (*_TOKEN_TYPES, "qq", "wechat", "address", "room", "name")
_TYPE_CODE = {t: i for i, t in enumerate(_TYPES)}
_STATUSES = ("valid", "invalid", "masked")
_STATUS_CODE = {s: i for i, s in enumerate(_STATUSES)}


def _distinct_spans(keys: pl.Series, texts: pl.Series) -> pl.DataFrame:
    """Spans of each text (``row`` is its key), with their statuses; no ``text`` column."""
    schema = {k: v for k, v in SPAN_SCHEMA.items() if k != "text"}
    spans = _token_spans(keys, texts)
    frame = pl.DataFrame({"row": keys, "text": texts})
    # Han text, or a QQ / WeChat cue in ASCII text (QQ:12345678, vx:abc12345)
    textual = frame.filter(pl.col("text").str.contains(rf"[{_HAN}]|[Qq][Qq]|[VvWw][Xx]"))
    names = pl.DataFrame(schema={"row": pl.Int64, "start": pl.Int64, "end": pl.Int64})
    if textual.height:
        more, names = _python_spans(textual["row"], textual["text"])
        spans += more
    found = pl.DataFrame(spans, schema=schema, orient="row")
    found = pl.concat(
        [
            found.with_columns(pl.col("status").replace("", None)),
            names.select(
                "row",
                pl.lit("name").alias("type"),
                "start",
                "end",
                pl.lit(None, pl.String).alias("status"),
            ),
        ]
    )
    if found.height == 0:
        return pl.DataFrame(schema=schema)
    result = _resolve(found)
    # statuses of Python-found spans come from their units (same rules as columns)
    pending = result.filter(pl.col("status").is_null())
    if pending.height:
        values = texts.gather(pending["row"]).str.slice(
            pending["start"], pending["end"] - pending["start"]
        )
        pending = pending.with_columns(values.alias("value"))
        fills = []
        for type_id in pending["type"].unique().to_list():
            part = pending.filter(pl.col("type") == type_id)
            status = CATALOGUE[type_id].status(part["value"])
            if type_id == "name":
                status = _name_status(part["value"], status)
            fills.append(part.with_columns(status.alias("status")).drop("value"))
        result = pl.concat([result.filter(pl.col("status").is_not_null()), *fills])
    return result.filter(pl.col("status").is_not_null())
