"""How the web server runs (scripts/demo.sh, the crash test and benchmarks/api_latency.py all start it with this
file): two worker processes, one per core, with eight request threads each. The threads matter for writes: reports
that a process's threads file at the same time are stored in one transaction (the intake's group commit), so a
burst costs one write-lock turn and one commit per batch, not per report. Override any of these on the command
line (e.g. `--workers 4`) or with GUNICORN_CMD_ARGS."""

workers = 2
threads = 8
loglevel = "warning"
