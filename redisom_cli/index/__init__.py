"""Search indexes: the schema of each model (`schema`) and what the Migrator does with it (`migrator`).

Both modules decide without I/O; `redisom_cli.store` reads the server and sends the commands.
"""

DEFAULT_WAIT_TIMEOUT = 60.0  # seconds to wait for a new index to finish indexing
