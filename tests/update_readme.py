"""Re-run every `$ shapecheck …` console block of README.md and docs/*.md and paste the real output back.

    python tests/update_readme.py

tests/test_readme.py fails when a block is out of date; this brings them up to date.
"""

import glob
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
    out = re.sub(r'File "[^"]*?[/\\]site-packages[/\\]', 'File ".../site-packages/', out)
    return f"```console\n$ {command}\n{out}\n```"


def main() -> None:
    total = 0
    for path in [os.path.join(ROOT, "README.md"), *sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))]:
        text = open(path, encoding="utf-8").read()
        new, count = BLOCK.subn(refresh, text)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(new)
        total += count
    print(f"refreshed {total} examples")


if __name__ == "__main__":
    main()
