"""SQL dumps: `INSERT INTO … VALUES` (MySQL and PostgreSQL quoting) and `COPY … FROM stdin`.

A leaked database usually arrives as a dump, not as a database. Each table in the dump becomes one
Table, named as in the dump (quotes removed); columns come from the INSERT's column list, else from
the CREATE TABLE before it, else `column_N`. The dump is read statement by statement, so memory is
bounded by the largest statement (mysqldump keeps them near 1 MB), never by the dump. Statements are
assumed to end at the end of a line, as every dump tool writes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from leaktrace.errors import InputError

from ._csv import check_cells
from ._header import column_names, generic_names
from ._model import Limits, MiB, Table
from ._sniff import decoder_name, read_sample

_MAX_STATEMENT = 512 * MiB
_NAME = r"(?P<table>(?:`[^`]+`|\"[^\"]+\"|[^\s(`\"]+)(?:\.(?:`[^`]+`|\"[^\"]+\"|[^\s(`\"]+))?)"
_INSERT = re.compile(
    r"\s*(?:INSERT|REPLACE)\s+(?:IGNORE\s+)?INTO\s+"
    + _NAME
    + r"\s*(?:\((?P<cols>[^)]*)\))?\s*VALUES\s*",
    re.IGNORECASE,
)
_CREATE = re.compile(
    r"\s*CREATE\s+(?:UNLOGGED\s+|TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    + _NAME
    + r"\s*\((?P<body>.*)\)",
    re.IGNORECASE | re.DOTALL,
)
_COPY = re.compile(
    r"\s*COPY\s+" + _NAME + r"\s*(?:\((?P<cols>[^)]*)\))?\s+FROM\s+stdin", re.IGNORECASE
)
_MYSQL_TOKEN = re.compile(
    r"'(?P<s>(?:[^'\\]|\\.|'')*)'|(?P<null>NULL)\b|(?P<o>\()|(?P<c>\))|(?P<sep>,)"
    r"|(?P<word>[^\s,()']+)|\s+",
    re.IGNORECASE | re.DOTALL,
)
_PG_TOKEN = re.compile(
    r"[Ee]'(?P<e>(?:[^'\\]|\\.|'')*)'|'(?P<s>(?:[^']|'')*)'|(?P<null>NULL)\b|(?P<o>\()"
    r"|(?P<c>\))|(?P<sep>,)|(?P<word>[^\s,()']+)|\s+",
    re.IGNORECASE | re.DOTALL,
)
_BACKSLASH = re.compile(r"\\(.)", re.DOTALL)
_ESCAPES = {"0": "\0", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "b": "\b"}
_CONSTRAINTS = frozenset(
    {"primary", "key", "unique", "constraint", "index", "foreign", "check", "fulltext", "spatial"}
)
_MYSQL_MARKERS = ("`", "ENGINE=", "/*!", "LOCK TABLES", "\\'")

Row = list[str | None]


@dataclass
class _TableInfo:
    columns: list[str] = field(default_factory=list)
    from_header: bool = False


def read_sql(path: Path, shown: str, encoding: str, limits: Limits) -> list[Table]:
    """A table per table that has rows in the dump, in order of first appearance."""
    sample = read_sample(path, limits.sniff_bytes).decode(decoder_name(encoding), "replace")
    mysql = any(marker in sample for marker in _MYSQL_MARKERS)
    created: dict[str, list[str]] = {}
    infos: dict[str, _TableInfo] = {}
    for event in _events(path, shown, encoding, mysql):
        kind, table = event[0], event[1]
        if kind == "create":
            created[table] = event[2]
            continue
        info = infos.setdefault(table, _TableInfo())
        names = event[2] or created.get(table)
        if names:
            info.from_header = True
            info.columns += [n for n in names if n not in info.columns]
        elif not info.from_header:
            width = len(event[3][0]) if kind == "insert" and event[3] else 0
            if width > len(info.columns):
                info.columns = generic_names(width)
    tables = []
    for table, info in infos.items():
        columns = (
            column_names(info.columns, len(info.columns)) if info.from_header else info.columns
        )
        tables.append(
            Table(
                table,
                columns or ["column_1"],
                None,
                _batches(path, shown, encoding, mysql, table, columns or ["column_1"], limits),
                shown,
            )
        )
    return tables


def _batches(
    path: Path,
    shown: str,
    encoding: str,
    mysql: bool,
    table: str,
    columns: list[str],
    limits: Limits,
) -> Callable[[], Iterator[pl.DataFrame]]:
    def batches() -> Iterator[pl.DataFrame]:
        schema = dict.fromkeys(columns, pl.String)
        created: dict[str, list[str]] = {}
        buffer: list[Row] = []
        seen = 0
        for event in _events(path, shown, encoding, mysql, rows_for=table):
            if event[0] == "create":
                created[event[1]] = event[2]
                continue
            if event[1] != table:
                continue
            names = event[2] or created.get(table) or columns
            positions = [columns.index(n) if n in columns else None for n in names]
            for values in event[3]:
                row: Row = [None] * len(columns)
                for pos, value in zip(positions, values, strict=False):
                    if pos is not None:
                        row[pos] = value
                if not names and len(values) > len(columns):
                    raise InputError(
                        f"表 {table}：某行的值多于列 "
                        f"table {table}: a row has more values than columns",
                        shown,
                    )
                buffer.append(row)
            while len(buffer) >= limits.batch_rows:
                frame = pl.DataFrame(buffer[: limits.batch_rows], schema=schema, orient="row")
                buffer = buffer[limits.batch_rows :]
                check_cells(frame, limits, shown, seen)
                seen += frame.height
                yield frame
        if buffer:
            frame = pl.DataFrame(buffer, schema=schema, orient="row")
            check_cells(frame, limits, shown, seen)
            yield frame

    return batches


Event = tuple[str, str, list[str], list[Row]]


def _events(
    path: Path, shown: str, encoding: str, mysql: bool, rows_for: str | None = None
) -> Iterator[Event]:
    """("create", table, columns, []) and ("insert" | "copy", table, columns, rows) in file order.

    Rows are parsed only for `rows_for` (the table being read), or only the first row of each
    statement when listing tables, which keeps the opening pass cheap.
    """
    token = _MYSQL_TOKEN if mysql else _PG_TOKEN
    for kind, statement, copy_rows in _statements(path, shown, encoding, mysql):
        if kind == "copy":
            match = _COPY.match(statement)
            if match is None:
                continue
            table = _unquote(match["table"])
            names = _identifiers(match["cols"]) if match["cols"] else []
            wanted = rows_for == table
            if wanted:
                rows = [_copy_row(line) for line in copy_rows]
            else:
                rows = [_copy_row(copy_rows[0])] if copy_rows and not names else []
            yield ("copy", table, names, rows)
            continue
        insert = _INSERT.match(statement)
        if insert is not None:
            table = _unquote(insert["table"])
            names = _identifiers(insert["cols"]) if insert["cols"] else []
            if rows_for is None:
                rows = _values(statement, insert.end(), token, mysql, shown, first_only=True)
            elif rows_for == table:
                rows = _values(statement, insert.end(), token, mysql, shown)
            else:
                rows = []
            yield ("insert", table, names, rows)
            continue
        create = _CREATE.match(statement)
        if create is not None:
            yield ("create", _unquote(create["table"]), _create_columns(create["body"]), [])


def _statements(
    path: Path, shown: str, encoding: str, mysql: bool
) -> Iterator[tuple[str, str, list[str]]]:
    """Complete statements, tracking quotes so a `;` inside a string does not end one."""
    parts: list[str] = []
    size = 0
    in_quote = False
    with path.open("r", encoding=decoder_name(encoding), errors="strict", newline="") as fh:
        lines = iter(fh)
        for line in lines:
            if not parts and (line.startswith(("--", "#")) or not line.strip()):
                continue
            parts.append(line)
            size += len(line)
            if size > _MAX_STATEMENT:
                raise InputError("SQL 语句超过 512 MB SQL statement larger than 512 MB", shown)
            plain = line.replace("\\\\", "").replace("\\'", "") if mysql else line
            if plain.count("'") % 2:
                in_quote = not in_quote
            if in_quote or not line.rstrip().endswith(";"):
                continue
            statement = "".join(parts)
            parts, size = [], 0
            if _COPY.match(statement):
                rows = []
                for row in lines:
                    if row.rstrip("\r\n") == "\\.":
                        break
                    rows.append(row)
                    if len(rows) >= 100_000:
                        yield ("copy", statement, rows)
                        rows = []
                yield ("copy", statement, rows)
            else:
                yield ("sql", statement, [])
    if parts and in_quote:
        raise InputError(
            "SQL 转储不完整：引号字符串没有结束 truncated SQL dump: a quoted string never ends",
            shown,
        )


def _values(
    statement: str,
    start: int,
    token: re.Pattern[str],
    mysql: bool,
    shown: str,
    first_only: bool = False,
) -> list[Row]:
    """Rows of the `VALUES (…), (…)` list starting at `start`: strings unescaped, NULL as None."""
    rows: list[Row] = []
    row: Row = []
    value: str | None = None
    filled = False
    depth = 0
    for match in token.finditer(statement, start):
        group = match.lastgroup
        if group is None:
            continue
        if group == "o":
            depth += 1
            if depth == 1:
                row, value, filled = [], None, False
        elif group == "c":
            depth -= 1
            if depth == 0:
                row.append(value if filled else None)
                rows.append(row)
                if first_only:
                    return rows
        elif depth == 0:
            if group == "word" and match.group().startswith(";"):
                break
            continue
        elif group == "sep" and depth == 1:
            row.append(value if filled else None)
            value, filled = None, False
        elif group == "null":
            value, filled = None, True
        elif group in ("s", "e"):
            value = _unescape(match.group(group), mysql or group == "e") or None
            filled = True
        elif group == "word" and not filled:
            value, filled = match.group(), True
    if depth != 0:
        raise InputError(
            "SQL 语句不完整：括号不配对 truncated SQL statement: unbalanced parentheses", shown
        )
    return rows


def _unescape(text: str, backslashes: bool) -> str:
    if "''" in text:
        text = text.replace("''", "'")
    if backslashes and "\\" in text:
        text = _BACKSLASH.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)
    return text


def _copy_row(line: str) -> Row:
    """One line of COPY text format: tab-separated, `\\N` for null, backslash escapes."""
    cells: Row = []
    for cell in line.rstrip("\r\n").split("\t"):
        if cell == "\\N" or cell == "":
            cells.append(None)
        else:
            cells.append(_unescape(cell, True) if "\\" in cell else cell)
    return cells


def _unquote(name: str) -> str:
    return name.replace("`", "").replace('"', "")


def _identifiers(text: str) -> list[str]:
    return [_unquote(part.strip()) for part in text.split(",") if part.strip()]


def _create_columns(body: str) -> list[str]:
    """Column names of a CREATE TABLE body: the first word of each top-level definition."""
    names = []
    depth = 0
    current: list[str] = []
    for char in body + ",":
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            definition = "".join(current).strip()
            current = []
            if definition:
                first = definition.split()[0]
                if first.lower() not in _CONSTRAINTS:
                    names.append(_unquote(first))
        else:
            current.append(char)
    return names
