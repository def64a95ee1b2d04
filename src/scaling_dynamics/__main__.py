"""``python -m scaling_dynamics`` is the same as the ``scaling-dynamics`` command."""

from .cli import console

console()
