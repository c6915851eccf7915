"""SQL dumps: MySQL and PostgreSQL INSERTs, COPY blocks, several tables per dump."""

from __future__ import annotations

from pathlib import Path

from .conftest import only_evidence, rows

MYSQL = """-- MySQL dump 10.13
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `members`;
CREATE TABLE `members` (
  `id` int NOT NULL AUTO_INCREMENT,
  `name` varchar(32) DEFAULT NULL,
  `mobile` varchar(16) DEFAULT NULL,
  `note` text,
  PRIMARY KEY (`id`),
  KEY `idx_mobile` (`mobile`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
LOCK TABLES `members` WRITE;
INSERT INTO `members` VALUES (1,'张三','13800000000','it\\'s; fine'),\
(2,'O''Neil',NULL,'line\\nbreak');
INSERT INTO `members` VALUES (3,'李四','13900000000','');
UNLOCK TABLES;
CREATE TABLE `orders` (`oid` int, `addr` varchar(64));
INSERT INTO `orders` (`oid`, `addr`) VALUES (7,'浙江省杭州市(西湖区)文三路1号');
"""

POSTGRES = """--
-- PostgreSQL database dump
--
SET client_encoding = 'UTF8';
CREATE TABLE public.users (
    id integer NOT NULL,
    name text,
    phone text
);
INSERT INTO public.users (id, name, phone) VALUES (1, '王五', '13700000000');
INSERT INTO public.users (id, name, phone) VALUES (2, 'it''s \\ ok', NULL);
COPY public.addresses (uid, address) FROM stdin;
1\t浙江省杭州市西湖区文三路1号
2\t\\N
\\.
"""


def test_mysql_dump_tables_columns_and_escapes(tmp_path: Path) -> None:
    path = tmp_path / "shop.sql"
    path.write_text(MYSQL, encoding="utf-8")
    ev = only_evidence(path)
    assert ev.format == "sql"
    assert [(t.name, t.columns) for t in ev.tables] == [
        ("members", ["id", "name", "mobile", "note"]),
        ("orders", ["oid", "addr"]),
    ]
    assert rows(ev, 0) == [
        {"id": "1", "name": "张三", "mobile": "13800000000", "note": "it's; fine"},
        {"id": "2", "name": "O'Neil", "mobile": None, "note": "line\nbreak"},
        {"id": "3", "name": "李四", "mobile": "13900000000", "note": None},
    ]
    assert rows(ev, 1) == [{"oid": "7", "addr": "浙江省杭州市(西湖区)文三路1号"}]


def test_postgres_dump_inserts_and_copy(tmp_path: Path) -> None:
    path = tmp_path / "pg.sql"
    path.write_text(POSTGRES, encoding="utf-8")
    ev = only_evidence(path)
    assert [(t.name, t.columns) for t in ev.tables] == [
        ("public.users", ["id", "name", "phone"]),
        ("public.addresses", ["uid", "address"]),
    ]
    assert rows(ev, 0)[1] == {"id": "2", "name": "it's \\ ok", "phone": None}
    assert rows(ev, 1) == [
        {"uid": "1", "address": "浙江省杭州市西湖区文三路1号"},
        {"uid": "2", "address": None},
    ]


def test_insert_without_any_column_names(tmp_path: Path) -> None:
    path = tmp_path / "bare.sql"
    path.write_text("INSERT INTO t VALUES ('张三','13800000000'),('李四',NULL);\n", "utf-8")
    ev = only_evidence(path)
    assert ev.tables[0].columns == ["column_1", "column_2"]
    assert rows(ev)[1] == {"column_1": "李四", "column_2": None}
