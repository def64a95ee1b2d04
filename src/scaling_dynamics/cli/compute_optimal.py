"""Compute-optimal frontier of gradient flow from the mean-field theory (C = N t).

For each budget C, finds the model size N* minimising the theory's test loss
L(N, t = C/N) on log N (each budget's optimum followed from its neighbours' on one
lattice of N, a degree-6 polynomial through seven lattice sizes, then the theory at
that minimum; one theory curve per N serves every budget near it), and
fits L* ~ C^-x, N* ~ C^x, t* ~ C^x. Compares them with the closed forms of
theory.md section 5 (the paper's, m = min(a-1, 2b)) and with the single-model
forms, which differ when a - 1 > b (docs/scaling.md). With a finite --P the
frontier bends as data run out; the plot then also shows the P = inf frontier.

With --store DIR the frontier is measured on a sweep's loss curves (model sizes N
and times; the loss at t = C/N interpolated in log-log, never extrapolated) and the
theory's frontier for the sweep's a, b, M, P and sigma is computed at the same
budgets beside it.

With --gamma G > 0 the frontier is the feature-learning model's, from its finite-N
theory (P = inf; docs/feature-learning.md), with the fitted exponents beside the rich
and lazy closed forms of hard tasks (rich L* ~ C^-2(a-1)/(a+b+1), N* ~ C^2/(a+b+1));
in --format json the closed forms are under "feature_learning". About 0.3-1 s per
theory evaluation, so keep --grid and the budgets small. --gamma 0 or no --gamma:
the random-feature frontier, as before.

examples:
  scaling-dynamics compute-optimal --a 1.5 --b 1.25 --compute 1e4,1e6,1e8,1e10
  scaling-dynamics compute-optimal --a 1.5 --b 1.25 --P 10000 --compute log:1e4:1e10:7 \\
      --out frontier/
  scaling-dynamics compute-optimal --a 4 --b 1.25 --format json
  scaling-dynamics sweep examples/sweep_simulate.toml --store sweeps/sim
  scaling-dynamics compute-optimal --store sweeps/sim --where P=2048 --out frontier/
"""

from __future__ import annotations

from ._task import task_command

add_arguments, run = task_command('compute-optimal')
