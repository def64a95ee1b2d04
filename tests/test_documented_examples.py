"""Every example in README.md, docs/*.md and the ``--help`` epilogs runs here, so none goes stale.

What runs
---------
* Markdown: every fenced block tagged ``bash`` or ``python``. A block that is not meant
  to run carries another tag (``text`` for output samples and synopses, ``toml``, ...)
  or a ``<!-- not run: REASON -->`` line right before its fence. A bare fence (no tag)
  is an error: say what the block is.
* ``--help``: the lines under ``examples:`` in each command's module docstring (the
  text ``scaling-dynamics COMMAND --help`` prints).
* The blocks of one file (or one command's examples) run in order in one fresh
  temporary folder that holds a copy of ``examples/``, so a later example may read what
  an earlier one wrote (``runs/digits/spectrum.npz``, ``out/sim``).
* A bash line must be ``scaling-dynamics ARGS`` (``\\`` continuations and ``#`` comments
  as in a shell); it runs in this process through ``scaling_dynamics.cli.main`` and must
  exit with status 0. A python block runs with ``exec`` in a fresh namespace.
* A bash line (markdown or ``--help``) that cannot run here (it needs a cluster, say) ends
  with the comment ``# not run: REASON``: it is skipped with a warning that shows the
  reason.

The one override (``shrink``)
-----------------------------
Commands that are documented at a size too slow for CI run smaller; nothing else changes:

* ``reproduce``: ``--preset tiny`` instead of the default preset or ``--full``;
* ``scaling-figure``: ``--quick`` (fewer points per curve);
* ``fit``: ``--bootstrap`` at most 20, ``--starts 4``, and with ``--theory``
  ``--theory-evaluations 4``;
* ``compare``/``simulate``: ``--seeds`` at most 4;
* ``spectrum``: ``--width`` at most 256 and ``--bootstrap`` at most 50.
* In python blocks: ``preset="default"`` / ``preset="full"`` become ``preset="tiny"``.

``test_shrink_rule`` checks the rule itself.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import re
import shlex
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARKDOWN = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN_LANGS = {"bash", "python"}
NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<reason>.+?)\s*-->")
# A trailing comment that keeps one bash line (of a block or an epilog) from running.
NOT_RUN_LINE = re.compile(r"#\s*not run:\s*(?P<reason>\S.*?)\s*$")

# Examples known to be broken in files that are being rewritten elsewhere (the --help
# epilogs in cli/*): the command as written -> why it fails. They are skipped; an entry
# whose example was reworded or removed fails test_known_broken_entries_are_documented_examples.
KNOWN_BROKEN: dict[str, str] = {}
# Markdown files whose bare fences are someone else's to tag (see test_every_fence_says_what_it_is).
UNTAGGED_ELSEWHERE: dict[str, str] = {}


@dataclass
class Block:
    source: str        # "README.md:42" or "fit --help"
    lang: str          # "bash" or "python"
    code: str
    skip: str | None   # reason it is not run, or None


def markdown_blocks(path: Path) -> list[Block]:
    """The fenced blocks of a markdown file, with their tag and any not-run reason."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(```+)(.*)$", lines[i])
        if not m:
            i += 1
            continue
        indent, fence, tag = len(m.group(1)), m.group(2), m.group(3).strip()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][indent:] if lines[i][:indent].isspace() else lines[i])
            i += 1
        i += 1
        prev = next((ln for ln in reversed(lines[:start]) if ln.strip()), "")
        nr = NOT_RUN.search(prev)
        where = f"{path.relative_to(ROOT)}:{start + 1}"
        blocks.append(Block(where, tag.split()[0] if tag else "", "\n".join(body),
                            nr.group("reason") if nr else None))
    return blocks


def epilog_examples(command: str) -> Block:
    """The ``examples:`` lines of ``scaling-dynamics COMMAND --help``, as one bash block."""
    from scaling_dynamics.cli import COMMANDS

    doc = importlib.import_module(f"scaling_dynamics.cli.{COMMANDS[command][0]}").__doc__ or ""
    lines = doc.splitlines()
    out: list[str] = []
    if "examples:" in lines:
        for line in lines[lines.index("examples:") + 1:]:
            if line.strip() and not line.startswith(" "):
                break
            out.append(line.strip())
    return Block(f"{command} --help", "bash", "\n".join(out).strip(), None)


