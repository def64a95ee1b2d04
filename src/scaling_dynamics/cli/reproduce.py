"""Reproduce the paper's figures of the model: theory lines over simulation points, and a report.

Makes each figure (PNG and the JSON of its numbers) in DIR and writes DIR/index.html, a
self-contained page with every figure found in DIR, its caption and parameters, whether
theory and simulation agree within 3 standard errors (and where not), and a table of
measured against predicted exponents. Progress goes to stderr.

presets:
  default   every figure in about a minute on 2 quiet cores
  --full    the paper's sizes (larger M, N, P, more seeds; tens of minutes)
  --preset tiny   seconds per figure (smoke tests; few seeds)

examples:
  scaling-dynamics reproduce --list
  scaling-dynamics reproduce all --out report/
  scaling-dynamics reproduce loss-dynamics --out report/
  scaling-dynamics reproduce frontier --out report/ --full
  scaling-dynamics reproduce all --out report/ --format json
"""

from __future__ import annotations

from ._task import task_command

add_arguments, run = task_command('reproduce')
