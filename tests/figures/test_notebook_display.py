"""In a notebook, the figure a cell returns is drawn once, as a picture, even in the cell that imports it."""

import pytest


@pytest.mark.slow
def test_a_returned_figure_is_drawn_once_as_a_png():
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "from paycore import figures\nfigures.crt_timings(0.020, 0.006, bits=2048)"
        ),
        nbformat.v4.new_code_cell("figures.retry_schedule([15, 15, 30])"),
    ]
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    for cell in notebook.cells:
        (output,) = cell.outputs  # once: not again by pyplot when the cell ends
        assert output.output_type == "execute_result"
        assert "image/png" in output.data, list(output.data)
