"""The UI's task group when the window closes: nothing spawned afterwards ever runs."""

from __future__ import annotations

import asyncio

from ui.db_executor import ServiceExecutor, TaskGroup


def test_tasks_spawned_after_cancel_all_never_run() -> None:
    """Closing cancels every task, and a timer or queued event that spawns one afterwards
    (before the executor is gone) gets a cancelled task: its body never calls the executor."""
    errors: list[BaseException] = []
    tasks, executor = TaskGroup(on_error=errors.append), ServiceExecutor(1)
    ran: list[str] = []

    async def work(name: str) -> None:
        ran.append(name)
        await executor.call(lambda: None)

    async def scenario() -> tuple[bool, bool]:
        tasks.cancel_all()  # the window's closing step
        executor.shutdown(wait=True)  # then the closing thread drains the executor
        late = tasks.spawn(work("late"), name="queue-resync")
        await asyncio.sleep(0)
        await asyncio.gather(late, return_exceptions=True)
        return late.cancelled(), tasks.running("queue-resync")

    cancelled, running = asyncio.run(scenario())
    assert cancelled and not running
    assert ran == [] and errors == []
