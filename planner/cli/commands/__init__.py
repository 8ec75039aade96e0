"""One module per ``planner`` subcommand (discovered by :mod:`planner.cli.main`)."""
