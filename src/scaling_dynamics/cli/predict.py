"""Run the mean-field theory on a saved spectrum (e.g. one measured by `scaling-dynamics spectrum`).

Takes every option of `theory`, with --spectrum FILE.npz required: the file gives the
eigenvalues lambda_k and target weights w*_k (and the label noise sigma, which --sigma
overrides); --a, --b and --M are not used. Prints the same keys as `theory` (times,
test_loss, train_loss, params). For a measured network kernel, the model's time is
gradient-flow time eta * steps of the network's GD (eta in kernel units), its P the number
of training samples, and its N a number of random features (docs/empirical.md says how N
relates to a network's width).

examples:
  scaling-dynamics spectrum --dataset digits --width 1024 --out runs/digits
  scaling-dynamics predict --spectrum runs/digits/spectrum.npz --N inf --P 400 \\
      --times log:1:1e4:13
  scaling-dynamics predict --spectrum runs/digits/spectrum.npz --N 2000 --P 400 --format json
"""

from __future__ import annotations

from ._task import task_command

add_arguments, run = task_command('predict')
