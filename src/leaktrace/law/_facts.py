"""The facts of one suspect, as an investigator states them: the input to :func:`assess`.

A facts file is JSON or TOML. Every field but ``role`` is optional (0, false or null). Unknown
fields, negative numbers, impossible or future dates and a key given twice are errors, never
guesses.
"""

from __future__ import annotations

import json
import math
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from leaktrace.errors import FactsError
from leaktrace.law._messages import describe

Role = Literal["outsider", "insider", "lawful_business_buyer"]
"""outsider: obtained, sold or provided (Art. 5); insider: obtained it while performing duties
or providing services (Art. 5 ¶1(8), Criminal Law Art. 253-1 ¶2); lawful_business_buyer: bought
or received it for a lawful business (Art. 6)."""


def _iso_date(value: Any) -> Any:
    """Accept a real calendar date as ``YYYY-MM-DD`` text or a TOML date; nothing else."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError("须为 YYYY-MM-DD 格式的日期 must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("日历上没有这一天 not a real calendar date (YYYY-MM-DD)") from None


def _yuan(value: Any) -> Any:
    """An amount of money: a finite number ≥ 0 (text like "20000" is not accepted)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("须为金额数字（元）must be a number of yuan")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("须为有限的金额（元）must be a finite number of yuan")
    amount = Decimal(str(value))
    if amount < 0:
        raise ValueError("不得为负数 must not be negative")
    return amount


def _count(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("须为整数条数 must be a whole number of items")
    if value < 0:
        raise ValueError("不得为负数 must not be negative")
    return value


def _past_date(value: Any) -> Any:
    """An ISO date (:func:`_iso_date`) that is not after today in Beijing: an offence or a
    penalty in the future is a typing mistake, and would change which rules apply."""
    day = _iso_date(value)
    if day is not None and day > datetime.now(UTC).astimezone(_BEIJING).date():
        raise ValueError(f"{day.isoformat()} is in the future")
    return day


_BEIJING = timezone(timedelta(hours=8))
IsoDate = Annotated[date | None, BeforeValidator(_past_date)]
Yuan = Annotated[Decimal, BeforeValidator(_yuan)]
Count = Annotated[int, BeforeValidator(_count)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Items(_Strict):
    """Items (条) per tier, already counted by the rules of Art. 11."""

    sensitive: Count = 0
    important: Count = 0
    ordinary: Count = 0


class Facts(_Strict):
    """The facts of one suspect. Field names are the JSON/TOML keys."""

    role: Role
    items: Items = Field(default_factory=Items)
    """Items counted per Art. 11; for an insider, what they sold or provided (Art. 5 ¶1(8))."""
    held_items: Items = Field(default_factory=Items)
    """Insiders only: items they held and did not pass on. Holding what one obtained in
    performing one's duties is not illegal obtaining, so these count only when
    ``held_obtained_illegally`` is true, and then against the full standards of items (3)-(7),
    never the halved ones of item (8)."""
    held_obtained_illegally: bool = False
    """Insiders only: the held items were obtained illegally (e.g. exported beyond the
    insider's authority), as the investigator found."""
    illegal_gains_yuan: Yuan = Decimal(0)
    business_profit_yuan: Yuan = Decimal(0)
    resold: bool = False
    offence_date: IsoDate = None
    prior_criminal_penalty: bool = False
    prior_criminal_detention: bool = False
    prior_admin_penalty_date: IsoDate = None
    tracking_used_in_crime: bool = False
    knew_recipient_criminal: bool = False
    severe_harm: bool = False
    major_loss_or_impact: bool = False
    restitution_and_remorse: bool = False
    other_serious_circumstances: Annotated[str, Field(min_length=1)] | None = None
    other_especially_serious_circumstances: Annotated[str, Field(min_length=1)] | None = None

    @classmethod
    def from_mapping(cls, data: Any, source: str | None = None) -> Facts:
        """Validate ``data`` (parsed JSON/TOML); errors become one-line FactsError."""
        if not isinstance(data, dict):
            raise FactsError("事实须为字段表 facts must be a table/object of fields", source)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise FactsError(describe(exc), source) from None

    def to_json(self) -> dict[str, Any]:
        """The facts as JSON-ready values (amounts as numbers, dates as ISO text)."""
        out = self.model_dump(mode="json")
        for key in ("illegal_gains_yuan", "business_profit_yuan"):
            out[key] = number(getattr(self, key))
        return out


def number(amount: Decimal) -> int | float:
    """A JSON number for an amount: whole yuan as an int."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def load_facts(path: Path) -> Facts:
    """Read a facts file, JSON or TOML (by extension, else by content)."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise FactsError("事实文件不是 UTF-8 文本 facts file is not UTF-8 text", source) from None
    except OSError as exc:
        raise FactsError(
            f"无法读取事实文件 cannot read facts file: {exc.strerror}", source
        ) from None
    return Facts.from_mapping(_parse(text, Path(path).suffix.lower(), source), source)


def _parse(text: str, suffix: str, source: str) -> Any:
    as_json = suffix == ".json" or (suffix != ".toml" and text.lstrip().startswith("{"))
    if as_json:
        try:
            return json.loads(text, parse_float=Decimal, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as exc:
            raise FactsError(f"不是有效的 JSON not valid JSON: {exc}", source) from None
        except _DuplicateKey as exc:
            raise FactsError(str(exc), source) from None
    try:
        return tomllib.loads(text)  # TOML itself refuses a key given twice
    except tomllib.TOMLDecodeError as exc:
        raise FactsError(f"不是有效的 TOML not valid TOML: {exc}", source) from None


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (JSON would silently keep the last)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(f"键 {key!r} 出现了两次 key {key!r} is given twice")
        out[key] = value
    return out
