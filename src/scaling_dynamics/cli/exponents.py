"""Closed-form scaling exponents of the power-law family (theory.md section 5).

With m = min(a - 1, 2b): time L ~ t^-(a-1)/b; data L ~ P^-m; model L ~ N^-m;
compute-optimal L* ~ C^-(a-1)m/(a-1+bm), N* ~ C^(a-1)/(a-1+bm), t* ~ C^bm/(a-1+bm)
with C = N t. Loss exponents are printed as decay rates (positive), allocation
exponents as growth rates. The *_single values are what the theory gives for one
model: model_single = min(a-1, b), and for a - 1 > b the frontier L* ~ C^-(a-1)/a,
N* ~ C^(a-b)/a, t* ~ C^b/a (docs/scaling.md); they equal the paper's when a - 1 <= b.

With --store DIR the exponent is also measured on a sweep: the decay of the test
loss against --x (N or P at the latest time, or time at the one swept size), a
least-squares slope in log-log over the last --fit-decades decades, next to the
closed form for the sweep's a and b.

With --gamma G the feature-learning model's exponents follow (docs/feature-learning.md;
alpha = b, beta = (a-1)/b): the lazy and rich time exponents chi, the regime
(hard, easy, super-easy), the crossover t_x ~ gamma^x, the width bottleneck and the
compute-optimal exponents (hard tasks); in --format json under "feature_learning".
For hard tasks it also measures the crossover on the N = M = inf theory: t_x is the
first t >= 10 where the local slope reaches (beta + chi_rich)/2, the constant
c = t_x gamma^(1/(1-beta)) is measured at gamma_ref = 10^(-4(1-beta)) (t_x ~ 1e4), and
t_x at G is printed both as c G^x and measured directly (under "crossover" in json).

examples:
  scaling-dynamics exponents --a 1.5 --b 1.25
  scaling-dynamics exponents --a 4 --b 1.2 --format json
  scaling-dynamics exponents --a 2 --b 2 --gamma 1
  scaling-dynamics sweep examples/sweep_simulate.toml --store sweeps/sim
  scaling-dynamics exponents --store sweeps/sim --x N --where P=2048
"""

from __future__ import annotations

from ._task import task_command

add_arguments, run = task_command('exponents')
