"""``ccsim ui``: bad input gets one line and exit code 2 (the server itself: tests/browser)."""

import socket
import subprocess
import sys

from ccsim import cli
from ccsim.commands import ui


def test_bad_port_and_busy_port(capsys):
    assert cli.main(["ui", "--port", "70000"]) == 2
    assert "--port=70000 must be in [1, 65535]" in capsys.readouterr().err
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        assert cli.main(["ui", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"--port={port}: cannot listen there" in err and len(err.strip().splitlines()) == 1


def test_server_environment_is_offline_and_local():
    env = ui.server_env({})
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(ui.ASSETS)
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_CHECK_HOOKS"] == "off"   # tests/test_ui_components.py keeps the check
    assert env["SOLARA_THEME_SHOW_BANNER"] == "False"
    elsewhere = ui.server_env({"SOLARA_ASSETS_PROXY_CACHE_DIR": "/elsewhere"})
    assert elsewhere["SOLARA_ASSETS_PROXY_CACHE_DIR"] == "/elsewhere"
    # compressing pays only when the page goes over a network
    assert env["SOLARA_SERVER_HTTP_GZIP"] == "False"
    assert "SOLARA_SERVER_HTTP_GZIP" not in ui.server_env({}, host="0.0.0.0")
    args = ui.add_parser(cli.argparse.ArgumentParser().add_subparsers()).parse_args([])
    assert args.host == "127.0.0.1" and "--no-check-version" in ui.solara_args(args.host, args.port)


def test_the_server_starts_without_importing_mesa():
    """Mesa takes seconds to import: ``ccsim ui`` answers first and imports it afterwards."""
    code = "import sys, ccsim.cli, ccsim.commands.ui, ccsim.ui.app; print('mesa' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_startup_state_is_frozen_only_while_no_session_exists(monkeypatch):
    from solara.server import kernel_context

    calls = []
    monkeypatch.setattr(ui.gc, "collect", lambda: calls.append("collect"))
    monkeypatch.setattr(ui.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(kernel_context, "contexts", {"a-session": object()})
    ui.freeze_startup_state()
    assert calls == []
    monkeypatch.setattr(kernel_context, "contexts", {})
    ui.freeze_startup_state()
    assert calls == ["collect", "freeze"]
    assert ui.server_env({})["SOLARA_GC_FREEZE"] == "False"   # Solara's own, earlier freeze


def test_a_type_check_during_another_threads_import_waits_for_it(tmp_path, monkeypatch):
    """The first page renders while the warm-up thread imports Mesa (and pandas): reacton's
    check 'is this a pandas.DataFrame?' once met a half-imported pandas and the page never
    drew its charts.  With ``tolerate_partial_imports`` it waits for the import."""
    import threading
    import time

    import reacton.utils

    (tmp_path / "ccsim_slow_module.py").write_text("import time\ntime.sleep(0.6)\nDataFrame = int\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(reacton.utils, "import_item", reacton.utils.import_item)
    monkeypatch.delitem(sys.modules, "ccsim_slow_module", raising=False)
    ui.tolerate_partial_imports()
    importer = threading.Thread(target=__import__, args=("ccsim_slow_module",))
    importer.start()
    while "ccsim_slow_module" not in sys.modules:
        time.sleep(0.01)
    assert reacton.utils.isinstance_lazy(3, "ccsim_slow_module.DataFrame")   # waited: int
    importer.join()
    assert reacton.utils.import_item("ccsim_slow_module.Missing") is None
    assert not reacton.utils.isinstance_lazy(3, "no_such_module_here.DataFrame")
