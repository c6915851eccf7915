"""Canonical synthetic residents: every value valid, every column a true fact about a person.

Faker's zh_CN provider makes a few thousand people a second, far too slow for the benchmarks, so
we use it only for vocabularies and draw everything else as numpy arrays: random digits go into
ASCII matrices, check characters are computed on the matrices, and text is assembled by Polars'
string kernels. Every value comes from one ``numpy.random.Generator`` seeded by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import polars as pl

from leaktrace.synth import _checks as ck
from leaktrace.synth import _reference as ref

# Ages are counted from a fixed day, not from today, so a seed means the same people forever.
REFERENCE_DAY = dt.date(2024, 6, 30)
_MIN_AGE, _MAX_AGE = 18, 88

RESIDENT_COLUMNS = [
    "person_id",
    "name",
    "gender",
    "birth_date",
    "cn_id",
    "mobile",
    "landline",
    "email",
    "qq",
    "wechat",
    "bank_card",
    "plate",
    "vin",
    "passport",
    "employer",
    "uscc",
    "province",
    "city",
    "district",
    "subdistrict",
    "community",
    "building",
    "unit",
    "room",
    "area",
    "address",
    "lat",
    "lng",
    "ip",
]

_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_ALNUM_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_YEARS = "CDEFGHJKLMNPR"  # model years 2012-2024


def residents(n: int, seed: int, *, communities: Sequence[str] | None = None) -> pl.DataFrame:
    """Generate ``n`` residents of Hangzhou and Jiande estates with valid, consistent values.

    ``communities`` limits residents to the named estates (names from ``data/communities.csv``),
    e.g. ``["金都花园"]`` for one estate's owners list. The frame is the ground truth that noisy
    evidence is made from; ``birth_date`` is a Date, ``area``/``lat``/``lng`` are floats,
    ``person_id`` is an integer, everything else is text (null where a person has none).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    rng = np.random.default_rng(seed)
    male = rng.random(n) < 0.5
    birth = _birth_dates(rng, n)
    where = _homes(rng, n, communities)
    plate, vin = _vehicles(rng, n)
    employer, uscc = _employers(rng, n)
    qq = pl.Series("qq", rng.integers(10_000_000, 3_500_000_000, size=n)).cast(pl.String)
    frame = pl.DataFrame(
        {
            "person_id": np.arange(n, dtype=np.int64),
            "name": _names(rng, male),
            "gender": pl.Series(["女", "男"]).gather(male.astype(np.int64)),
            "birth_date": birth,
            "cn_id": _cn_ids(rng, birth, male),
            "mobile": _mobiles(rng, n),
            "landline": _landlines(rng, n),
            "email": _emails(rng, qq),
            "qq": qq,
            "wechat": _wechats(rng, n),
            "bank_card": _bank_cards(rng, n),
            "plate": plate,
            "vin": vin,
            "passport": _passports(rng, n),
            "employer": employer,
            "uscc": uscc,
            "ip": _ips(rng, n),
        }
    )
    return pl.concat([frame, where], how="horizontal").select(RESIDENT_COLUMNS)


def _birth_dates(rng: np.random.Generator, n: int) -> np.ndarray:
    """Adults of every age, a little younger on average, as datetime64[D]."""
    age_days = rng.triangular(_MIN_AGE, 38, _MAX_AGE, size=n) * 365.25
    day = np.datetime64(REFERENCE_DAY, "D")
    return day - age_days.astype("timedelta64[D]")


def _date_digits(dates: np.ndarray) -> np.ndarray:
    """YYYYMMDD of each date as an (n, 8) ASCII matrix.

    Integer civil-from-days arithmetic (H. Hinnant's algorithm): numpy's own datetime unit
    conversions are several times slower on millions of dates.
    """
    z = dates.astype(np.int64) + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return _int_digits(year * 10_000 + month * 100 + day, 8)


