"""Compare the mean-field theory with simulation: deviations in standard errors, a figure.

Runs `simulate` (K seeds) and `theory` on the same problem, writes both results and a PNG
(theory lines over simulation means with error bars of one standard error, test and train;
deviations below) into DIR, and prints for each time

    deviation = (theory - simulation mean) / sem

for the test and the train loss. The sem is floored at the theory's numerical accuracy
(1e-10 x (max L + sigma^2)), so curves that reach round-off (a train loss of 1e-25 after
interpolation) do not produce meaningless ratios. Within about 2-3 is agreement. With
--gamma G > 0 (the feature-learning model: N = P = inf, M finite, gradient flow) the floor
is the feature-learning theory's accuracy, 1e-3 x (max L + sigma^2).

examples:
  scaling-dynamics compare --seeds 16 --out cmp
  scaling-dynamics compare --a 1.5 --b 1.25 --M 800 --N 200 --P 200 --sigma 0.5 \\
      --seeds 32 --times log:0.5:1e4:12 --out peak --format json
  scaling-dynamics compare --gamma 1 --N inf --P inf --M 400 --times log:1:1e3:7 --out rich
"""

from __future__ import annotations

from ..tasks.compare import THEORY_ACCURACY as THEORY_ACCURACY
from ..tasks.compare import deviations as deviations
from ._task import task_command

add_arguments, run = task_command('compare')
