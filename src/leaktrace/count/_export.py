"""The deduplicated item list as an evidence attachment (CSV or XLSX), masked unless asked.

One row per item: its category and tier, whether it rests on a bare phone number, the canonical
values of the fullest record seen for it, and the file and row that record came from. Values go
through :func:`leaktrace.mask.mask` unless ``show_values``; cells are written through
:mod:`leaktrace.cells`, so none becomes a spreadsheet formula. The file is written under a temporary
name next to the target and renamed at the end, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from leaktrace.cells import csv_frame, write_row
from leaktrace.errors import UsageError
from leaktrace.law import Policy
from leaktrace.mask import mask

if TYPE_CHECKING:
    from leaktrace.count._count import CountResult

FORMATS = (".csv", ".xlsx")

XLSX_ROWS_PER_SHEET = 1_000_000
"""Excel holds 1,048,576 rows a sheet; longer lists continue on the next sheet."""

_HEADINGS = {
    "name": "姓名 name",
    "cn_id": "身份证号 cn_id",
    "mobile": "手机号 mobile",
    "landline": "固定电话 landline",
    "email": "电子邮箱 email",
    "bank_card": "银行卡号 bank_card",
    "plate": "车牌 plate",
    "passport": "护照 passport",
    "uscc": "统一社会信用代码 uscc",
    "qq": "QQ 号 qq",
    "wechat": "微信 wechat",
    "ip": "IP 地址 ip",
    "gps": "经纬度 gps",
    "vin": "车架号 vin",
    "birth_date": "出生日期 birth_date",
    "address": "地址 address",
    "province": "省 province",
    "city": "市 city",
    "district": "区县 district",
    "community": "小区 community",
    "building": "楼栋 building",
    "unit": "单元 unit",
    "room": "房号 room",
}

_MASK_AS = {"community": "address", "building": "room", "unit": "room", "room": "room"}
_SHOWN = frozenset({"province", "city", "district"})
"""Region names identify no one; they are exported as they are."""


class Exporter:
    """Writes items partition by partition; :meth:`commit` makes the file appear."""

    def __init__(self, path: Path, policy: Policy, *, show_values: bool = False) -> None:
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise UsageError(
                f"--export 须以 {' 或 '.join(FORMATS)} 结尾 "
                f"--export must end in {' or '.join(FORMATS)}",
                str(path),
            )
        if not path.parent.exists():
            raise UsageError(
                "导出文件所在文件夹不存在 the export's folder does not exist", str(path)
            )
        self.path = path
        self.policy = policy
        self.show_values = show_values
        self.xlsx = suffix == ".xlsx"
        self.fields: list[str] = []
        self._tmp: Path | None = None
        self._handle: Any = None
        self._book: Any = None
        self._sheet: Any = None
        self._row = 0
        self._sheets = 0
        self._result: CountResult | None = None

    def __enter__(self) -> Exporter:
        return self

    def __exit__(self, *_: object) -> None:
        self._close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()

    def start(self, result: CountResult, fields: list[str]) -> None:
        """Open the temporary file and write the header."""
        self._result = result
        self.fields = fields
        fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        os.close(fd)
        self._tmp = Path(name)
        if self.xlsx:
            import xlsxwriter

            self._book = xlsxwriter.Workbook(str(self._tmp), {"constant_memory": True})
            self._new_sheet()
        else:
            self._handle = open(self._tmp, "wb")  # noqa: SIM115
            self._handle.write("\ufeff".encode())  # a BOM, so Excel reads the file as UTF-8
            pl.DataFrame(schema=dict.fromkeys(self._header(), pl.String)).write_csv(self._handle)

    def write(self, part: pl.DataFrame) -> None:
        """Write one partition's items (one row per category and key)."""
        assert self._result is not None
        items = part.unique(["cat", "key"], keep="first").sort("origin", "row")
        if not items.height:
            return
        files = self._result.files
        categories = self._result.categories
        cat = items.get_column("cat").to_list()
        tier_text = {c: self._tier_text(self.policy.tier_of(categories[c])) for c in set(cat)}
        out: dict[str, list[Any]] = {
            "category": [self.policy.categories[categories[c]].label for c in cat],
            "tier": [tier_text[c] for c in cat],
            "bare_phone": ["是 yes" if b else None for b in items.get_column("bare").to_list()],
        }
        for f in self.fields:
            values = items.get_column(f).to_list()
            if f in _SHOWN:
                out[f] = values
            else:
                kind = _MASK_AS.get(f, f)
                out[f] = [
                    None if v is None else mask(v, kind, show=self.show_values) for v in values
                ]
        out["source"] = [files[o].path for o in items.get_column("origin").to_list()]
        out["row"] = [r + 1 for r in items.get_column("row").to_list()]
        frame = pl.DataFrame(
            out, schema={k: pl.String for k in out if k != "row"} | {"row": pl.Int64}
        )
        if self.xlsx:
            self._write_xlsx(frame)
        else:
            csv_frame(frame).write_csv(self._handle, include_header=False)

    def commit(self) -> None:
        """Finish the file and move it into place."""
        self._close()
        assert self._tmp is not None
        os.replace(self._tmp, self.path)
        self._tmp = None

    def _tier_text(self, tier: str) -> str:
        """``普通信息（五千条档） ordinary``: the policy's label, then the tier's code."""
        return f"{getattr(self.policy.tiers, tier).label} {tier}"

    def _header(self) -> list[str]:
        return [
            "类别 category",
            "档次 tier",
            "仅电话 bare_phone",
            *(_HEADINGS[f] for f in self.fields),
            "来源文件 source",
            "行 row",
        ]

    def _new_sheet(self) -> None:
        self._sheets += 1
        self._sheet = self._book.add_worksheet(f"条目 items{self._sheets}")
        self._sheet.write_row(0, 0, self._header())
        self._row = 1

    def _write_xlsx(self, frame: pl.DataFrame) -> None:
        for values in frame.iter_rows():
            if self._row > XLSX_ROWS_PER_SHEET:
                self._new_sheet()
            write_row(self._sheet, self._row, values)
            self._row += 1

    def _close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._book is not None:
            self._book.close()
            self._book = None
