"""botocore's data files read back from mfa-tui's marshal cache (aws/model_cache.py)."""

from __future__ import annotations

import os
from pathlib import Path

import botocore
import botocore.session
from botocore.loaders import JSONFileLoader

from mfa_tui.aws.model_cache import CachedJSONFileLoader, CachedLoader

DATA = os.path.join(os.path.dirname(botocore.__file__), "data")
IAM = os.path.join(DATA, "iam", "2010-05-08", "service-2")


def test_a_cached_model_is_botocores_own(tmp_path: Path) -> None:
    expected = JSONFileLoader().load_file(IAM)
    loader = CachedJSONFileLoader(tmp_path)
    assert loader.load_file(IAM) == expected  # parsed, then stored
    assert len(list(tmp_path.glob("*.marshal"))) == 1
    assert loader.load_file(IAM) == expected  # read back from the cache


def test_a_damaged_cache_file_falls_back_to_the_json(tmp_path: Path) -> None:
    expected = JSONFileLoader().load_file(IAM)
    CachedJSONFileLoader(tmp_path).load_file(IAM)
    [cached] = tmp_path.glob("*.marshal")
    cached.write_bytes(cached.read_bytes()[:1000])  # cut short, as by a full disk
    assert CachedJSONFileLoader(tmp_path).load_file(IAM) == expected


def test_an_unwritable_cache_is_only_slower(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    expected = JSONFileLoader().load_file(IAM)
    assert CachedJSONFileLoader(blocked / "botocore").load_file(IAM) == expected


def test_a_client_from_the_cached_loader_works(tmp_path: Path) -> None:
    session = botocore.session.Session()
    session.register_component("data_loader", CachedLoader(
        file_loader=CachedJSONFileLoader(tmp_path)))
    for _ in range(2):  # the second time from the cache
        iam = session.create_client("iam", region_name="us-east-1",
                                    aws_access_key_id="testing", aws_secret_access_key="testing")
        assert iam.can_paginate("list_mfa_devices")
        assert "iam" in session.get_component("data_loader").list_available_services("service-2")
    assert any(tmp_path.glob("*.marshal"))