# --- the shrink rule ------------------------------------------------------------------

def _cap(argv: list[str], option: str, most: int) -> list[str]:
    out = list(argv)
    for k, word in enumerate(out[:-1]):
        if word == option and float(out[k + 1]) > most:
            out[k + 1] = str(most)
    return out


def _set(argv: list[str], option: str, value: str) -> list[str]:
    if option in argv:
        k = argv.index(option)
        return [*argv[:k + 1], value, *argv[k + 2:]]
    return [*argv, option, value]


def shrink(argv: list[str]) -> list[str]:
    """The documented command ``argv`` (after ``scaling-dynamics``), sized for CI."""
    command = next((w for w in argv if not w.startswith("-")), "")
    if command == "reproduce" and "--list" not in argv:
        argv = _set([w for w in argv if w != "--full"], "--preset", "tiny")
    elif command == "scaling-figure" and "--quick" not in argv:
        argv = [*argv, "--quick"]
    elif command == "fit":
        argv = _set(_cap(argv, "--bootstrap", 20), "--starts", "4")
        if "--theory" in argv:
            argv = _set(argv, "--theory-evaluations", "4")
    elif command in ("compare", "simulate"):
        argv = _cap(argv, "--seeds", 4)
    elif command == "spectrum":
        argv = _cap(_cap(argv, "--width", 256), "--bootstrap", 50)
        if "--bootstrap" not in argv:
            argv = [*argv, "--bootstrap", "50"]
    return argv


def shrink_python(code: str) -> str:
    return re.sub(r"""preset=(["'])(default|full)\1""", 'preset="tiny"', code)


def test_shrink_rule() -> None:
    assert shrink(["reproduce", "all", "--out", "r", "--full"]) == [
        "reproduce", "all", "--out", "r", "--preset", "tiny"]
    assert shrink(["reproduce", "--list"]) == ["reproduce", "--list"]
    assert shrink(["scaling-figure", "all"]) == ["scaling-figure", "all", "--quick"]
    assert shrink(["compare", "--seeds", "32", "--out", "x"]) == ["compare", "--seeds", "4", "--out", "x"]
    assert shrink(["simulate", "--seeds", "2"]) == ["simulate", "--seeds", "2"]
    assert shrink(["fit", "r.csv", "--bootstrap", "200"]) == [
        "fit", "r.csv", "--bootstrap", "20", "--starts", "4"]
    assert shrink(["fit", "r.csv", "--theory"]) == [
        "fit", "r.csv", "--theory", "--starts", "4", "--theory-evaluations", "4"]
    assert shrink(["spectrum", "--width", "1024"]) == ["spectrum", "--width", "256", "--bootstrap", "50"]
    assert shrink(["theory", "--N", "1e7"]) == ["theory", "--N", "1e7"]
    assert shrink_python('make_figure("x", "r", preset="default")') == 'make_figure("x", "r", preset="tiny")'


# --- running --------------------------------------------------------------------------

def shell_lines(code: str) -> list[tuple[list[str], str | None]]:
    """The commands of a bash block, each with its ``# not run: REASON`` (or None)."""
    joined = re.sub(r"\\\n", " ", code)
    out: list[tuple[list[str], str | None]] = []
    for line in joined.splitlines():
        if argv := shlex.split(line, comments=True):
            m = NOT_RUN_LINE.search(line)
            out.append((argv, m.group("reason") if m else None))
    return out


def shell_commands(code: str) -> list[list[str]]:
    """The commands of a bash block: continuations joined, comments dropped."""
    return [argv for argv, _ in shell_lines(code)]


