"""Person linkage: LeakTrace against Splink's deterministic linkage on the same records.

Splink (DuckDB backend) is what a user would pick to link records. Its deterministic linkage
takes blocking rules as the rules: two records are one person when a rule's columns are equal
(and not null), and connected components make the clusters. We give it LeakTrace's linking
rules as blocking rules: one rule per identifier that links by default (ID number, mobile,
e-mail, bank card) and name + estate + building + unit + room. Both sides get the same records:
the files of ``write_large_overlap`` (a third of the people in two files, each file another
subset of identifiers), normalised once by ``leaktrace.normalize.records`` so that both compare
the same canonical values (the preparation is timed on its own).

Where the rules differ the clusters may too, and the bench says how many records each kind of
difference holds: LeakTrace keeps apart what two different ID numbers separate (Splink merges
through a shared phone), and links name + room where one list names no estate (Splink's rule
needs the estate on both sides; a deterministic rule cannot say "equal or unknown"). That
catches second copies in a list with rooms but no estate, and also joins different people of
one name in the same-numbered room of two estates; ``provable_persons_at_most`` (from the
generator's truth) tells which side is nearer. Clusters are compared record by record: a
record agrees when the set of records LeakTrace puts with it is the set Splink puts with it.

Each step runs in its own process from the same prepared records, in the same run; prints JSON
lines. Requirements: ``pip install --require-hashes -r requirements/bench.txt`` (the ``bench``
extra).

    .venv/bin/python bench/bench_splink.py                 # 1 million records
    .venv/bin/python bench/bench_splink.py --rows 200000
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from _util import emit, measure

IDENTIFIER_RULES = ("cn_id", "mobile", "email", "bank_card")
"""Identifiers that link by default (docs/count.md) and that the benchmark's files carry."""
PLACE_RULE = ("name", "community", "building", "unit", "room")

PREPARE = """
import json
from pathlib import Path
import polars as pl
from leaktrace.detect import classify_columns
from leaktrace.ingest import walk
from leaktrace.normalize import records
from leaktrace.scan import SAMPLE_ROWS
frames = []
for i, path in enumerate({paths!r}):
    for ev in walk([Path(path)]):
        for table in ev.tables:
            batches = [b for b in table.batches() if b.height]
            profiles = classify_columns(list(batches[0].columns), batches[0].head(SAMPLE_ROWS))
            offset = 0
            for batch in batches:
                frames.append(records(batch, profiles, offset=offset).with_columns(
                    pl.lit(i, pl.UInt8).alias("file")))
                offset += batch.height
recs = pl.concat(frames)
recs.write_parquet({out!r})
print(json.dumps({{"records": recs.height,
                   "valid": recs.filter(pl.col("status") == "valid").height}}))
"""

SPLINK = """
import json
import polars as pl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
recs = (pl.read_parquet({recs!r})
        .filter(pl.col("status") == "valid")
        .select(pl.int_range(pl.len(), dtype=pl.Int64).alias("unique_id"), "row", "file",
                *{columns!r}))
rules = [block_on(c) for c in {identifiers!r}] + [block_on(*{place!r})]
db = DuckDBAPI()
linker = Linker(db.register(recs.to_arrow()),
                SettingsCreator(link_type="dedupe_only",
                                blocking_rules_to_generate_predictions=rules),
                log_level=None)
pairs = linker.inference.deterministic_link()
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs)
out = (clusters.as_duckdbpyrelation().pl()
       .select("file", "row", pl.col("cluster_id").cast(pl.String).alias("splink")))
out.write_parquet({out!r})
print(json.dumps({{"records": out.height, "persons": out.get_column("splink").n_unique()}}))
"""

LEAKTRACE = """
import json
import polars as pl
from leaktrace.normalize import link
recs = pl.read_parquet({recs!r}).filter(pl.col("status") == "valid")
linkage = link(recs)
out = recs.select("file", "row").with_columns(
    pl.Series("leaktrace", linkage.person).cast(pl.String))
out.write_parquet({out!r})
print(json.dumps({{"records": out.height, "persons": out.get_column("leaktrace").n_unique(),
                   "conflicts": int(linkage.conflicts) if isinstance(linkage.conflicts, int)
                   else len(linkage.conflicts)}}))
"""


def has_link() -> bool:
    """Whether this LeakTrace has person linkage (``leaktrace.normalize.link``)."""
    import leaktrace.normalize as normalize

    return hasattr(normalize, "link")


