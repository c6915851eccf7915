"""A seized laptop's folder of leaked lists, written with the truth about every cell.

The folder mixes what investigators actually find: a GBK owners list, a UTF-8 CSV with a BOM,
workbooks with title rows above the header, a legacy ``.xls``, a header-less TXT list, JSON and
JSONL exports, MySQL and PostgreSQL dumps, a zip holding more of them (and a zip inside it), and a
chat export with personal information inside sentences. The same people turn up in several files.

Layout under ``out_dir``::

    evidence/   the files to scan (nothing else lives here)
    truth/      Parquet files with cell statuses, spans, row owners, and the people themselves
    truth.json  the index: every file, every table, the true type of every column
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
import xlwt

from leaktrace.synth._chat import chat_messages
from leaktrace.synth._noise import NoiseRates, Noisy, noisy
from leaktrace.synth._people import residents

TRUTH_SCHEMA = "leaktrace.synth.truth/1"

# Non-PI fields written as numbers in workbooks and dumps, as the source systems stored them.
_NUMERIC = {"seq", "area", "amount"}


@dataclass
class _Table:
    """One table as written and its truth."""

    name: str
    header_row: int | None
    noisy: Noisy
    fields: dict[str, str]
    spans: pl.DataFrame | None = None
    free_text: list[str] = field(default_factory=list)


@dataclass
class _File:
    path: str  # relative to evidence/, archive members as a.zip!/b.csv
    format: str
    encoding: str | None
    tables: list[_Table]
    parent: str | None = None


def write_evidence_folder(out_dir: Path, seed: int, *, rows: int = 2000) -> Path:
    """Write a messy evidence folder under ``out_dir`` and return the path of ``truth.json``.

    ``rows`` is the size of the largest list (the owners list); the other files hold shares of
    it, drawn from one population so that people recur across files. Same seed, same bytes.
    """
    if rows < 10:
        raise ValueError("rows must be at least 10")
    out_dir = Path(out_dir)
    evidence = out_dir / "evidence"
    truth_dir = out_dir / "truth"
    evidence.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    pool = residents(rows * 8 // 5, seed)
    builder = _Builder(pool, seed)
    files = builder.build(rows)
    for f in files:
        if "!/" not in f.path and f.format != "zip":
            builder.write(evidence / f.path, f)
    builder.write_zip(evidence, files)
    pool.write_parquet(truth_dir / "people.parquet")
    index = _truth_index(files, truth_dir, out_dir, seed, rows)
    target = out_dir / "truth.json"
    target.write_text(json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8")
    return target


class _Builder:
    """Draws the people of each file and renders the files."""

    def __init__(self, pool: pl.DataFrame, seed: int) -> None:
        self.pool = pool
        self.seed = seed
        self.r = random.Random(seed)
        self.rendered: dict[str, bytes] = {}

    def sample(self, n: int, frame: pl.DataFrame | None = None) -> pl.DataFrame:
        frame = self.pool if frame is None else frame
        n = min(n, frame.height)
        picks = sorted(self.r.sample(range(frame.height), n))
        return frame[picks]

    def table(
        self,
        name: str,
        people: pl.DataFrame,
        fields: Mapping[str, str],
        *,
        header_row: int | None = 0,
        rates: NoiseRates | None = None,
        forms: Mapping[str, Sequence[str]] | None = None,
    ) -> _Table:
        made = noisy(people, fields, self.r.randrange(1 << 30), rates=rates, forms=forms)
        return _Table(name, header_row, made, dict(fields))

    def build(self, rows: int) -> list[_File]:
        part = max(5, rows * 3 // 10)
        owners = self.table(
            "业主名单.csv",
            self.sample(rows),
            {
                "序号": "seq",
                "业主姓名": "name",
                "性别": "gender",
                "联系电话1": "mobile",
                "联系电话2": "landline",
                "身份证号": "cn_id",
                "小区": "community",
                "房号": "room",
                "面积": "area",
                "签约日期": "date",
                "备注": "note",
            },
        )
        customers = self.table(
            "客户资料.csv",
            self.sample(rows * 3 // 5),
            {
                "客户名称": "name",
                "手机号": "mobile",
                "证件号码": "cn_id",
                "银行卡号": "bank_card",
                "邮箱": "email",
                "金额": "amount",
                "地址": "address",
            },
            rates=NoiseRates(variant=0.7, spreadsheet=0.1),
        )
        txt_people = self.sample(part)
        txt_fields = {"column_1": "name", "column_2": "mobile", "column_3": "address"}
        txt_forms = {
            "column_1": [],
            "column_2": ["dashed", "intl_compact", "full_width"],
            "column_3": ["no_province", "no_city", "dong"],
        }
        txt = self.table("名单.txt", txt_people, txt_fields, header_row=None, forms=txt_forms)
        txt_copy = self.table("名单.txt", txt_people, txt_fields, header_row=None, forms=txt_forms)
        chat = chat_messages(self.pool, self.r.randrange(1 << 30), max(20, rows // 6))
        no_status = pl.DataFrame(
            {c: pl.Series([None] * chat.frame.height, dtype=pl.String) for c in chat.frame.columns}
        )
        chat_noisy = Noisy(
            chat.frame,
            no_status,
            no_status,
            dict.fromkeys(chat.frame.columns),
            chat.person_id,
        )
        chat_table = _Table(
            "聊天记录.csv",
            0,
            chat_noisy,
            {"时间": "date", "发送人": "text", "消息": "text"},
            spans=chat.spans,
            free_text=["消息"],
        )
        files = [
            _File("业主名单.csv", "csv", "gbk", [owners]),
            _File("客户资料.csv", "csv", "utf-8-sig", [customers]),
            _File("金都花园业主名单.xlsx", "xlsx", None, self._workbook_tables()),
            _File("老客户.xls", "xls", None, [self._legacy_table(part)]),
            _File("名单.txt", "txt", "utf-8", [txt]),
            _File("members.json", "json", "utf-8", [self._members(part, "members.json")]),
            _File("orders.jsonl", "jsonl", "utf-8", [self._orders(part)]),
            _File("dump_mysql.sql", "sql", "utf-8", [self._mysql_owners(rows // 2)]),
            _File("backup_pg.sql", "sql", "utf-8", [self._pg_employees(rows // 5)]),
            _File("聊天记录.csv", "csv", "utf-8", [chat_table]),
            _File("打包.zip", "zip", None, []),
            _File(
                "打包.zip!/2020/客户资料备份.csv",
                "csv",
                "utf-8",
                [self._backup(rows // 5)],
                parent="打包.zip",
            ),
            _File("打包.zip!/名单.txt", "txt", "utf-8", [txt_copy], parent="打包.zip"),
            _File("打包.zip!/inner.zip", "zip", None, [], parent="打包.zip"),
            _File(
                "打包.zip!/inner.zip!/车主.csv",
                "csv",
                "gbk",
                [self._car_owners(rows // 5)],
                parent="打包.zip!/inner.zip",
            ),
        ]
        return files + self._loose_files(part)

    def _loose_files(self, n: int) -> list[_File]:
        """Lists typed by hand: fields between full-width commas and 、, and ``key:value``
        lines with the keys in any order and some missing (see :func:`_loose_text`)."""
        forms = {"name": [], "mobile": ["dashed", "spaced", "intl"], "address": ["dong"]}
        fields = {"column_1": "name", "column_2": "mobile", "column_3": "address"}
        commas = self.table(
            "通讯录.txt",
            self.sample(n),
            fields,
            header_row=None,
            forms={c: forms[f] for c, f in fields.items()},
        )
        keys = {"姓名": "name", "电话": "mobile", "地址": "address"}
        pairs = self.table(
            "客户信息.txt",
            self.sample(n),
            keys,
            header_row=None,
            forms={c: forms[f] for c, f in keys.items()},
        )
        pairs.noisy = _without(pairs.noisy, "地址", every=4)
        return [
            _File("通讯录.txt", "txt", "gbk", [commas]),
            _File("客户信息.txt", "txt", "utf-8", [pairs]),
        ]

    # --- the tables ------------------------------------------------------------------------

    def _workbook_tables(self) -> list[_Table]:
        estate = self.pool.filter(pl.col("community") == "金都花园")
        if estate.height < 3:
            estate = self.pool
        building = estate["building"].cast(pl.Int64)
        fields = {
            "序号": "seq",
            "姓名": "name",
            "手机": "mobile",
            "身份证": "cn_id",
            "房号": "room",
            "车牌号": "plate",
            "面积": "area",
        }
        tables = [
            self.table(
                sheet, estate.filter((building >= lo) & (building <= hi)), fields, header_row=1
            )
            for sheet, lo, hi in (("1-6幢", 1, 6), ("7-12幢", 7, 12), ("13-18幢", 13, 99))
        ]
        cars = estate.filter(pl.col("plate").is_not_null())
        tables.append(
            self.table(
                "车辆登记",
                cars,
                {"车主": "name", "车牌": "plate", "车架号": "vin", "联系电话": "mobile"},
                header_row=1,
            )
        )
        return tables

    def _legacy_table(self, n: int) -> _Table:
        return self.table(
            "客户",
            self.sample(n),
            {
                "客户名称": "name",
                "电话": "mobile",
                "证件号码": "cn_id",
                "出生日期": "birth_date",
                "住址": "address",
                "备注": "note",
            },
            header_row=2,
        )

    def _members(self, n: int, name: str) -> _Table:
        return self.table(
            name,
            self.sample(n),
            {
                "name": "name",
                "mobile": "mobile",
                "id_card": "cn_id",
                "email": "email",
                "qq": "qq",
                "wechat": "wechat",
                "last_login_ip": "ip",
                "passport": "passport",
            },
            header_row=None,
        )

    def _orders(self, n: int) -> _Table:
        return self.table(
            "orders.jsonl",
            self.sample(n),
            {
                "order_no": "order_no",
                "receiver": "name",
                "phone": "mobile",
                "address": "address",
                "location": "gps",
                "amount": "amount",
                "created": "date",
            },
            header_row=None,
        )

    def _mysql_owners(self, n: int) -> _Table:
        return self.table(
            "owners",
            self.sample(n),
            {
                "id": "seq",
                "name": "name",
                "mobile": "mobile",
                "id_card": "cn_id",
                "room": "room",
                "area": "area",
                "plate_no": "plate",
            },
            header_row=None,
        )

    def _pg_employees(self, n: int) -> _Table:
        people = self.sample(n).filter(pl.col("uscc").is_not_null())
        return self.table(
            "employees",
            people,
            {
                "full_name": "name",
                "cn_id": "cn_id",
                "birthday": "birth_date",
                "cell_phone": "mobile",
                "employer_uscc": "uscc",
                "salary_card": "bank_card",
                "passport_no": "passport",
            },
            header_row=None,
        )

    def _backup(self, n: int) -> _Table:
        return self.table(
            "客户资料备份.csv",
            self.sample(n),
            {
                "name": "name",
                "tel": "mobile",
                "idcard": "cn_id",
                "bankcard": "bank_card",
                "email": "email",
                "remark": "note",
            },
        )

    def _car_owners(self, n: int) -> _Table:
        people = self.sample(n * 2).filter(pl.col("plate").is_not_null()).head(n)
        return self.table(
            "车主.csv",
            people,
            {
                "车主姓名": "name",
                "车牌号码": "plate",
                "车架号": "vin",
                "手机": "mobile",
                "身份证": "cn_id",
            },
        )

    # --- rendering -------------------------------------------------------------------------

    def render(self, f: _File) -> bytes:
        """The bytes of one (non-zip) file."""
        if f.path in self.rendered:
            return self.rendered[f.path]
        tables = f.tables
        if f.path in _LOOSE:
            data = _loose_text(tables[0], _LOOSE[f.path], self.seed).encode(f.encoding or "utf-8")
        elif f.format in ("csv", "txt"):
            data = _delimited(tables[0], f.encoding or "utf-8", f.format == "txt")
        elif f.format == "xlsx":
            data = _xlsx(tables)
        elif f.format == "xls":
            data = _xls(tables[0])
        elif f.format == "json":
            data = _json(tables[0], lines=False)
        elif f.format == "jsonl":
            data = _json(tables[0], lines=True)
        elif f.path.endswith("mysql.sql"):
            data = _mysql(tables[0])
        else:
            data = _postgres(tables[0])
        self.rendered[f.path] = data
        return data

    def write(self, path: Path, f: _File) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.render(f))

    def write_zip(self, evidence: Path, files: Sequence[_File]) -> None:
        """Write every top-level zip with its members; inner zips are built first."""
        zips = sorted((f for f in files if f.format == "zip"), key=lambda f: -f.path.count("!/"))
        for z in zips:
            prefix = z.path + "!/"
            members = {
                f.path[len(prefix) :]: f
                for f in files
                if f.path.startswith(prefix) and "!/" not in f.path[len(prefix) :]
            }
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for member in sorted(members):
                    info = zipfile.ZipInfo(member, date_time=(2020, 6, 1, 12, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, self.render(members[member]))
            self.rendered[z.path] = buffer.getvalue()
            if "!/" not in z.path:
                (evidence / z.path).write_bytes(buffer.getvalue())


_LOOSE = {"通讯录.txt": "commas", "客户信息.txt": "pairs"}
"""The files written as people type lists, by their layout."""


def _without(made: Noisy, column: str, every: int) -> Noisy:
    """The table with every ``every``-th cell of ``column`` left out (a key a typist skipped),
    the truth too; the first row keeps it."""
    gone = (pl.int_range(made.frame.height, eager=True) % every == every - 1).alias("gone")

    def blank(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.when(gone).then(None).otherwise(pl.col(column)).alias(column))

    return Noisy(
        blank(made.frame), blank(made.status), blank(made.forms), made.types, made.person_id
    )


def _loose_text(table: _Table, layout: str, seed: int) -> str:
    """A table as a typed list: ``commas``: fields between ``，`` (every third line ``、``),
    one person a line; ``pairs``: ``key:value`` (or ``key：value``) pairs, the keys after the
    first line in a shuffled order, a missing value's key left out."""
    r = random.Random(seed)
    columns = table.noisy.frame.columns
    lines = []
    for i, row in enumerate(table.noisy.frame.iter_rows()):
        if layout == "commas":
            lines.append(("、" if i % 3 == 2 else "，").join(c or "" for c in row))
            continue
        present = [(k, v) for k, v in zip(columns, row, strict=True) if v is not None]
        if i:
            r.shuffle(present)
        colon = "：" if i % 2 else ":"
        lines.append(" ".join(f"{k}{colon}{v}" for k, v in present))
    return "\r\n".join(lines) + "\r\n"


