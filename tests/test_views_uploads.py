"""The upload-history view on both engines: staff see every upload, the public none."""

from __future__ import annotations

import pytest

from metrics import access
from metrics.ingest.commit import ingest
from metrics.ingest.rollback import rollback
from metrics.views import uploads

VIEWER = access.Actor("user", "vera", "viewer")
GOAL_LINK = access.Actor("public", "public link", "public", "goal:overdose")
REGISTRY = (b"measure_id,name,kind,unit,direction,frequency,department,owner,public\n"
            b"beds,Shelter beds,output,beds,higher,month,HSD,Ana,true\n")
NAME = "[notice](http://evil.example)-beds.csv"


@pytest.fixture
def loaded(fresh_url) -> str:
    """A fresh database with a registry upload (#1) and a data upload (#2), both by the local admin."""
    for raw, name in ((REGISTRY, "registry.csv"), (b"measure_id,period,value\nbeds,2018-01,100\n", NAME)):
        out = ingest(raw, url=fresh_url, file_name=name, actor=access.LOCAL_ADMIN)
        assert out.status == "committed", out.to_summary()
    return fresh_url


def test_no_uploads_yet(city_url):
    v = uploads.history(city_url, access.LOCAL_ADMIN)
    assert v.empty and v.uploads == () and v.notice == "No uploads yet."
    assert isinstance(v.version, int) and v.version >= 1


def test_staff_see_uploads_newest_first(loaded):
    for who in (access.LOCAL_ADMIN, VIEWER):
        v = uploads.history(loaded, who)
        assert not v.empty and v.notice is None
        assert [u.id for u in v.uploads] == [2, 1]
        data, registry = v.uploads
        assert data.file_name == NAME and data.uploaded_by == access.LOCAL_ADMIN.name
        assert (data.rows_new, data.rows_changed, data.status_label) == (1, 0, "committed")
        assert data.can_roll_back and registry.can_roll_back  # a registry upload rolls back too (its measure rows)
        assert len(data.when) == 16 and data.when[4] == "-"
        assert list(v.rows.columns) == uploads.COLUMNS and len(v.rows) == 2


@pytest.mark.parametrize("who", [access.PUBLIC_PORTAL, GOAL_LINK, None])
def test_the_public_gets_no_rows(loaded, who):
    v = uploads.history(loaded, who)
    assert v.empty and v.rows.empty
    assert v.notice == "The upload history is shown to staff only."
    assert NAME not in repr(v)


def test_limit_and_rollback_state(loaded):
    assert [u.id for u in uploads.history(loaded, access.LOCAL_ADMIN, limit=1).uploads] == [2]
    before = uploads.history(loaded, access.LOCAL_ADMIN).version
    rollback(2, url=loaded, actor=access.LOCAL_ADMIN)
    v = uploads.history(loaded, access.LOCAL_ADMIN)
    assert v.version > before
    assert (v.uploads[0].status, v.uploads[0].status_label) == ("rolled_back", "rolled back")
    assert not v.uploads[0].can_roll_back
