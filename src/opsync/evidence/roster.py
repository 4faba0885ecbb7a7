"""Who is on the base roster for a role: logins from the trusted policy, and `@org/team`
entries resolved by the forge (asked once per login and role)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from opsync.workspace.policy import Policy

TeamLookup = Callable[[str, str], bool]  # (team, login) -> member? (raises when unknown)


@dataclass(frozen=True)
class Roster:
    policy: Policy  # trusted: from the base commit
    teams: TeamLookup | None = None  # None: team entries match nobody
    _asked: dict[tuple[str, str], bool] = field(default_factory=dict, compare=False, repr=False)

    def is_member(self, login: str, role: str) -> bool:
        """On the base roster by login; then through its teams."""
        if self.policy.has_role(login, role):
            return True
        key = (login.casefold(), role)
        if key not in self._asked:
            teams = [m for m in self.policy.members(role) if m.startswith("@") and "/" in m]
            lookup = self.teams
            self._asked[key] = lookup is not None and any(lookup(t, login) for t in teams)
        return self._asked[key]

    @property
    def logins(self) -> list[str]:
        """Every login named on any role (team entries included), sorted."""
        return sorted({m for members in self.policy.roles.values() for m in members})
