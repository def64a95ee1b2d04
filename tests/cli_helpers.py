"""Helpers shared by the command-line tests (imported by name: tests/ is on sys.path)."""

from __future__ import annotations

from scaling_dynamics.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit status, stdout, stderr); argparse's SystemExit is a status."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err
