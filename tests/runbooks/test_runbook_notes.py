"""Human notes below the keep-below marker: kept byte for byte, never called stale, never lost
when an alert is removed or renamed."""
from __future__ import annotations

from pathlib import Path

from slogen import cli

from runbook_helpers import MARKER, add_notes, build, codes, mine, write_spec

# CRLF, trailing spaces, non-ASCII, something that looks like a marker, and no final newline.
NOTES = (b"\n### 2026-03-02 incident\r\n\r\nThe disk filled with core dumps; `rm /var/crash/*` is safe.  \n"
         b"D\xc3\xa9j\xc3\xa0 vu: <!-- slogen: keep below --> is just text here.\n\n- [ ] automate it")


def _bottom(path: Path) -> bytes:
    data = path.read_bytes()
    return data[data.index(MARKER) + len(MARKER):]


def test_notes_survive_a_rebuild_byte_for_byte(tmp_path):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    runbook = out / "runbooks/shop/DiskSpaceLow.md"
    add_notes(runbook, NOTES)
    before = runbook.read_bytes()
    build(specs, out)
    assert runbook.read_bytes() == before
    assert _bottom(runbook).endswith(NOTES)


def test_check_does_not_call_a_runbook_with_notes_stale(tmp_path, capsys):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    add_notes(out / "runbooks/shop/DiskSpaceLow.md", NOTES)
    assert not build(specs, out, check=True).check.stale
    try:
        cli.main(["build", str(specs), "-o", str(out), "--check"])
    except SystemExit as exc:
        assert exc.code in (0, None), capsys.readouterr()


def test_check_still_notices_a_hand_edit_above_the_marker(tmp_path):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    runbook = out / "runbooks/shop/DiskSpaceLow.md"
    runbook.write_bytes(runbook.read_bytes().replace(b"# DiskSpaceLow", b"# DiskSpaceLow (edited)"))
    assert build(specs, out, check=True).check.changed == ["runbooks/shop/DiskSpaceLow.md"]


def test_a_spec_change_rewrites_the_top_and_keeps_the_notes(tmp_path):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    runbook = out / "runbooks/shop/AvailabilityBudgetBurn.md"
    add_notes(runbook, NOTES)
    (specs / "shop.yaml").write_text((specs / "shop.yaml").read_text().replace("objective: 99.9", "objective: 99.5"))
    build(specs, out)
    text = runbook.read_bytes()
    assert b"objective is 99.5%" in text and b"99.9%" not in text.split(MARKER)[0]
    assert _bottom(runbook).endswith(NOTES)


def test_a_deleted_marker_keeps_the_whole_text_and_warns(tmp_path):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    runbook = out / "runbooks/shop/DiskSpaceLow.md"
    old = runbook.read_bytes().replace(MARKER, b"") + b"my notes\n"
    runbook.write_bytes(old)
    result = build(specs, out)
    assert codes(result) == ["runbook/marker-missing"]
    assert _bottom(runbook).endswith(old) and runbook.read_bytes().count(MARKER) == 1


def test_a_removed_alert_with_notes_is_retired_with_a_warning(tmp_path):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    add_notes(out / "runbooks/shop/DiskSpaceLow.md", NOTES)
    write_spec(specs, with_disk=False)
    result = build(specs, out)
    retired = out / "runbooks/_retired/shop/DiskSpaceLow.md"
    assert codes(result) == ["runbook/retired"]
    assert "runbooks/_retired/shop/DiskSpaceLow.md" in mine(result)[-1].message
    assert not (out / "runbooks/shop/DiskSpaceLow.md").exists()
    assert _bottom(retired).endswith(NOTES)
    assert retired.read_bytes().startswith(b"<!-- slogen: retired runbook.")

    # it stays retired, quietly, and --check agrees
    again = build(specs, out)
    assert codes(again) == [] and retired.exists() and _bottom(retired).endswith(NOTES)
    assert not build(specs, out, check=True).check.stale

    # deleting the retired file is how its notes are let go
    retired.unlink()
    build(specs, out)
    assert not retired.exists()


def test_a_removed_alert_without_notes_is_dropped_silently(tmp_path):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    write_spec(specs, with_disk=False)
    result = build(specs, out)
    assert codes(result) == []
    assert not (out / "runbooks/_retired").exists()
    assert not (out / "runbooks/shop/DiskSpaceLow.md").exists()


def test_a_retired_alert_that_comes_back_gets_its_notes_back(tmp_path):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    add_notes(out / "runbooks/shop/DiskSpaceLow.md", NOTES)
    write_spec(specs, with_disk=False)
    build(specs, out)
    write_spec(specs)
    result = build(specs, out)
    assert codes(result) == ["runbook/restored"]
    assert _bottom(out / "runbooks/shop/DiskSpaceLow.md").endswith(NOTES)
    assert not (out / "runbooks/_retired").exists()


def test_a_renamed_slo_alert_carries_its_notes_over(tmp_path):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    add_notes(out / "runbooks/shop/AvailabilityBudgetBurn.md", NOTES)
    write_spec(specs, alerting="alerting: {name: ShopErrorBudgetBurn}")
    result = build(specs, out)
    assert codes(result) == ["runbook/renamed"]
    assert _bottom(out / "runbooks/shop/ShopErrorBudgetBurn.md").endswith(NOTES)
    assert not (out / "runbooks/shop/AvailabilityBudgetBurn.md").exists()
    assert not (out / "runbooks/_retired").exists()
    assert not build(specs, out, check=True).check.stale


def test_a_renamed_threshold_carries_its_notes_over(tmp_path):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    add_notes(out / "runbooks/shop/DiskSpaceLow.md", NOTES)
    write_spec(specs, disk_name="RootDiskFull")
    result = build(specs, out)
    assert codes(result) == ["runbook/renamed"]
    assert "runbooks/shop/RootDiskFull.md" in mine(result)[-1].message
    assert _bottom(out / "runbooks/shop/RootDiskFull.md").endswith(NOTES)


def test_a_renamed_slo_is_taken_as_a_rename_when_it_is_the_only_one(tmp_path):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    add_notes(out / "runbooks/shop/AvailabilityBudgetBurn.md", NOTES)
    (specs / "shop.yaml").write_text((specs / "shop.yaml").read_text().replace("name: availability", "name: success"))
    result = build(specs, out)
    assert codes(result) == ["runbook/renamed"]
    assert _bottom(out / "runbooks/shop/SuccessBudgetBurn.md").endswith(NOTES)


def test_when_a_rename_is_ambiguous_the_notes_are_retired_and_the_user_told_how(tmp_path):
    specs, out = write_spec(tmp_path / "specs"), tmp_path / "out"
    build(specs, out)
    add_notes(out / "runbooks/shop/AvailabilityBudgetBurn.md", NOTES)
    text = (specs / "shop.yaml").read_text()
    slo = text[text.index("  - name: availability"):text.index("thresholds:")]
    two = slo.replace("name: availability", "name: success") + slo.replace("name: availability", "name: errors")
    (specs / "shop.yaml").write_text(text.replace(slo, two))
    result = build(specs, out)
    assert codes(result) == ["runbook/retired"]
    hint = mine(result)[-1].hint
    assert "move the text below the keep-below marker into the new runbook" in hint
    assert _bottom(out / "runbooks/_retired/shop/AvailabilityBudgetBurn.md").endswith(NOTES)
