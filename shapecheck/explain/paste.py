"""What people paste around a message: log prefixes (logging, glog, torchrun), pytest's `E   `, markdown escapes, old C
file paths, and the traceback's code lines, which `context.py` reads to choose a story.

`clean` makes one line of the message that the templates read; `code_lines` keeps the lines of
Python the traceback quotes (and the calls in them), newest last.
"""

from __future__ import annotations

import html
import re

# A prefix a logger, a test runner or a launcher puts before each line.
_PREFIX = re.compile(
    r"^[ \t]*(?:"
    r"E[ \t]{1,8}(?=\S)"  # pytest
    r"|\[rank\d{1,5}\]:[ \t]?"  # torchrun
    # a timestamp, then up to three fields (`- trainer - ERROR - `, logging's `%(asctime)s - %(name)s - …`)
    r"|\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[\d.,:]{0,12}\]?"
    r"(?:[ \t]*[-|][ \t]*(?![\w.]{0,30}(?:Error|Warning|Exception)\b)[\w.]{1,30}(?=[ \t]*[-|:])){0,3}"
    r"[ \t]*(?:[-|:][ \t]*)?"
    r"|(?:ERROR|WARNING|INFO|CRITICAL)(?::[\w.]{1,60})?:[ \t]?"  # logging's default format
    r"|>>>[ \t]"
    # glog, as torch._logging writes: `E1118 11:34:26.548000 1260768 torch/_guards.py:300] [0/0] `
    r"|[IWEF]\d{4}[ \t]\d\d:\d\d:\d\d\.\d{1,9}[ \t]{1,4}\d{1,9}[ \t][^\]\n]{0,300}\][ \t]"
    r"(?:\[\d{1,6}/\d{1,6}\][ \t]?)?"
    r")",
    re.MULTILINE,
)
_MARKDOWN = re.compile(r"\\([\[\]_*()<>#`.\-])")  # `running\_mean`, `\[64, 3\]` from markdown
# a message set in markdown emphasis (`_Expected 3D … of size_ [3, 4]`): the underscores around a sentence
_EMPHASIS = re.compile(r"(?<![\w\\])_([A-Z][^_\n]{5,300}?[\w)\]])_(?!\w)")
_AT_FILE = re.compile(r"\s+at\s+(?:/|[A-Za-z]:\\|\.\.)[^\s]{0,300}?\.(?:cpp|cu|c|h|cuh|hpp):\d{1,6}")
_STAR = re.compile(r"\[\*\s*(?=\d)")  # `[*2560]`: a pasted `[*, 2560]` whose comma was lost


# `got size 8for argument`, `(at position 0)cannot`: a size run into the word after it as a paste joins lines
_RUN_ON = re.compile(r"(?<=[\s(\[,:=])(\d+)(?=(?:for|but|at|in|to|of|and|with|instead|elements|channels)\b)")
_TWICE = re.compile(r"\b([A-Za-z]{2,20})\s+\1\b")  # `input with with spatial dimensions`: a word typed twice


# what a web page or a chat does to a message's punctuation: smart quotes, full-width colons and commas
_ELL = re.compile(r"(?<=\bmat)l(?= and mat2\b)|(?<=\bbatch)l(?= dim\b)")  # `matl and mat2`: a 1 retyped as l
_PUNCTUATION = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "：": ": ", "，": ", ", "；": "; "})


# a terminal's colour codes (`\x1b[0;31mRuntimeError\x1b[0m`), kept when a coloured log is copied
_ANSI = re.compile(r"\x1b\[[0-9;]{0,20}[A-Za-z]")
# what frames each line of a paste: a rich traceback's box (`│ … │`), a markdown or e-mail quote (`> `)
_BOX = re.compile(r"^[ \t]*(?:[│┃║|][ \t]?|(?:>[ \t]?)+(?=[A-Za-z \t\-]))")
_BOX_END = re.compile(r"[ \t]*[│┃║]?[ \t]*$")


def unframed(message: str) -> list[str]:
    """The paste's lines without what frames them: a web page's escapes, colour codes, a rich traceback's
    box, a quote's `> ` and a logger's prefix, so the traceback's frames and code lines read as Python wrote
    them."""
    if "&" in message:
        message = html.unescape(message)
    lines = _ANSI.sub("", message).splitlines()
    if sum(1 for line in lines if _BOX.match(line)) * 2 > len(lines) > 1:
        lines = [_BOX_END.sub("", _BOX.sub("", line)) for line in lines]
    return _PREFIX.sub("", "\n".join(lines)).splitlines()


