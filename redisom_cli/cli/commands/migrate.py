"""`om migrate` and `om index info|drop|rebuild`: the search indexes of the loaded models."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from redisom_cli.cli import render, session
from redisom_cli.cli.commands.records import YesFlag, confirm
from redisom_cli.cli.completion import complete_model
from redisom_cli.cli.options import JsonFlag, command

PLAN_COLUMNS = ["model", "index", "action", "changes"]
ModelArgument = Annotated[str, typer.Argument(
    metavar="MODEL", help="Model class name or dotted path.", autocompletion=complete_model)]
WaitFlag = Annotated[bool, typer.Option(
    "--wait", help="Return only after the server has indexed the existing records.")]


def register(app: typer.Typer) -> None:
    """Add `om migrate` and the `om index` group to the app."""
    command(app, "migrate")(migrate)
    group = typer.Typer(name="index", help="Show, drop or rebuild the search index of one model.",
                        no_args_is_help=True)
    command(group, "info")(info)
    command(group, "drop")(drop)
    command(group, "rebuild")(rebuild)
    app.add_typer(group)


def _migrator_class() -> Any:
    import redisom_cli
    from redisom_cli.errors import ConfigurationError

    migrator = getattr(redisom_cli, "Migrator", None)
    if migrator is None:
        raise ConfigurationError("index commands are not available yet: this build has no Migrator")
    return migrator


def migrate(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan, change nothing.")] = False,
    yes: YesFlag = False,
    wait: WaitFlag = False,
    json: JsonFlag = False,
) -> None:
    """Create or update the search index of every loaded model: print the plan, then apply it."""
    migrator_class = _migrator_class()
    models = session.current().bind_all()
    migrator = migrator_class(models)
    actions = migrator.plan()
    if not actions and not json:
        render.note("om: no loaded model has a search index")
        return
    rows = [_plan_row(action) for action in actions]
    render.print_rows(rows, PLAN_COLUMNS, render.JSON if json else render.TABLE)
    pending = [action for action in actions if action.kind.value not in ("unchanged", "skip")]
    skipped = [action for action in actions if action.kind.value == "skip"]
    if skipped:
        from redisom_cli.index.migrator import SHARDED_SEARCH_REASON

        render.note(f"om: skipped {len(skipped)} index(es): {SHARDED_SEARCH_REASON}")
    if dry_run or not pending:
        render.note("om: dry run, nothing changed" if dry_run else "om: every index is up to date")
        return
    if any(action.kind.value == "recreate" for action in pending):
        confirm(f"Recreate {sum(a.kind.value == 'recreate' for a in pending)} index(es)? Records are kept", yes)
    applied = migrator.run(wait=wait)
    changed = sum(1 for action in applied if action.kind.value in ("create", "recreate"))
    render.note(f"om: migrated {changed} index(es)")


def _plan_row(action: Any) -> dict[str, Any]:
    changes = ""
    if action.kind.value == "recreate":
        changes = action.diff.describe() if action.diff else "no recorded schema to compare with"
    if action.kind.value == "skip":
        changes = "cluster without a search coordinator"
    return {"model": action.model.__name__, "index": action.index_name, "action": action.kind.value,
            "changes": changes}


def info(model: ModelArgument, json: JsonFlag = False) -> None:
    """Print the state of a model's search index: documents, failures, progress, attributes."""
    _migrator_class()
    cls = session.current().model(model)
    state = cls.index_info()
    record = {
        "index": state.name,
        "documents": state.documents,
        "indexing_failures": state.indexing_failures,
        "indexing": state.indexing,
        "percent_indexed": state.percent_indexed,
        "last_error": state.last_error,
        "attributes": state.attributes,
    }
    if not json:
        record["attributes"] = ", ".join(f"{name} {kind}" for name, kind in state.attributes.items())
    render.print_record(record, render.JSON if json else render.TABLE)


def drop(model: ModelArgument, yes: YesFlag = False) -> None:
    """Drop a model's search index; the records are kept."""
    from redisom_cli.errors import NotFoundError

    _migrator_class()
    cls = session.current().model(model)
    confirm(f"Drop the index {cls.index_name()!r} of {cls.__name__}? Records are kept", yes)
    if not cls.drop_index():
        raise NotFoundError(f"{cls.__name__} has no index {cls.index_name()!r} on the server", model=cls.__name__)
    render.note(f"om: dropped the index {cls.index_name()!r}; run `om migrate` to create it again")


def rebuild(model: ModelArgument, yes: YesFlag = False, wait: WaitFlag = False) -> None:
    """Drop and create a model's search index from its current schema; the records are kept."""
    _migrator_class()
    cls = session.current().model(model)
    confirm(f"Rebuild the index {cls.index_name()!r} of {cls.__name__}? Records are kept", yes)
    action = cls.rebuild_index(wait=wait)
    render.note(f"om: {action.describe()}")
