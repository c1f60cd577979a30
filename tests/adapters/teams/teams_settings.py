"""Settings and approvers shared by the Teams adapter tests."""

from __future__ import annotations

from pathlib import Path

from teams_fakes import STAGES

from assistant.config import Settings, TeamsSettings
from assistant.messages import Identity

CHANNELS = {stage: f"19:{stage.replace('_', '')}@thread.tacv2" for stage in STAGES}
APPROVERS = {stage: Identity("teams", f"aad-{stage}") for stage in STAGES}


def make_settings(
    tmp_path: Path, *, app_id: str = "", host: str = "127.0.0.1", trial: bool | None = None
) -> Settings:
    """Teams settings: with ``app_id`` a registered bot, else (by default) the local trial."""
    teams = TeamsSettings(
        app_id=app_id,
        app_password="secret" if app_id else "",
        app_type="SingleTenant" if app_id else "",
        tenant_id="tenant-0001" if app_id else "",
        trial=not app_id if trial is None else trial,
    )
    return Settings(
        root=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'test.db'}",
        corpus_dir=tmp_path,
        index_dir=tmp_path,
        config_path=None,
        roles={stage: (who,) for stage, who in APPROVERS.items()},
        channels={stage: {"teams": channel} for stage, channel in CHANNELS.items()},
        host=host,
        teams=teams,
    )
