"""Shell completion: the scripts in completions/ are current, and names complete from the models."""

from __future__ import annotations

from pathlib import Path

import pytest

from redisom_cli.cli.completion import SHELLS, completion_script

COMPLETIONS = Path(__file__).resolve().parents[2] / "completions"


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_scripts_are_current(shell):
    path = COMPLETIONS / f"om.{shell}"
    assert path.read_text() == completion_script(shell), (
        f"{path} is stale; regenerate it with: python -m redisom_cli.cli.completion")


@pytest.mark.parametrize("shell", SHELLS)
def test_show_completion_prints_script(om_process, shell):
    # Typer's own switch that makes --show-completion take the shell name instead of detecting it.
    result = om_process("--show-completion", shell, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == completion_script(shell).strip()


def complete(om_process, words: str, index: int) -> list[str]:
    result = om_process(url=None, _OM_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(index))
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_model_names_complete(om_process):
    assert complete(om_process, "om get Mem", 2) == ["Member"]
    assert sorted(complete(om_process, "om find C", 2)) == ["Country", "Customer"]


def test_field_names_complete(om_process):
    assert complete(om_process, "om create Member na", 3) == ["name="]
    assert complete(om_process, "om get Customer 1 --fields first_name,addr", 5) == ["first_name,address.city",
                                                                                    "first_name,address.postal_code"]
    assert complete(om_process, "om find Member x --sort ag", 5) == ["age"]
    assert complete(om_process, "om --url x get Country 1 -f na", 7) == ["name"]


def test_completion_without_models_is_empty(om_process):
    result = om_process(url=None, OM_MODELS="no_such_module", _OM_COMPLETE="complete_bash",
                        COMP_WORDS="om get M", COMP_CWORD="2")
    assert result.returncode == 0
    assert result.stdout.strip() == ""
