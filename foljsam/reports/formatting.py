"""Plain-text rendering of report tables for the command line."""

from foljsam.registry.selectors import ProvidersTable


def providers_table_text(table: ProvidersTable, title: str) -> str:
    y = table.year
    width = max([len("Verksamhet")] + [len(r.area.name) for _s, rows in table.sections for r in rows]) + 2
    lines = [
        title,
        "",
        f"{'Verksamhet':<{width}}{f'1 januari {y} (st)':<22}{f'31 december {y} (st)':<22}",
        f"{'':<{width}}{'Privata':>9}{'Egen regi':>11}  {'Privata':>9}{'Egen regi':>11}",
    ]
    for sector, rows in table.sections:
        lines.append(sector)
        for r in rows:
            lines.append(
                f"{r.area.name:<{width}}{r.jan_private:>9}{r.jan_own:>11}  {r.dec_private:>9}{r.dec_own:>11}"
            )
    return "\n".join(lines)
