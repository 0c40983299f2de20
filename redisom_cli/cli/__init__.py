"""`om`, the command-line admin tool: the only part of redisom_cli that imports typer and rich."""
