"""The figures are teaching material: a payment, from order to ledger, loads neither them nor matplotlib."""

from tests.test_layering import modules_loaded_by


def test_a_whole_payment_loads_no_figures_and_no_matplotlib():
    loaded = modules_loaded_by(
        "import paycore.payment, paycore.secure, paycore.tools.serve, paycore.tours.payment_tour\n"
        "from paycore.payment import build_world\nbuild_world().close()"
    )
    assert "matplotlib" not in loaded


def test_the_probe_sees_matplotlib_once_the_figures_are_imported():
    """The check can fail: importing the figures does load matplotlib."""
    assert "matplotlib" in modules_loaded_by("import paycore.figures")
