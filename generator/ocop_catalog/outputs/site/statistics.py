"""The statistics page (``statistics/`` in every language): the office's numbers.

Every number comes from :func:`ocop_catalog.edition.figures.figures`, so the page and
``ocop report`` agree; this module only lays them out for the template
``theme/ocop/statistics.html``: the charts' geometry (:mod:`.charts`, the same in every
language) and the names of the keys in a language (from the UI strings, the taxonomy
and the records). The template draws each chart as SVG with its data table below it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from babel.dates import format_skeleton

from ...catalog.taxonomy import CURRENT_VERSION, load_taxonomies
from ...edition import Edition
from ...edition.figures import Figures, figures
from ...edition.i18n import Translator
from .charts import Chart, bar_chart, progress_chart


@dataclass(frozen=True)
class StatsView:
    edition: Edition

    @cached_property
    def figures(self) -> Figures:
        return figures(self.edition)

    @cached_property
    def charts(self) -> dict[str, Any]:
        """Chart geometry by section (a progress chart per target, in order)."""
        f = self.figures

        def simple(counts) -> Chart:
            return bar_chart([(c.key, (c.products,)) for c in counts])

        return {
            "state": simple(f.by_state),
            "stars": simple(f.by_stars),
            "sector": simple(f.by_sector),
            "group": bar_chart([(g.group, (g.products,)) for g in f.by_group]),
            "district": simple(f.by_district),
            "commune": simple(f.by_commune),
            "type": bar_chart([(c.type, (c.products,)) for c in f.by_producer_type]),
            "year": bar_chart([(str(y.year), (y.new, y.rerated)) for y in f.by_year],
                              ("new", "rerated"), number_room=96),
            "point": bar_chart([(p.point, (p.products,)) for p in f.by_point]),
            "expiry": bar_chart([(f"{m.year}-{m.month:02d}", (len(m.products),))
                                 for m in f.expiring]),
            "targets": tuple(progress_chart([(i.key, i.achieved, i.target)
                                             for i in p.indicators]) for p in f.targets),
        }

    def labels(self, t: Translator) -> dict[str, dict[str, str]]:
        """The name of every key of every section in ``t``'s language (plain text: it is
        written in the SVG too)."""
        f, e, ui = self.figures, self.edition, t.ui
        taxonomy = load_taxonomies()[CURRENT_VERSION]
        sectors = {s.id: s for s in taxonomy.sectors}
        groups = {s.group.id: s.group for s in taxonomy.sets.values()}
        catalog = e.catalog
        return {
            "state": {c.key: ui[f"status.{c.key}"] for c in f.by_state},
            "stars": {c.key: t("stars.label", n=c.key) for c in f.by_stars},
            "sector": {c.key: t.plain(sectors[c.key].name) for c in f.by_sector},
            "group": {g.group: t.plain(groups[g.group].name) for g in f.by_group},
            "district": {c.key: t.plain(e.district(c.key).name) if c.key
                         else ui["stats.district_unknown"] for c in f.by_district},
            "commune": {c.key: t.plain(catalog.communes[c.key].name) for c in f.by_commune},
            "type": {c.type: ui[f"producer.type.{c.type}"] for c in f.by_producer_type},
            "year": {str(y.year): str(y.year) for y in f.by_year},
            "point": {p.point: t.plain(catalog.sales_points[p.point].name) for p in f.by_point},
            "expiry": {f"{m.year}-{m.month:02d}": format_skeleton(
                "yMMMM", dt.date(m.year, m.month, 1), locale=t.locale) for m in f.expiring},
            "indicator": {key: ui[f"stats.indicator.{key}"]
                          for p in f.targets for key in (i.key for i in p.indicators)},
        }

    def product_name(self, product_id: str, t: Translator):
        return t.text(self.edition.catalog.products[product_id].record.name)
