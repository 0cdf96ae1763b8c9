"""`kehu demo` / `make demo PORT=…` for a newcomer (PLT-1)."""

import socket

import pytest
from django.core.management import CommandError, call_command

from conftest import rule
from kehu.demo.management.commands.demo import port_taken


@rule("PLT-1")
def test_a_taken_port_is_named_in_both_languages_before_anything_starts():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert port_taken(f"127.0.0.1:{port}")
        with pytest.raises(CommandError) as refused:
            call_command("demo", bind=f"127.0.0.1:{port}")
    message = str(refused.value)
    assert f"端口 {port} 已被占用" in message and f"Port {port} is taken" in message
    assert "make demo PORT=" in message


@rule("PLT-1")
def test_a_free_port_is_free():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert not port_taken(f"127.0.0.1:{port}")
