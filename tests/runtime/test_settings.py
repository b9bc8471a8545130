"""Settings (jobs/runtime/settings.py): what a configuration file or the environment can and cannot say."""

from __future__ import annotations

import pytest

from jobs.runtime.settings import SettingsError, load_settings


def _config(tmp_path, text: str):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text,named",
    [
        ("[publsh]\nclues_psn = 10\n", "publsh"),  # a misspelled section
        ("[model]\nn_estimator = 100\n", "model.n_estimator"),  # a misspelled key
        ("[publish]\nclues_psn = 2.9\n", "publish.clues_psn"),  # not a whole number
        ('[publish]\nmin_expected_precision = "high"\n', "publish.min_expected_precision"),
        ("publish = 3\n", "publish"),  # a value where a section belongs
        ('[rules.P02]\nmin_split = "two"\n', "rules.P02.min_split"),
        ("[features]\nwindow_days = -30\n", "features.window_days"),  # out of range: at least 1
        ("[publish]\nmin_expected_precision = 1.5\n", "publish.min_expected_precision"),  # a share
        ("[model]\nmax_samples = 1\n", "model.max_samples"),
    ],
)
def test_a_setting_that_cannot_be_used_is_refused_naming_key_and_file(tmp_path, monkeypatch, text, named):
    monkeypatch.delenv("FUNDWATCH_LAKE", raising=False)
    path = _config(tmp_path, text)
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert named in str(err.value) and str(path) in str(err.value)


def test_values_of_the_right_type_are_taken_and_integers_serve_as_numbers(tmp_path):
    s = load_settings(_config(tmp_path, "[publish]\nclues_psn = 12\nmin_expected_precision = 1\n"))
    assert s.publish.clues_psn == 12 and s.publish.min_expected_precision == 1.0
    assert isinstance(s.publish.min_expected_precision, float)


def test_every_setting_can_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FUNDWATCH_PUBLISH_CLUES_PSN", "7")
    monkeypatch.setenv("FUNDWATCH_FEATURES_WINDOW_DAYS", "180")
    monkeypatch.setenv("FUNDWATCH_SPARK_MASTER", "spark://h:7077")
    monkeypatch.setenv("FUNDWATCH_LAKE", str(tmp_path / "envlake"))
    s = load_settings(_config(tmp_path, "[publish]\nclues_psn = 12\n"))
    assert (s.publish.clues_psn, s.features.window_days, s.spark.master) == (7, 180, "spark://h:7077")
    assert s.lake == tmp_path / "envlake"
    monkeypatch.setenv("FUNDWATCH_PUBLISH_CLUES_PSN", "7.5")
    with pytest.raises(SettingsError, match="publish.clues_psn"):
        load_settings()


def test_the_command_line_exits_2_with_the_message(tmp_path, capsys):
    from jobs.cli import main

    path = _config(tmp_path, "[publsh]\nclues_psn = 10\n")
    assert main(["score", "--lake", str(tmp_path / "lake"), "--config", str(path)]) == 2
    assert "publsh" in capsys.readouterr().err


def test_every_range_names_a_setting_and_the_defaults_lie_inside():
    from dataclasses import fields

    from jobs.runtime.settings import RANGES, Settings

    settings = load_settings()
    known = {
        f"{s.name}.{f.name}"
        for s in fields(Settings)
        if hasattr(getattr(Settings(), s.name), "__dataclass_fields__")
        for f in fields(getattr(Settings(), s.name))
    }
    assert set(RANGES) <= known
    for key, (lo, hi) in RANGES.items():
        section, name = key.split(".")
        value = getattr(getattr(settings, section), name)
        assert (lo is None or value >= lo) and (hi is None or value <= hi), key
