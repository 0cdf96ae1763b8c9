"""docs/deploy.md and the scale-out test (scripts/test-scale.sh) cannot part ways (issue 17,
PLT-1): every variable of the doc's environment file, but those marked production only, is
set by the script, and every `kehu` command of the doc's steps is run by it with the same
options."""

import re
import shlex
from pathlib import Path

import kehu
from conftest import rule

ROOT = Path(kehu.__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "deploy.md").read_text()
SCRIPT = (ROOT / "scripts" / "test-scale.sh").read_text()
WITH_POSTGRES = (ROOT / "scripts" / "with-postgres.sh").read_text()


def environment_file() -> list[str]:
    block = DOC.split("<!-- deploy:env -->", 1)[1].split("<!-- /deploy:env -->", 1)[0]
    return [line.split("=", 1)[0] for line in block.splitlines()
            if re.match(r"^[A-Z_]+=", line) and "production only" not in line]


def steps() -> list[list[str]]:
    """The `kehu …` commands of the doc's steps (its ```sh blocks under "## Steps")."""
    section = DOC.split("## Steps", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        commands += [shlex.split(line) for line in block.splitlines() if line.startswith("kehu ")]
    return commands


def script_runs(subcommand: str) -> list[set[str]]:
    """The options of each line of the script that runs `kehu <subcommand>` (with its
    continuation line)."""
    joined = SCRIPT.replace("\\\n", " ")
    return [set(re.findall(r"(--[a-z-]+)", line)) for line in joined.splitlines()
            if f'"$KEHU" {subcommand}' in line]


@rule("PLT-1")
def test_plt1_the_scale_out_test_sets_every_variable_of_the_deploy_doc():
    names = environment_file()
    assert {"DATABASE_URL", "KEHU_REDIS_URL", "KEHU_CACHE_URL", "KEHU_SECRET_KEY"} <= set(names), names
    for name in names:
        assert re.search(rf"\b{name}=", SCRIPT) or re.search(rf"export {name}=", WITH_POSTGRES), name


@rule("PLT-1")
def test_plt1_the_scale_out_test_runs_every_command_of_the_deploy_doc():
    commands = steps()
    assert [c[1] for c in commands] == ["migrate", "serve", "worker"], commands
    for command in commands:
        options = {token for token in command if token.startswith("--")}
        runs = script_runs(command[1])
        assert any(options <= found for found in runs), (command, runs)
    assert "/healthz" in SCRIPT