def _int_digits(number: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative integers as an (n, width) ASCII matrix."""
    out = np.empty((len(number), width), dtype=np.uint8)
    rest = number.astype(np.int64)
    for position in range(width - 1, -1, -1):
        rest, digit = np.divmod(rest, 10)
        out[:, position] = digit + ck.ZERO
    return out


def _cn_ids(rng: np.random.Generator, birth: np.ndarray, male: np.ndarray) -> pl.Series:
    """18-digit resident ID numbers: county, birth date, order code with sex parity, check."""
    n = len(birth)
    codes, probs = ref.id_county_codes()
    county = codes[rng.choice(len(codes), size=n, p=probs)]
    order = rng.integers(0, 500, size=n) * 2 + male.astype(np.int64)  # odd for men
    body = np.concatenate([county, _date_digits(birth), _int_digits(order, 3)], axis=1)
    full = np.concatenate([body, ck.ric_check(body)[:, None]], axis=1)
    return ck.ascii_series(full, "cn_id")


def _names(rng: np.random.Generator, male: np.ndarray) -> pl.Series:
    """Surname by frequency, then a one- or two-character given name fitting the sex.

    Everything is an index into a vocabulary, so the text is assembled by gathers and one
    concatenation instead of per-row branching.
    """
    n = len(male)
    surnames, sprobs = ref.surnames()
    opening, male_vocab, female_vocab = ref.given_names()
    given = pl.Series(male_vocab + female_vocab)
    given_len = given.str.len_chars().to_numpy()
    pick = np.where(
        male,
        rng.integers(0, len(male_vocab), size=n),
        len(male_vocab) + rng.integers(0, len(female_vocab), size=n),
    )
    two_chars = (rng.random(n) < 0.7) & (given_len[pick] == 1)
    first = np.where(two_chars, rng.integers(0, len(opening), size=n), len(opening))
    frame = pl.DataFrame(
        {
            "s": pl.Series(surnames).gather(rng.choice(len(surnames), size=n, p=sprobs)),
            "f": pl.Series([*opening, ""]).gather(first),
            "g": given.gather(pick),
        }
    )
    return frame.select(pl.concat_str("s", "f", "g").alias("name")).to_series()


def _mobiles(rng: np.random.Generator, n: int) -> pl.Series:
    segments = ref.table("mobile_segments")
    seg = np.frombuffer("".join(segments["segment"]).encode(), dtype=np.uint8).reshape(-1, 3)
    head = seg[rng.choice(len(seg), size=n, p=ref.weights(segments))]
    return ck.ascii_series(np.concatenate([head, ck.digits(rng, n, 8)], axis=1), "mobile")


def _landlines(rng: np.random.Generator, n: int) -> pl.Series:
    """Area code, hyphen, local number (first digit 2-8, length per city); 40% have none."""
    codes = ref.table("area_codes")
    pick = rng.choice(codes.height, size=n, p=ref.weights(codes))
    local_len = codes["local_digits"].cast(pl.Int64).to_numpy()[pick]
    scale = 10 ** (local_len - 1)
    local = rng.integers(2, 9, size=n) * scale + (rng.random(n) * scale).astype(np.int64)
    # 800… local numbers are reserved (free-phone style) in Beijing and Shanghai: skip them.
    block = scale // 100
    local = np.where(local // block == 800, local + block, local)
    text = codes["area_code"].gather(pick) + "-" + pl.Series(local).cast(pl.String)
    return _with_nulls(text.alias("landline"), rng.random(n) < 0.4)


def _emails(rng: np.random.Generator, qq: pl.Series) -> pl.Series:
    """QQ mail as ``<qq>@qq.com``; others a letters-and-digits handle; 30% have none."""
    n = len(qq)
    domains = ref.table("email_domains")
    domain = domains["domain"].gather(rng.choice(domains.height, size=n, p=ref.weights(domains)))
    handle_len = rng.integers(4, 9, size=n)
    handle = ck.ascii_series(ck.letters(rng, n, 8, _LOWER), "h", handle_len)
    tail = pl.Series(rng.integers(0, 10_000, size=n)).cast(pl.String)
    local = pl.select(
        pl.when(domain == "qq.com").then(qq).otherwise(handle + tail.str.slice(0, 2))
    ).to_series()
    return _with_nulls((local + "@" + domain).alias("email"), rng.random(n) < 0.3)


def _wechats(rng: np.random.Generator, n: int) -> pl.Series:
    """WeChat IDs: legacy ``wxid_…`` or a chosen ID (letter first, 6-15 chars); 35% none."""
    matrix = ck.letters(rng, n, 19, _ALNUM_LOWER + "_")
    matrix[:, 0] = ck.letters(rng, n, 1, _LOWER)[:, 0]
    lengths = rng.integers(6, 16, size=n)
    legacy = rng.random(n) < 0.3
    matrix[legacy, :5] = np.frombuffer(b"wxid_", dtype=np.uint8)
    matrix[legacy, 5:] = ck.letters(rng, int(legacy.sum()), 14, _ALNUM_LOWER)
    lengths[legacy] = 19
    return _with_nulls(ck.ascii_series(matrix, "wechat", lengths), rng.random(n) < 0.35)


def _bank_cards(rng: np.random.Generator, n: int) -> pl.Series:
    """UnionPay debit cards: a real BIN, random account digits, Luhn check; 15% none."""
    bins = ref.table("bank_bins")
    pick = rng.choice(bins.height, size=n, p=ref.weights(bins))
    lengths = bins["length"].cast(pl.Int64).to_numpy()[pick]
    bin_mat = np.frombuffer("".join(bins["bin"]).encode(), dtype=np.uint8).reshape(-1, 6)
    matrix = np.concatenate([bin_mat[pick], ck.digits(rng, n, 13)], axis=1)
    for length in np.unique(lengths):
        rows = lengths == length
        matrix[rows, length - 1] = ck.luhn_check(matrix[rows, : length - 1])
    text = ck.ascii_series(matrix, "bank_card", lengths)
    return _with_nulls(text, rng.random(n) < 0.15)


def _vehicles(rng: np.random.Generator, n: int) -> tuple[pl.Series, pl.Series]:
    """Plates (浙A…; 12% new-energy 浙AD12345) and VINs, for the 55% of people with a car."""
    prefixes = ref.table("plates")
    prefix = prefixes["prefix"].gather(rng.choice(prefixes.height, size=n, p=ref.weights(prefixes)))
    ordinary = ck.digits(rng, n, 5)
    letter_at = rng.integers(0, 5, size=n)
    has_letter = rng.random(n) < 0.6
    rows = np.flatnonzero(has_letter)
    ordinary[rows, letter_at[rows]] = ck.letters(rng, len(rows), 1, _PLATE_LETTERS)[:, 0]
    energy = np.concatenate([ck.letters(rng, n, 1, "DF"), ck.digits(rng, n, 5)], axis=1)
    is_energy = rng.random(n) < 0.12
    tail = np.concatenate([ordinary, np.zeros((n, 1), dtype=np.uint8)], axis=1)
    tail[is_energy] = energy[is_energy]
    tail_s = ck.ascii_series(tail, "tail", np.where(is_energy, 6, 5))
    no_car = rng.random(n) >= 0.55
    wmis = ref.table("vin_wmi")
    wmi_mat = np.frombuffer("".join(wmis["wmi"]).encode(), dtype=np.uint8).reshape(-1, 3)
    vin = np.concatenate(
        [
            wmi_mat[rng.choice(wmis.height, size=n, p=ref.weights(wmis))],
            ck.letters(rng, n, 5, _VIN_ALPHABET),
            np.full((n, 1), ck.ZERO, dtype=np.uint8),
            ck.letters(rng, n, 1, _VIN_YEARS),
            ck.letters(rng, n, 1, "0123456789ABCDEFGH"),
            ck.digits(rng, n, 6),
        ],
        axis=1,
    )
    vin[:, 8] = ck.vin_check(vin)
    plate = _with_nulls((prefix + tail_s).alias("plate"), no_car)
    return plate, _with_nulls(ck.ascii_series(vin, "vin"), no_car)


def _passports(rng: np.random.Generator, n: int) -> pl.Series:
    """Ordinary e-passports ``E`` + 8 digits, for the 20% who have one."""
    body = np.concatenate([np.full((n, 1), ord("E"), dtype=np.uint8), ck.digits(rng, n, 8)], 1)
    return _with_nulls(ck.ascii_series(body, "passport"), rng.random(n) >= 0.2)


def _employers(rng: np.random.Generator, n: int) -> tuple[pl.Series, pl.Series]:
    """A pool of local companies with valid USCCs; 70% of residents work for one of them."""
    pool = max(8, min(2000, n // 50))
    words = ref.COMPANY_WORDS
    trades = ref.COMPANY_TRADES
    communities = ref.table("communities")
    places = dict(zip(communities["district_code"], communities["district"], strict=False))
    # Region codes stdnum knows: companies in 临平区 (330113, created 2021) mostly registered
    # under 余杭区 before the split, and validators check the region against stdnum's table.
    known = {c.code for c in ref.counties()}
    codes = sorted(code for code in places if code in known)
    names: list[str] = []
    usccs: list[str] = []
    seen: set[str] = set()
    picks = rng.integers(0, 1 << 30, size=(pool * 2, 4))
    org_bodies = rng.integers(10_000_000, 99_999_999, size=pool * 2)
    for (w, t, c, _), org in zip(picks, org_bodies, strict=True):
        code = codes[c % len(codes)]
        name = f"{places[code]}{words[w % len(words)]}{trades[t % len(trades)]}有限公司"
        if name in seen:
            continue
        seen.add(name)
        org_code = f"{org}" + ck.org_code_check(f"{org}")
        body = "91" + code + org_code
        names.append(name)
        usccs.append(body + ck.uscc_check(body))
        if len(names) == pool:
            break
    pick = rng.integers(0, len(names), size=n)
    none = rng.random(n) >= 0.7
    return (
        _with_nulls(pl.Series("employer", names).gather(pick), none),
        _with_nulls(pl.Series("uscc", usccs).gather(pick), none),
    )


def _homes(rng: np.random.Generator, n: int, only: Sequence[str] | None) -> pl.DataFrame:
    """Where each person lives: estate, building, unit, room, floor area, address, lat/lng."""
    estates = ref.table("communities")
    if only is not None:
        unknown = set(only) - set(estates["community"])
        if unknown:
            raise ValueError(f"unknown communities: {sorted(unknown)}")
        estates = estates.filter(pl.col("community").is_in(list(only)))
    pick = rng.choice(estates.height, size=n, p=ref.weights(estates))

    def ints(column: str) -> np.ndarray:
        return np.asarray(estates[column].cast(pl.Int64).to_numpy())[pick]

    def floats(column: str) -> np.ndarray:
        return np.asarray(estates[column].cast(pl.Float64).to_numpy())[pick]

    def text(column: str) -> pl.Series:
        return estates[column].gather(pick)

    building = (rng.random(n) * ints("buildings")).astype(np.int64) + 1
    unit = (rng.random(n) * ints("units")).astype(np.int64) + 1
    floor = (rng.random(n) * ints("floors")).astype(np.int64) + 1
    room = floor * 100 + rng.integers(1, 5, size=n)
    area = np.round(np.clip(rng.normal(95, 28, size=n), 38, 240), 1)
    radius = floats("radius")
    lat = np.round(floats("lat") + rng.uniform(-1, 1, size=n) * radius, 6)
    lng = np.round(floats("lng") + rng.uniform(-1, 1, size=n) * radius, 6)
    street = estates.select(
        pl.concat_str("district", "subdistrict", "road", "road_no", pl.lit("号"), "community")
    ).to_series()
    frame = pl.DataFrame(
        {
            "building": building,
            "unit": unit,
            "room": room,
            "area": area,
            "lat": lat,
            "lng": lng,
            "street": street.gather(pick),
        }
    ).with_columns(pl.col("building", "unit", "room").cast(pl.String))
    address = pl.concat_str(
        pl.lit("浙江省杭州市"),
        "street",
        "building",
        pl.lit("幢"),
        "unit",
        pl.lit("单元"),
        "room",
        pl.lit("室"),
    )
    return frame.with_columns(
        province=pl.lit("浙江省"),
        city=pl.lit("杭州市"),
        district=text("district"),
        subdistrict=text("subdistrict"),
        community=text("community"),
        address=address,
    ).drop("street")


def _ips(rng: np.random.Generator, n: int) -> pl.Series:
    first = ref.IP_FIRST_OCTETS[rng.integers(0, len(ref.IP_FIRST_OCTETS), size=n)]
    rest = rng.integers(1, 255, size=(n, 3))
    octets = pl.DataFrame({"a": first, "b": rest[:, 0], "c": rest[:, 1], "d": rest[:, 2]})
    return octets.select(pl.concat_str(pl.all().cast(pl.String), separator=".").alias("ip"))["ip"]


def _with_nulls(series: pl.Series, null: np.ndarray) -> pl.Series:
    """``series`` with null where ``null`` is true (people who have no such value)."""
    return (
        pl.select(pl.when(pl.Series(null)).then(None).otherwise(series))
        .to_series()
        .alias(series.name)
    )
