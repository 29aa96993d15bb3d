"""Every command is documented in docs/cli.md, and every make target the README names exists."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from wooarchive.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def commands(group: click.Group, prefix: str = "woo") -> list[str]:
    names = []
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        names.append(full)
        if isinstance(command, click.Group):
            names.extend(commands(command, full))
    return names


@pytest.mark.parametrize("command", commands(cli))
def test_every_command_has_a_section_in_docs_cli(command: str) -> None:
    doc = (ROOT / "docs" / "cli.md").read_text()
    assert re.search(rf"^#+ {re.escape(command)}$", doc, re.M), f"{command} is not in docs/cli.md"


@pytest.mark.parametrize("command", commands(cli))
def test_every_command_has_help(command: str) -> None:
    group: click.Command = cli
    for part in command.split()[1:]:
        group = group.commands[part]
    assert group.help and len(group.help.split()) > 4


def test_the_readme_opens_with_make_demo_and_make_test() -> None:
    readme = (ROOT / "README.md").read_text().splitlines()
    block = readme[readme.index("```sh") + 1 : readme.index("```sh") + 3]
    assert [line.split()[:2] for line in block] == [["make", "demo"], ["make", "test"]]
    makefile = (ROOT / "Makefile").read_text()
    for target in ("install", "test", "demo", "serve", "bench", "lint"):
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
