from scoring.cli import entry

entry()
