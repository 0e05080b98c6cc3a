"""One SQL text per key figure, rendered for each engine (issue 13).

The catalogue (kpis.py) is written once, in DuckDB's dialect, which is what the municipality's own
installation runs: for DuckDB the text is used as written, so its figures stay bit for bit what they
were. For Spark SQL and PostgreSQL the same text is transpiled with sqlglot (pinned in pyproject), plus
the few rewrites below where the engines would otherwise compute a different number from the same
text. Anything DuckDB-only that sqlglot cannot translate makes render() raise, and
tests/monthly_engine/test_dialects.py renders every figure for every engine.
"""

from __future__ import annotations

from functools import lru_cache

ENGINES = ("duckdb", "spark", "postgres")


def _double_literals(node):
    # DuckDB reads 1.0 as DECIMAL but divides and averages it as DOUBLE; Spark keeps DECIMAL and
    # rounds (avg(1.0) is DECIMAL(6,5) there, 7/60.0 is rounded to 6 places), so Spark gets doubles.
    from sqlglot import exp

    if isinstance(node, exp.Literal) and node.is_number and "." in node.this:
        return exp.cast(node.copy(), exp.DataType.build("DOUBLE"))
    return node


def _spark_percentile(node):
    # quantile_cont(x, q) → percentile(x, q): Spark's exact percentile, interpolated like DuckDB's
    # (sqlglot 30.30 would write percentile_approx, which returns a value of the data instead).
    from sqlglot import exp

    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        return exp.Anonymous(this="percentile", expressions=[node.this.copy(), node.expression.copy()])
    return node


def _percentile_within_group(node):
    # quantile_cont(x, q) → percentile_cont(q) WITHIN GROUP (ORDER BY x), PostgreSQL's spelling.
    from sqlglot import exp

    if isinstance(node, exp.PercentileCont) and not isinstance(node.parent, exp.WithinGroup):
        value, quantile = node.this, node.expression
        if quantile is None:
            return node
        return exp.WithinGroup(
            this=exp.PercentileCont(this=quantile.copy()),
            expression=exp.Order(expressions=[exp.Ordered(this=value.copy(), nulls_first=False)]),
        )
    return node


_TRANSFORMS = {
    "spark": (_spark_percentile, _double_literals),
    "postgres": (_percentile_within_group,),
}


@lru_cache(maxsize=512)
def render(sql: str, engine: str) -> str:
    """The DuckDB-dialect `sql` written for `engine` (duckdb | spark | postgres)."""
    if engine not in ENGINES:
        raise ValueError(f"Okänd motor {engine!r}; välj {', '.join(ENGINES)}.")
    if engine == "duckdb":
        return sql
    import sqlglot  # only for the other engines: it costs every command's start-up otherwise

    tree = sqlglot.parse_one(sql, read="duckdb", error_level=sqlglot.ErrorLevel.RAISE)
    for transform in _TRANSFORMS.get(engine, ()):
        tree = tree.transform(transform)
    return tree.sql(dialect=engine, unsupported_level=sqlglot.ErrorLevel.RAISE)