def _cells(table: _Table) -> list[list[str]]:
    return [[c if c is not None else "" for c in row] for row in table.noisy.frame.iter_rows()]


def _delimited(table: _Table, encoding: str, spaced: bool) -> bytes:
    buffer = io.StringIO(newline="")
    if spaced:
        for row in _cells(table):
            buffer.write(" ".join(row) + "\r\n")
    else:
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(table.noisy.frame.columns)
        writer.writerows(_cells(table))
    return buffer.getvalue().encode(encoding)


def _xlsx(tables: Sequence[_Table]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": dt.datetime(2019, 5, 1)})
    title = book.add_format({"bold": True, "align": "center", "font_size": 14})
    bold = book.add_format({"bold": True})
    for table in tables:
        sheet = book.add_worksheet(table.name)
        columns = table.noisy.frame.columns
        sheet.merge_range(0, 0, 0, len(columns) - 1, "金都花园业主名单（2019年）", title)
        sheet.write_row(1, 0, columns, bold)
        for i, row in enumerate(table.noisy.frame.iter_rows(), start=2):
            for j, (column, value) in enumerate(zip(columns, row, strict=True)):
                if value is None:
                    continue
                if table.fields[column] in _NUMERIC:
                    sheet.write_number(i, j, float(value))
                else:
                    sheet.write_string(i, j, value)
    book.close()
    return buffer.getvalue()


def _xls(table: _Table) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(table.name)
    columns = table.noisy.frame.columns
    sheet.write_merge(0, 0, 0, len(columns) - 1, "2016年老客户回访表")
    sheet.write(1, 0, "导出时间：2016-08-01")
    for j, column in enumerate(columns):
        sheet.write(2, j, column)
    for i, row in enumerate(table.noisy.frame.iter_rows(), start=3):
        for j, value in enumerate(row):
            if value is not None:
                sheet.write(i, j, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _json(table: _Table, *, lines: bool) -> bytes:
    records: list[dict[str, Any]] = table.noisy.frame.to_dicts()
    for record in records:
        for column, value in record.items():
            if value is not None and table.fields[column] == "amount":
                record[column] = float(value)
    if lines:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        text = json.dumps(records, ensure_ascii=False, indent=1)
    return text.encode("utf-8")


def _sql_value(value: str | None, fname: str, mysql: bool) -> str:
    if value is None:
        return "NULL"
    if fname in _NUMERIC:
        return value
    if mysql:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + value.replace("'", "''") + "'"


def _mysql(table: _Table) -> bytes:
    columns = table.noisy.frame.columns
    kinds = [table.fields[c] for c in columns]
    lines = [
        "-- MySQL dump 10.13  Distrib 5.7.29, for Linux (x86_64)",
        "--",
        "-- Host: 192.168.1.20    Database: wuye",
        "-- ------------------------------------------------------",
        "/*!40101 SET NAMES utf8mb4 */;",
        "",
        f"DROP TABLE IF EXISTS `{table.name}`;",
        f"CREATE TABLE `{table.name}` (",
    ]
    for column, kind in zip(columns, kinds, strict=True):
        sql_type = (
            "int(11) NOT NULL"
            if kind == "seq"
            else ("decimal(8,1) DEFAULT NULL" if kind in _NUMERIC else "varchar(64) DEFAULT NULL")
        )
        lines.append(f"  `{column}` {sql_type},")
    lines += [f"  PRIMARY KEY (`{columns[0]}`)", ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;", ""]
    lines.append(f"LOCK TABLES `{table.name}` WRITE;")
    rows = list(table.noisy.frame.iter_rows())
    for start in range(0, len(rows), 100):
        values = ",".join(
            "(" + ",".join(_sql_value(v, k, True) for v, k in zip(row, kinds, strict=True)) + ")"
            for row in rows[start : start + 100]
        )
        lines.append(f"INSERT INTO `{table.name}` VALUES {values};")
    lines += ["UNLOCK TABLES;", "-- Dump completed on 2020-11-03 22:14:09", ""]
    return "\n".join(lines).encode("utf-8")


def _postgres(table: _Table) -> bytes:
    columns = table.noisy.frame.columns
    kinds = [table.fields[c] for c in columns]
    lines = [
        "--",
        "-- PostgreSQL database dump",
        "--",
        "SET client_encoding = 'UTF8';",
        "",
        f"CREATE TABLE {table.name} (",
        ",\n".join(f"    {c} character varying(64)" for c in columns),
        ");",
        "",
    ]
    names = ", ".join(columns)
    for row in table.noisy.frame.iter_rows():
        values = ", ".join(_sql_value(v, k, False) for v, k in zip(row, kinds, strict=True))
        lines.append(f"INSERT INTO {table.name} ({names}) VALUES ({values});")
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _truth_index(
    files: Sequence[_File], truth_dir: Path, out_dir: Path, seed: int, rows: int
) -> dict[str, Any]:
    """Write the truth Parquet files and return the ``truth.json`` index."""
    entries = []
    counter = 0
    for f in files:
        tables = []
        for table in f.tables:
            counter += 1
            stem = f"t{counter:02d}"
            cells = truth_dir / f"{stem}.cells.parquet"
            persons = truth_dir / f"{stem}.persons.parquet"
            table.noisy.status.write_parquet(cells)
            pl.DataFrame(
                {
                    "row": pl.Series(range(table.noisy.frame.height), dtype=pl.Int64),
                    "person_id": table.noisy.person_id.cast(pl.Int64),
                }
            ).write_parquet(persons)
            spans_path = None
            if table.spans is not None:
                spans = truth_dir / f"{stem}.spans.parquet"
                table.spans.write_parquet(spans)
                spans_path = spans.relative_to(out_dir).as_posix()
            status = table.noisy.status.unpivot()["value"].value_counts()
            tables.append(
                {
                    "name": table.name,
                    "header_row": table.header_row,
                    "rows": table.noisy.frame.height,
                    "columns": table.noisy.types,
                    "free_text": table.free_text,
                    "cells": cells.relative_to(out_dir).as_posix(),
                    "spans": spans_path,
                    "persons": persons.relative_to(out_dir).as_posix(),
                    "distinct_persons": table.noisy.person_id.drop_nulls().n_unique(),
                    "status_counts": {
                        s: int(c)
                        for s, c in sorted(
                            (s, c)
                            for s, c in zip(status["value"], status["count"], strict=True)
                            if s is not None
                        )
                    },
                }
            )
        entries.append(
            {
                "path": f.path,
                "format": f.format,
                "encoding": f.encoding,
                "parent": f.parent,
                "tables": tables,
            }
        )
    return {
        "schema": TRUTH_SCHEMA,
        "seed": seed,
        "rows": rows,
        "evidence_dir": "evidence",
        "people": "truth/people.parquet",
        "files": entries,
    }
