"""Which profile a name means: a keyring profile first, else an AWS config profile.

The one place that rule lives: ``--profile`` (engine/connect.py), the prefetch helper's
"stand aside for a keyring profile" (engine/prefetch.py) and the profile picker's list
(tui/screens/profile_picker.py) all ask here. Each source's names are read when first
needed, so a keyring profile resolves without importing botocore.
"""

from __future__ import annotations

from typing import Literal

Source = Literal["keyring", "aws"]
#: The rule: the first source that has a name is the one it means.
ORDER: tuple[Source, ...] = ("keyring", "aws")


class ProfileSources:
    """The profile names of each source, read once each, and the rule between them."""

    def __init__(self) -> None:
        self._names: dict[Source, list[str]] = {}

    def names(self, source: Source) -> list[str]:
        """The names ``source`` holds, sorted (``ProfileError``: profiles.toml is damaged)."""
        if source not in self._names:
            if source == "keyring":
                from mfa_tui.state import profiles

                self._names[source] = sorted(profiles.load_all())
            else:
                from mfa_tui.aws.credentials import aws_config_profiles

                self._names[source] = aws_config_profiles()
        return self._names[source]

    def source_of(self, name: str) -> Source | None:
        """The source ``name`` means, or None (neither has it)."""
        for source in ORDER:
            if name in self.names(source):
                return source
        return None

    def listing(self) -> list[tuple[str, Source]]:
        """Every name once, with the source it means: each source's names in ``ORDER``."""
        seen: set[str] = set()
        listed: list[tuple[str, Source]] = []
        for source in ORDER:
            for name in self.names(source):
                if name not in seen:
                    seen.add(name)
                    listed.append((name, source))
        return listed
