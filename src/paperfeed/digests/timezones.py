"""The time-zone choice: ~600 IANA names, grouped so a reader can find theirs.

Commonly used zones come first, then one group per region ("Europe", "America", …) labelled
by city, then the old alias names ("US/Eastern", "Etc/GMT+5", "CET") so a stored value is
always shown and accepted. Validation stays the ChoiceField's: only names zoneinfo knows.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

# One or two per populated region of the world, in order of the regions below.
COMMON = [
    "UTC",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
]

# Regions whose names are the current canonical IANA areas; everything else is an alias.
REGIONS = ["Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"]


def city_label(name: str) -> str:
    """'America/Argentina/Buenos_Aires' → 'Argentina / Buenos Aires' (the region is the group)."""
    return " / ".join(part.replace("_", " ") for part in name.split("/")[1:]) or name


def full_label(name: str) -> str:
    """'America/New_York' → 'New York (America)'; 'UTC' stays 'UTC'."""
    if "/" not in name:
        return name
    region, _, rest = name.partition("/")
    return f"{rest.replace('_', ' ').replace('/', ' / ')} ({region})"


@cache
def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a Select: [(group label, [(value, label), …]), …]."""
    names = available_timezones() | {"UTC"}
    groups: list[tuple[str, list[tuple[str, str]]]] = [
        ("Common", [(name, full_label(name)) for name in COMMON if name in names])
    ]
    for region in REGIONS:
        members = sorted(n for n in names if n.startswith(region + "/"))
        if members:
            groups.append((region, sorted(((n, city_label(n)) for n in members), key=lambda c: c[1])))
    others = sorted(n for n in names if n.split("/")[0] not in REGIONS and n != "UTC")
    groups.append(("Other names (older aliases)", [(n, n.replace("_", " ")) for n in others]))
    return groups