def clean(message: str) -> str:
    """The paste as one line: prefixes, markdown escapes and C paths removed, spaces collapsed."""
    if "&" in message:  # a message copied from a web page's source: `shape &#39;[64, -1]&#39;`
        message = html.unescape(message)
    message = _ANSI.sub("", message)
    text = _PREFIX.sub("", message.translate(_PUNCTUATION))
    text = _MARKDOWN.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\1", text)
    text = _AT_FILE.sub("", text)
    text = _STAR.sub("[*, ", text)
    text = _TWICE.sub(r"\1", text)
    text = _RUN_ON.sub(r"\1 ", text)
    text = _ELL.sub("1", text)
    return " ".join(text.split())


# a rank retyped short (`Expected 4D input for 4D weight`, `got 3-D input`): PyTorch writes `4-dimensional`
_SHORT_RANK = re.compile(r"\b(\d)(?:-?D|d)\b(?=\s+(?:input|weight|tensor)s?\b)")


# a size a web page dropped (it took `[3, 256, 256]` for markup): `of size instead`, `got input of size .`
_LOST_SIZE = re.compile(r"\b(of size)(?=\s*(?:instead\b|,|\.|$))")


def respelled(text: str) -> str | None:
    """The paste with the words people retype short spelt as PyTorch writes them and a size the page
    dropped written as empty (`[]`), or None when it has neither: read only when no template reads
    the paste as written (`4D input` is PyTorch's own wording in some messages)."""
    out = _LOST_SIZE.sub(r"\1 []", _SHORT_RANK.sub(r"\1-dimensional", text))
    return out if out != text else None


_FILE_LINE = re.compile(r'^\s*File "[^"\n]{0,500}", line \d+, in [\w<>.]{1,200}\s*$')
_CODEISH = re.compile(r"[\w\])]\s*\(|=|\.\w+\(")
_NOT_CODE = re.compile(r"^\s*(?:Traceback|During handling|The above exception|\w*(?:Error|Exception|Warning)\b:?)")
# IPython and Jupyter print the executing line of each frame after an arrow: `---> 10     loss = …`
# rich's arrow (`❱ 1371 │   data.reraise()`) likewise
_ARROW = re.compile(r"^\s*(?:-+>|❱)\s*\d*\s+(?:│\s*)*(\S.{0,400}?)\s*$", re.MULTILINE)
# a frame as Python prints it, and as IPython does (old: `path.py in f(args)`; new: `File path.py:12, in f(args)`)
_FRAMES = re.compile(
    r'^\s*File "(?P<file>[^"\n]{0,500})", line \d+, in (?P<function>[\w<>.]{1,200})'
    r"|^\s*(?P<ifile>[^\s\n]{1,500}\.py) in (?P<ifunction>[\w<>.]{1,200})\("
    r"|^\s*File (?P<nfile>[^\s\n]{1,500}\.py):\d+, in (?P<nfunction>[\w<>.]{1,200})\("
    # rich's: `/path/torch/utils/data/dataloader.py:1371 in _process_data`
    r"|^\s*(?P<rfile>[^\s\n]{1,500}\.py):\d+ in (?P<rfunction>[\w<>.]{1,200})\s*$",
    re.MULTILINE,
)


def code_lines(message: str) -> list[str]:
    """The source lines a traceback quotes (each line after a `File "…", line N` line, or after
    IPython's arrow), or, in a paste without a traceback, the lines that look like Python calls
    or assignments."""
    lines = unframed(message)
    quoted = [
        lines[i + 1].strip()
        for i, line in enumerate(lines[:-1])
        if _FILE_LINE.match(line) and lines[i + 1].strip() and not _FILE_LINE.match(lines[i + 1])
    ]
    quoted = [q for q in quoted if not set(q) <= set("^~ ")]
    if not quoted:
        quoted = _ARROW.findall("\n".join(lines))
    if quoted:
        return quoted
    return [line.strip() for line in lines if _CODEISH.search(line) and not _NOT_CODE.match(line) and len(line) < 400][
        :50
    ]


def frames(message: str) -> list[tuple[str, str]]:
    """(file, function) of each frame of the paste's tracebacks, newest last."""
    return [
        (
            m.group("file") or m.group("ifile") or m.group("nfile") or m.group("rfile"),
            m.group("function") or m.group("ifunction") or m.group("nfunction") or m.group("rfunction"),
        )
        for m in _FRAMES.finditer("\n".join(unframed(message)))
    ]


def functions(message: str) -> list[str]:
    """The function names of a traceback's frames (`in forward`, `in cross_entropy`), newest last."""
    return [function for _, function in frames(message)]
