"""`assistant chat` in a real process: killed mid-form, it resumes where the person was."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def chat_env(minilm_index_dir, tmp_path_factory) -> dict[str, str]:
    # The shipped-style index, so that the chat process finds it up to date and never rebuilds.
    home = tmp_path_factory.mktemp("chat")
    shutil.copytree(minilm_index_dir, home / "index")
    (home / "assistant.toml").write_text("reminder_days = 3\n", encoding="utf-8")
    return {
        **os.environ,
        "ASSISTANT_CONFIG": str(home / "assistant.toml"),
        "ASSISTANT_INDEX_DIR": str(home / "index"),
        "DATABASE_URL": f"sqlite:///{home / 'chat.db'}",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }


class Chat:
    """One `assistant chat` process whose output is read line by line in the background."""

    def __init__(self, env: dict[str, str], user: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "chat", "--user", user],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def wait_for(self, needle: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.seen.append(self.lines.get(timeout=0.5))
            except queue.Empty:
                continue
            if needle.lower() in self.seen[-1].lower():
                return
        raise AssertionError(f"never saw {needle!r}; output was:\n{''.join(self.seen)}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


def test_a_killed_chat_resumes_the_form_with_nothing_lost(chat_env) -> None:
    chat = Chat(chat_env, "lena")
    chat.wait_for("You are console:lena")
    chat.send("can I friend a former pupil?")
    chat.wait_for("Clause 6.3")
    chat.send("start the approval form")
    chat.wait_for("Which department")
    chat.send("PE department")
    chat.wait_for("name of the author")
    chat.send("me")
    chat.wait_for("line manager")
    chat.kill()

    again = Chat(chat_env, "lena")
    again.wait_for("Picking up where you left off")
    again.wait_for("line manager")
    again.send("back")
    again.wait_for("Lena")  # the author answer is still there
    again.send("/quit")
    assert again.process.wait(timeout=30) == 0


def test_a_follow_up_in_the_terminal_is_read_with_the_question_before(chat_env) -> None:
    chat = Chat(chat_env, "omar")
    chat.wait_for("You are console:omar")
    chat.send("how many administrators does a school site need?")
    chat.wait_for("Clause A.5.4")
    chat.send("and moderators?")
    chat.wait_for("Reading this with your earlier question")
    chat.wait_for("Clause A.5.4")
    chat.send("new question")
    chat.wait_for("new question")
    start = len(chat.seen)
    chat.send("and moderators?")  # asked alone now: no earlier question to name
    chat.send("thanks")
    chat.wait_for("You're welcome")
    assert not any("Reading this" in line for line in chat.seen[start:])
    chat.send("/quit")
    assert chat.process.wait(timeout=30) == 0
