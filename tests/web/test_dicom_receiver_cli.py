"""``atlaschart dicom listen``: its arguments, and the demo's AE titles in the command's words."""

from __future__ import annotations

import pytest

from atlaschart.cli import main


@pytest.mark.parametrize("port", ["0", "70000"])
def test_a_port_out_of_range_is_a_one_line_error(port, capsys) -> None:
    assert main(["dicom", "listen", "--port", port]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("atlaschart dicom: --port must be between 1 and 65535")
    assert "\n" not in err


def test_listen_has_help(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["dicom", "listen", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--port" in out and "--host" in out and "AE title" in out
