"""The settings' environment readers: a yes/no or whole-number variable with a value they do not know stops the
start with a message naming the variable, instead of being read as "no" or failing with a bare ValueError."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import envbool, envint


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on"])
def test_envbool_reads_yes(monkeypatch, value):
    monkeypatch.setenv("HTTPS", value)
    assert envbool("HTTPS", "0") is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "OFF", ""])
def test_envbool_reads_no(monkeypatch, value):
    monkeypatch.setenv("HTTPS", value)
    assert envbool("HTTPS", "1") is False


def test_envbool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("HTTPS", raising=False)
    assert envbool("HTTPS", "1") is True
    assert envbool("HTTPS", "0") is False


@pytest.mark.parametrize("value", ["enabled", "2", "y", "ja"])
def test_envbool_refuses_an_unknown_value(monkeypatch, value):
    monkeypatch.setenv("HTTPS", value)
    with pytest.raises(ImproperlyConfigured) as refused:
        envbool("HTTPS", "0")
    message = str(refused.value)
    assert f"HTTPS='{value}'" in message
    assert "1, true, yes, on" in message and "0, false, no, off" in message


def test_envint_reads_a_whole_number(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "587")
    assert envint("EMAIL_PORT", "25") == 587
    monkeypatch.delenv("EMAIL_PORT")
    assert envint("EMAIL_PORT", "25") == 25


@pytest.mark.parametrize("value", ["abc", "5.5", ""])
def test_envint_refuses_what_is_not_a_whole_number(monkeypatch, value):
    monkeypatch.setenv("EMAIL_PORT", value)
    with pytest.raises(ImproperlyConfigured, match=f"EMAIL_PORT='{value}' is not a whole number"):
        envint("EMAIL_PORT", "25")
