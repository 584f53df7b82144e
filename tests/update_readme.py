"""Re-run every `$ shapecheck …` console block of README.md and paste the real output back.

    python tests/update_readme.py

tests/test_readme.py fails when a block is out of date; this brings them up to date.
"""

import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = re.compile(r"```console\n\$ (shapecheck [^\n]*)\n(.*?)\n```", re.S)


def refresh(match: re.Match) -> str:
    command = match.group(1)
    env = dict(os.environ, COLUMNS="110", NO_COLOR="1")
    out = subprocess.run(command, shell=True, capture_output=True, text=True, env=env, cwd=ROOT).stdout
    out = "\n".join(line.rstrip() for line in out.splitlines())
    return f"```console\n$ {command}\n{out}\n```"


def main() -> None:
    path = os.path.join(ROOT, "README.md")
    text = open(path, encoding="utf-8").read()
    new, count = BLOCK.subn(refresh, text)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(new)
    print(f"refreshed {count} examples")


if __name__ == "__main__":
    main()
