"""Which systems a run reads, in which layout, from files or tables (the dbt vars).

dbt reads `<system>_enabled`, `<system>_layout` and `<system>_schema` (macros/contract.sql);
this module gives the CLI the same view, so `leadscore validate` checks exactly the files
staging will read, and `leadscore run` can switch off a system whose landing folder is
absent (saying so) instead of failing on its first missing file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from leadscore import contract


def _truthy(value: object) -> bool:
    return str(value).strip().lower() not in {"false", "0", "no", "off"}


def parse_layouts(items: list[str]) -> dict[str, str]:
    """`["hubspot=fivetran", ...]` -> {"hubspot": "fivetran"}; unknown names are errors."""
    out: dict[str, str] = {}
    for item in items:
        system, sep, layout = item.partition("=")
        if not sep:
            raise ValueError(f"--layout {item!r}: write SYSTEM=LAYOUT, e.g. hubspot=fivetran")
        spec = contract.system(system.strip())
        if layout.strip() not in spec.layouts:
            raise ValueError(
                f"--layout {item!r}: {spec.name} has layouts {', '.join(spec.layouts)}"
            )
        out[spec.name] = layout.strip()
    return out


@dataclass(frozen=True)
class Selection:
    """The systems of a run: enabled ones, their layouts, and which read warehouse tables."""

    enabled: tuple[str, ...]
    disabled: tuple[str, ...]
    layouts: dict[str, str]
    from_tables: tuple[str, ...]
    switched_off: tuple[str, ...]  # disabled here because their landing folder is absent

    @property
    def from_files(self) -> tuple[str, ...]:
        return tuple(s for s in self.enabled if s not in self.from_tables)

    def dbt_vars(self) -> dict[str, object]:
        return {f"{name}_enabled": False for name in self.switched_off}


def select_systems(dbt_vars: Mapping[str, object], raw_dir: Path) -> Selection:
    """Apply the vars; a system reading files with no folder under raw_dir is switched off."""
    enabled, disabled, switched = [], [], []
    layouts: dict[str, str] = {}
    tables = []
    for spec in contract.systems():
        name = spec.name
        layouts[name] = str(dbt_vars.get(f"{name}_layout", "export"))
        if not _truthy(dbt_vars.get(f"{name}_enabled", True)):
            disabled.append(name)
            continue
        if f"{name}_schema" in dbt_vars or f"{name}_database" in dbt_vars:
            tables.append(name)
            enabled.append(name)
            continue
        if not (raw_dir / name).is_dir():
            switched.append(name)
            disabled.append(name)
            continue
        enabled.append(name)
    return Selection(tuple(enabled), tuple(disabled), layouts, tuple(tables), tuple(switched))
