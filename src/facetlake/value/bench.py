"""Time and peak memory of the CLV path at a given number of customers, without building a whole lake.

Transactions come from the generator's buy-till-you-die process and parameters (facetlake.generator.population
BTYD: purchase rate Gamma(r, alpha), dropout after each purchase Beta(a, b), spend Gamma(p, nu), nu Gamma(q,
gamma)), over `--days` days for `--customers` customers who each buy at least once. Then the build's own steps,
each in a process of its own so its peak memory is its own: the SQL summary (macro clv_customer_summary, as the
model clv_customer_summary runs it) in DuckDB, the fit (facetlake.value.clv on a uniform sample of
FACETLAKE_CLV_FIT_SAMPLE customers, as the build's fit stage) and the SQL scoring (macro clv_scores, as
customer_clv runs it). Results go to docs/benchmarks/value-clv-<customers>.json.

    python -m facetlake.value.bench --customers 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from facetlake import paths

STEPS = ("synthesize", "summary", "fit", "score")
START = pd.Timestamp("2026-01-01")
MARKER = "-- facetlake.value.bench: next statement --"


def synthesize(customers: int, days: int, seed: int) -> pd.DataFrame:
    """One row per purchase (customer_id, purchase_date, amount) of `customers` buyers: the generator's BTYD
    loop (plan_purchases), here starting each customer at a first purchase drawn uniformly over the window."""
    from facetlake.generator.population import BTYD

    rng = np.random.default_rng(seed)
    lam = rng.gamma(BTYD["r"], 1.0 / BTYD["alpha"], customers)
    drop = rng.beta(BTYD["a"], BTYD["b"], customers)
    nu = rng.gamma(BTYD["q"], 1.0 / BTYD["gamma"], customers)
    t = rng.uniform(0, days, customers)  # the first purchase
    people, times = [np.arange(customers)], [t.copy()]
    alive = rng.random(customers) >= drop  # a customer may drop right after the first purchase
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1.0 / np.maximum(lam[idx], 1e-9))
        bought = idx[t[idx] < days]
        people.append(bought)
        times.append(t[bought])
        alive[idx[t[idx] >= days]] = False
        alive[bought[rng.random(len(bought)) < drop[bought]]] = False
    person = np.concatenate(people)
    when = np.concatenate(times)
    return pd.DataFrame(
        {
            "customer_id": person.astype(np.int64),
            "purchase_date": START + pd.to_timedelta(np.floor(when).astype(int), unit="D"),
            "amount": np.round(rng.gamma(BTYD["p"], 1.0 / nu[person]), 2),
        }
    )


def compile_macros(days: int, workdir: Path) -> tuple[str, str]:
    """The summary and scoring SQL as dbt compiles the project's macros (no warehouse is touched)."""
    calibration_end = (START + pd.Timedelta(days=days - 1)).date().isoformat()
    inline = (
        "{{ clv_customer_summary(relation='transactions', customer_column='customer_id', "
        "date_column='purchase_date', amount_column='amount', "
        f"calibration_end=\"cast('{calibration_end}' as date)\", time_unit_days=1) }}}}\n{MARKER}\n"
        "{{ clv_scores('clv_customer_summary', 'clv_parameters') }}"
    )
    (workdir / "lake" / "warehouse").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        FACETLAKE_LAKE=str(workdir / "lake"),
        FACETLAKE_ENGINE="duckdb",
        DBT_PROFILES_DIR=str(paths.project_dir()),
        DBT_TARGET_PATH=str(workdir / "target"),
        DBT_LOG_PATH=str(workdir / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    dbt = Path(sys.executable).parent / "dbt"
    command = [str(dbt), "compile", "--quiet", "--output", "json", "--inline", inline]
    result = subprocess.run(
        [*command, "--project-dir", str(paths.project_dir())], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"dbt could not compile the CLV macros:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    summary_sql, score_sql = json.loads(result.stdout)["compiled"].split(MARKER)
    return summary_sql, score_sql


def run_step(step: str, database: Path, options: dict) -> dict:
    """One step in this process; returns its measurements."""
    import duckdb

    start = time.perf_counter()
    out: dict = {"step": step}
    con = duckdb.connect(str(database))
    con.execute(f"set threads = {options['threads']}")
    try:
        if step == "synthesize":
            frame = synthesize(options["customers"], options["days"], options["seed"])
            con.register("frame", frame)
            con.execute("create or replace table transactions as select * from frame")
            out["transactions"] = len(frame)
        elif step == "summary":
            con.execute(f"create or replace table clv_customer_summary as {options['summary_sql']}")
            out["customers"] = con.execute("select count(*) from clv_customer_summary").fetchone()[0]
        elif step == "fit":
            from facetlake.value.clv import fit_bgnbd, fit_gamma_gamma, sample_summary
            from facetlake.value.fit import fit_sample_size

            summary = con.execute(
                "select customer_id, frequency, recency, customer_age, monetary_value from clv_customer_summary"
            ).fetchdf()
            sample = sample_summary(summary, fit_sample_size())
            del summary
            results = [fit_bgnbd(sample), fit_gamma_gamma(sample)]
            rows = [
                (r.model, name, value, r.status)
                for r in results
                for name, value in (r.parameters or {"none": None}).items()
            ]
            con.execute(
                "create or replace table clv_parameters "
                "(model varchar, parameter varchar, value double, status varchar)"
            )
            con.executemany("insert into clv_parameters values (?, ?, ?, ?)", rows)
            out["fitted_customers"] = len(sample)
            out["fits"] = {
                r.model: {"status": r.status, "reason": r.reason, "seconds": round(r.seconds, 1), **r.parameters}
                for r in results
            }
        elif step == "score":
            con.execute(f"create or replace table customer_clv as {options['score_sql']}")
            scored, with_clv, mean_clv, mean_p_alive = con.execute(
                "select count(*), count(clv), avg(clv), avg(p_alive) from customer_clv"
            ).fetchone()
            out.update(scored=scored, with_clv=with_clv, mean_clv=round(mean_clv or 0, 2))
            out["mean_p_alive"] = round(mean_p_alive or 0, 4)
    finally:
        con.close()
    out["seconds"] = round(time.perf_counter() - start, 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m facetlake.value.bench",
        description="Time and peak memory of the CLV summary, fit and SQL scoring at N customers.",
    )
    parser.add_argument("--customers", type=int, default=100_000, help="customers with a purchase (default 100000)")
    parser.add_argument("--days", type=int, default=365, help="days of purchases (default 365)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    parser.add_argument("--workdir", type=Path, default=None, help="where the DuckDB file goes (default: a temp dir)")
    parser.add_argument("--output", type=Path, default=None, help="default docs/benchmarks/value-clv-<n>.json")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)  # internal: run one step, print JSON
    parser.add_argument("--options", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        options = json.loads(args.options.read_text())
        print(json.dumps(run_step(args.step, Path(options["database"]), options)))
        return
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        summary_sql, score_sql = compile_macros(args.days, work)
        options = {
            "customers": args.customers,
            "days": args.days,
            "seed": args.seed,
            "threads": args.threads,
            "database": str(work / "bench.duckdb"),
            "summary_sql": summary_sql,
            "score_sql": score_sql,
        }
        (work / "options.json").write_text(json.dumps(options))
        steps = []
        for step in STEPS:
            command = [
                sys.executable,
                "-m",
                "facetlake.value.bench",
                "--step",
                step,
                "--options",
                str(work / "options.json"),
            ]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise SystemExit(f"step {step} failed:\n{result.stderr[-3000:]}")
            steps.append(json.loads(result.stdout.strip().splitlines()[-1]))
            print(f"{step}: {steps[-1]}", file=sys.stderr)
    from facetlake.generator.population import BTYD

    report = {
        "customers": args.customers,
        "days": args.days,
        "seed": args.seed,
        "duckdb_threads": args.threads,
        "cpus": os.cpu_count(),
        "planted": BTYD,
        "steps": steps,
    }
    output = args.output or paths.project_dir() / "docs" / "benchmarks" / f"value-clv-{args.customers}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
