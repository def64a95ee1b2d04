"""Measure a network's kernel spectrum and task power on data, and fit the exponents a and b.

The kernel is the network's NTK at initialisation (torch.func, in memory-bounded blocks),
or with --kernel features the plain kernel of its last hidden layer; --model linear uses
the inputs themselves as features (K = X X^T). Its eigenvalues lambda_k (of K/P) and the
target's power on each eigenvector give b (lambda_k ~ k^-b) and a (task power ~ k^-a),
with bootstrap intervals. --out DIR writes spectrum.npz (read by `scaling-dynamics predict
--spectrum` and Spectrum.load), spectrum.png and spectrum.json. Needs the optional
dependencies: pip install "scaling-dynamics[empirical]".

examples:
  scaling-dynamics spectrum --dataset digits --model mlp --width 256 --out runs/digits
  scaling-dynamics spectrum --dataset digits --model cnn --width 32 --samples 800 --format json
  scaling-dynamics spectrum --dataset synthetic --a 1.5 --b 1.25 --M 2000 --model linear
  scaling-dynamics spectrum --dataset examples/mydata.npz --model mlp --width 512 --modes 5:200
"""

from __future__ import annotations

from ._task import task_command

add_arguments, run = task_command('spectrum')
