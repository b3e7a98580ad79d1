"""The HTTPS health check, independent of Sceptre: one probe (probe.py), the checks and their
verdict (check.py), their options (options.py) and a command line (cli.py). The
`!https_health_check` hook (hooks/https_health_check.py) is a thin adapter over it."""
