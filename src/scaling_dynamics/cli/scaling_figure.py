"""Make one of the scaling-law figures from the mean-field theory, saved as PNG (and JSON).

figures:
  bottlenecks      loss and local exponent along the time, model and data sweeps
  frontier         compute-optimal frontier (P = inf, and a finite P)
  finite-size      L(t,N) - L(t,inf) and L(t,P) - L(t,inf): 1/N early, task exponent late
  train-test-gap   train and test loss for several P (noise 0.5)
  wider-is-better  plentiful vs scarce data, and optimal early stopping (noise 0.5)
  ensembling       E models of size N against one model of size E N
  all              every figure above
The fit figure comes from `scaling-dynamics fit DATA.csv --out DIR`; the frontier of
any (a, b, P) and budgets from `scaling-dynamics compute-optimal ... --out DIR`.

examples:
  scaling-dynamics scaling-figure bottlenecks --out figures/
  scaling-dynamics scaling-figure all --a 2 --b 1.5 --out figures/
  scaling-dynamics scaling-figure bottlenecks --simulate --out figures/
  scaling-dynamics scaling-figure wider-is-better --P 300 --quick --format json
"""

from __future__ import annotations

from ..tasks.scaling_figure import FIGURE_NAMES
from ._task import task_command

add_arguments, run = task_command('scaling-figure')

#: The names the command accepts (its task's choices).
_NAMES = FIGURE_NAMES