def test_shell_commands_parse_like_a_shell() -> None:
    code = "scaling-dynamics a --x 1 \\\n    --y 2   # note\n\n# only a comment\nscaling-dynamics b"
    assert shell_commands(code) == [["scaling-dynamics", "a", "--x", "1", "--y", "2"],
                                    ["scaling-dynamics", "b"]]
    code = "scaling-dynamics a \\\n    --s tcp://h:1   # not run: needs a cluster\nscaling-dynamics b  # run"
    assert shell_lines(code) == [(["scaling-dynamics", "a", "--s", "tcp://h:1"], "needs a cluster"),
                                 (["scaling-dynamics", "b"], None)]


def run_block(block: Block) -> None:
    from scaling_dynamics.cli import main

    if block.lang == "python":
        code = compile(shrink_python(block.code), block.source, "exec")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, {"__name__": "__documented_example__"})  # noqa: S102
        return
    for argv, not_run in shell_lines(block.code):
        assert argv[0] == "scaling-dynamics", (
            f"{block.source}: `{' '.join(argv)}` is not a scaling-dynamics command; "
            "tag the block `<!-- not run: REASON -->` or `text` if it is not meant to run")
        if not_run is not None:
            warnings.warn(f"{block.source}: `{shlex.join(argv)}` not run: {not_run}", stacklevel=1)
            continue
        if " ".join(argv[1:]) in KNOWN_BROKEN:
            continue
        err = io.StringIO()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                status = main(shrink(argv[1:]))
        except SystemExit as exc:  # argparse
            status = exc.code
        assert status == 0, f"{block.source}: `{shlex.join(argv)}` exited {status}: {err.getvalue()[-2000:]}"


def run_all(blocks: list[Block], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    for block in blocks:
        if block.skip is None and block.lang in RUN_LANGS:
            run_block(block)


def _markdown_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", MARKDOWN, ids=_markdown_id)
def test_every_fence_says_what_it_is(path: Path) -> None:
    bare = [b.source for b in markdown_blocks(path) if not b.lang]
    if _markdown_id(path) in UNTAGGED_ELSEWHERE and bare:
        pytest.xfail(UNTAGGED_ELSEWHERE[_markdown_id(path)])
    assert not bare, (f"untagged code fences (tag them bash/python to run, or text/toml/..., "
                      f"or precede them with <!-- not run: REASON -->): {bare}")


def test_blocks_are_found() -> None:
    """The extractor sees the blocks (so an empty pass cannot hide a broken parser)."""
    readme = markdown_blocks(ROOT / "README.md")
    assert sum(b.lang == "bash" and b.skip is None for b in readme) >= 5
    assert any(b.lang == "python" and b.skip is None for b in readme)
    assert "scaling-dynamics compute-optimal" in epilog_examples("compute-optimal").code


@pytest.mark.slow
@pytest.mark.parametrize("path", MARKDOWN, ids=_markdown_id)
def test_markdown_examples_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_all(markdown_blocks(path), tmp_path, monkeypatch)


def _commands() -> list[str]:
    from scaling_dynamics.cli import COMMANDS

    return list(COMMANDS)


@pytest.mark.slow
@pytest.mark.parametrize("command", _commands())
def test_help_examples_run(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    block = epilog_examples(command)
    assert block.code, f"`scaling-dynamics {command} --help` shows no examples"
    run_all([block], tmp_path, monkeypatch)


def test_python_blocks_compile() -> None:
    """Cheap first line of defence: every python block is valid Python."""
    for path in MARKDOWN:
        for b in markdown_blocks(path):
            if b.lang == "python":
                ast.parse(b.code, b.source)



def test_known_broken_entries_are_documented_examples() -> None:
    """An entry of KNOWN_BROKEN whose example was reworded or removed must go too."""
    documented = {" ".join(argv[1:])
                  for block in [*(epilog_examples(c) for c in _commands()),
                                *(b for p in MARKDOWN for b in markdown_blocks(p))]
                  if block.lang == "bash" and block.skip is None
                  for argv, not_run in shell_lines(block.code) if not_run is None}
    assert not set(KNOWN_BROKEN) - documented, set(KNOWN_BROKEN) - documented
