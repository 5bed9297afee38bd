"""Documentation stays true: every command is in the README and has help text."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from scheduler.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix}{name} "))
    return found


@pytest.mark.parametrize(("name", "command"), _commands(cli), ids=lambda v: v if isinstance(v, str) else "")
def test_command_is_documented(name: str, command: click.Command) -> None:
    assert f"newsmon {name}" in README, f"README.md does not mention `newsmon {name}`"
    assert command.help and len(command.help.strip()) > 20, f"`newsmon {name}` has no help text"


def test_readme_gives_the_two_commands() -> None:
    assert "make run" in README and "make test" in README
