"""Predict test and train loss curves for any optimiser with the mean-field (DMFT) theory.

Takes the model options of `simulate` and prints the same keys (times, test_loss,
train_loss, params) without the standard errors. Milliseconds per curve, any N, P, M
(each may be inf). test_loss is the excess over the noise floor sigma^2; train_loss is
the mean squared error on the training set. Gradient flow by default; --optimizer picks
any registered optimiser (GD, momentum and SGD count time in steps). --gamma G > 0
predicts the feature-learning model at richness G instead: its theory is derived at
P = inf for gradient flow (N and M finite or inf; at finite N the deterministic
equivalent of the weighted spectrum, N != M), and refuses the rest in one line
(docs/feature-learning.md).

examples:
  scaling-dynamics theory
  scaling-dynamics theory --a 1.5 --b 1.25 --M inf --N 1000 --P 4000 --times log:1e-2:1e7:40
  scaling-dynamics theory --M 1e7 --N 500 --P inf --sigma 0.5 --format json
  scaling-dynamics theory --N 250 --P 500 --ensemble 4 --out curves.csv
  scaling-dynamics theory --gamma 1 --N inf --P inf --M inf --times log:1:1e6:7
"""

from __future__ import annotations

from ._task import task_command

add_arguments, run = task_command('theory')