def compare(splink: pl.DataFrame, leaktrace: pl.DataFrame) -> dict[str, object]:
    """Record by record: does each record have the same cluster-mates on both sides?"""
    both = splink.join(leaktrace, on=["file", "row"], how="inner")
    # a cluster on one side is the same set of records as on the other side exactly when every
    # record of it maps to one cluster on the other side and vice versa
    s_parts = both.group_by("splink").agg(pl.col("leaktrace").n_unique().alias("lt_n"))
    l_parts = both.group_by("leaktrace").agg(pl.col("splink").n_unique().alias("sp_n"))
    both = both.join(s_parts, on="splink").join(l_parts, on="leaktrace")
    same = (pl.col("lt_n") == 1) & (pl.col("sp_n") == 1)
    return {
        "records": both.height,
        "records_same_cluster": both.filter(same).height,
        "agreement": round(both.filter(same).height / max(both.height, 1), 6),
        "splink_clusters_leaktrace_splits": s_parts.filter(pl.col("lt_n") > 1).height,
        "records_split_by_leaktrace": both.filter(pl.col("lt_n") > 1).height,
        "leaktrace_persons_splink_splits": l_parts.filter(pl.col("sp_n") > 1).height,
        "records_merged_by_leaktrace_only": both.filter(pl.col("sp_n") > 1).height,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    if importlib.util.find_spec("splink") is None:
        emit(
            bench="splink",
            skipped=True,
            reason="splink not installed: pip install --require-hashes -r requirements/bench.txt",
        )
        return

    folder = args.out / f"overlap_{args.rows}x{args.files}"
    paths = [str(folder / f"part_{i}.csv") for i in range(args.files)]
    if not all(Path(p).exists() for p in paths):
        gen = measure(
            "from pathlib import Path\nfrom leaktrace.synth import write_large_overlap\n"
            f"write_large_overlap(Path({str(folder)!r}), {args.rows}, {args.files}, {args.seed})"
        )
        emit(step="generate", rows=args.rows, files=args.files, wall_s=gen["wall_s"])
    truth = pl.read_json(folder / "overlap.json").select(
        "persons", "records", "in_two_files", "linkable_in_two_files"
    )
    facts = truth.row(0, named=True)
    # second copies that share neither an identifier nor name + place with their first can be
    # joined by no rule; two people whose random identifiers collide, or who share a name and a
    # room number where one list names no estate, are joined: so this is an upper bound
    provable = facts["persons"] + facts["in_two_files"] - facts["linkable_in_two_files"]
    emit(step="files", folder=str(folder), **facts, provable_persons_at_most=provable)

    recs = folder / "records.parquet"
    prep = measure(PREPARE.format(paths=paths, out=str(recs)))
    emit(
        step="prepare (leaktrace.normalize.records, shared by both)",
        wall_s=prep["wall_s"],
        peak_rss_mb=prep["peak_rss_mb"],
        **prep["out"],
    )

    columns = sorted({*IDENTIFIER_RULES, *PLACE_RULE})
    splink_out = folder / "splink.parquet"
    sp = measure(
        SPLINK.format(
            recs=str(recs),
            columns=columns,
            identifiers=IDENTIFIER_RULES,
            place=PLACE_RULE,
            out=str(splink_out),
        )
    )
    emit(
        step="splink.deterministic_link + clusters (DuckDB)",
        wall_s=sp["wall_s"],
        cpu_s=sp["cpu_s"],
        peak_rss_mb=sp["peak_rss_mb"],
        **sp["out"],
    )

    if not has_link():
        emit(
            step="leaktrace.normalize.link",
            skipped="this LeakTrace has no person linkage yet (leaktrace.normalize.link): "
            "only Splink's side ran; nothing is compared",
        )
        return
    lt_out = folder / "leaktrace.parquet"
    lt = measure(LEAKTRACE.format(recs=str(recs), out=str(lt_out)))
    emit(
        step="leaktrace.normalize.link",
        wall_s=lt["wall_s"],
        cpu_s=lt["cpu_s"],
        peak_rss_mb=lt["peak_rss_mb"],
        **lt["out"],
    )
    emit(
        step="compare",
        **compare(pl.read_parquet(splink_out), pl.read_parquet(lt_out)),
        link_over_splink=round(lt["wall_s"] / sp["wall_s"], 3),
    )


if __name__ == "__main__":
    main()
