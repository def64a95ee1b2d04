"""Fit scaling laws to loss data: a Chinchilla-style law and this model's theory.

Reads one or more files (concatenated): a CSV with a header row and one row per
(model, time), columns for the model size (N, params, ...), the steps or tokens
(steps, t, tokens, ...) and the loss (loss, test_loss, ...), other columns ignored;
a wide CSV (one loss column per N: N=64, N=128, ..., or --wide 'loss_N{N}'); the
.csv/.json of simulate/theory --out (one N each); an .npz with arrays N, t, loss
(docs/fitting.md). Fits

  * L = E + A N^-alpha + B t^-beta (Huber loss on log L, L-BFGS-B from many starts,
    bootstrap confidence intervals), and
  * the mean-field theory: L = s_L (L_theory(a, b; N s_N, t s_t) + sigma^2)
    (--theory; slower),

then prints each fit, its compute-optimal allocation (C = N t, with bootstrap
intervals), how well a fit without the points of largest compute predicts them, and
with --predict-at N:T (repeatable) the forecast loss at each point with an interval
(written under `predictions` by --format json and --out).

A sweep store can stand in for the CSV (--store DIR, columns N, time and test_loss
by default; --where fixes the other swept parameters).

examples:
  scaling-dynamics fit examples/runs.csv
  scaling-dynamics fit examples/runs.csv --bootstrap 200 --holdout 0.25 --format json
  scaling-dynamics fit examples/runs.csv --size-column params --steps-column tokens --out fit/
  scaling-dynamics fit examples/runs_wide.csv --bootstrap 20
  scaling-dynamics fit examples/small_runs.csv --predict-at 512:1000 --compute 1e5,1e6
  scaling-dynamics fit examples/sim_N32.csv examples/sim_N64.csv examples/sim_N128.csv
  scaling-dynamics sweep examples/sweep_simulate.toml --store sweeps/sim
  scaling-dynamics fit --store sweeps/sim --where P=2048
"""

from __future__ import annotations

from ._task import task_command

add_arguments, run = task_command('fit')
