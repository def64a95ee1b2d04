"""Simulate the random-feature model and print its loss curves (mean and standard error over seeds).

Gradient flow is solved exactly (one eigendecomposition per seed, any times, even
t = 1e6); gd and momentum exactly in integer steps; sgd samples one-pass SGD with
fresh batches. test_loss is the excess over the noise floor sigma^2; train_loss is
the mean squared error on the training set. --gamma G > 0 simulates the feature-learning
model at richness G instead (--model lists the models; P = inf only; gf and gd by the exact
reduction, sgd literally; docs/feature-learning.md).

examples:
  scaling-dynamics simulate
  scaling-dynamics simulate --a 1.5 --b 1.25 --M 2000 --N 500 --P 1000 --seeds 16 \\
      --times 1,10,100,1000,1e6 --format json
  scaling-dynamics simulate --optimizer momentum --eta 0.5 --beta 0.8 --times log:1:1e4:20
  scaling-dynamics simulate --optimizer sgd --eta 0.5 --batch 8 --N 400 --times log:1:1e4:20
  scaling-dynamics simulate --gamma 1 --N 100 --P inf --M 400 --times 1,10,100,1000
"""

from __future__ import annotations

from ._task import task_command

add_arguments, run = task_command('simulate')
