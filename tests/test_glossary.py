"""docs/GLOSSARY.md: every row has an anchor and its Chinese, and every notebook link to it lands on a row.

Notebooks link a term where it first appears, as ``[totient](../docs/GLOSSARY.md#totient)``; a renamed
anchor or a mistyped link would silently lead a student to the top of the page, so this test reads the
glossary's tables and every markdown cell of every notebook.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "GLOSSARY.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
COURSE = [path for path in NOTEBOOKS if path.name[:2] in {"00", "01", "02", "03", "04", "05", "06", "07"}]

ROW_ANCHOR = re.compile(r'^<a id="([a-z0-9-]+)"></a>')
HAN = re.compile(r"[\u4e00-\u9fff]")
GLOSSARY_LINK = re.compile(r"\]\(([^)\s#]*GLOSSARY\.md)(?:#([^)\s]*))?\)")
FILE_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)\s]*)?\)")


def table_rows() -> list[list[str]]:
    """The cells of every body row of every table in the glossary (header and separator rows left out)."""
    rows = []
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    for line, previous in zip(lines, ["", *lines], strict=False):
        if line.startswith("|") and not previous.startswith("|"):
            continue  # a table's header row
        if line.startswith("|") and not set(line) <= set("|-: "):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def anchors() -> dict[str, list[str]]:
    """Each row's anchor and its cells."""
    found = {}
    for cells in table_rows():
        match = ROW_ANCHOR.match(cells[0])
        assert match, f"glossary row without an anchor: {cells[0][:60]}"
        assert match.group(1) not in found, f"anchor {match.group(1)!r} is used twice"
        found[match.group(1)] = cells
    return found


def markdown(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def test_every_row_has_an_anchor_a_term_its_chinese_a_meaning_and_a_first_appearance():
    rows = anchors()
    assert len(rows) >= 150, "the glossary should cover every term of notebooks 00-08"
    for anchor, cells in rows.items():
        assert len(cells) == 4, f"{anchor}: a row has four cells (term, 中文, meaning, first appears)"
        term, chinese, meaning, first = cells
        assert ROW_ANCHOR.sub("", term).strip("* "), f"{anchor}: the term is empty"
        assert HAN.search(chinese), f"{anchor}: the Chinese column has no Chinese: {chinese!r}"
        assert len(meaning.split()) >= 5, f"{anchor}: explain the term in a sentence"
        assert FILE_LINK.search(first), f"{anchor}: say where the term first appears, with a link"


def test_every_file_the_glossary_links_exists():
    for target in FILE_LINK.findall(GLOSSARY.read_text(encoding="utf-8")):
        if not target.startswith(("http://", "https://")):
            assert (GLOSSARY.parent / target).resolve().exists(), (
                f"the glossary links a missing file: {target}"
            )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_glossary_link_in_a_notebook_lands_on_a_row(notebook):
    rows = anchors()
    for target, anchor in GLOSSARY_LINK.findall(markdown(notebook)):
        assert (notebook.parent / target).resolve() == GLOSSARY, (
            f"{notebook.name}: {target} is not the glossary"
        )
        assert not anchor or anchor in rows, f"{notebook.name} links #{anchor}, which the glossary lacks"


@pytest.mark.parametrize("notebook", COURSE, ids=lambda path: path.stem)
def test_notebooks_link_their_key_terms_where_they_first_appear(notebook):
    rows = anchors()
    linked = [anchor for _, anchor in GLOSSARY_LINK.findall(markdown(notebook)) if anchor]
    assert len(linked) >= 5, f"{notebook.name} should link a handful of its key terms to the glossary"
    for anchor in linked:
        first = rows[anchor][3]
        assert f"notebooks/{notebook.name}" in first, (
            f"{notebook.name} links #{anchor}, but the glossary says it first appears in {first}"
        )
