"""When a job reads as running, stalled or ended, and how far it has got."""

from datetime import UTC, datetime, timedelta

from carepool.jobs.model import STALLED_AFTER, Job, JobStatus, worth_showing

START = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def job(status: JobStatus, done: int = 0, total: int = 0, said: datetime = START) -> Job:
    return Job(1, "savings_split", "CP-2026-001", status, done, total, "", "user:fin@ealing.test", START, said, None)


def test_a_job_that_keeps_saying_how_far_it_has_got_is_running() -> None:
    running = job(JobStatus.RUNNING, 3, 126, said=START + timedelta(minutes=30))
    assert running.running(START + timedelta(minutes=30) + STALLED_AFTER) and not running.stalled(START)
    assert running.count == "3 of 126"


def test_a_job_silent_for_longer_than_any_step_takes_has_stalled() -> None:
    silent = job(JobStatus.RUNNING, 3, 126)
    later = START + STALLED_AFTER + timedelta(seconds=1)
    assert silent.stalled(later) and not silent.running(later)


def test_an_ended_job_is_neither_running_nor_stalled_however_old() -> None:
    for status in (JobStatus.DONE, JobStatus.FAILED):
        ended = job(status, 1_260, 1_260)
        assert not ended.running(START + timedelta(days=9)) and not ended.stalled(START + timedelta(days=9))
        assert ended.count == "1,260 of 1,260"
    assert job(JobStatus.RUNNING).count == ""  # before the work knows how many steps it has


def test_a_failure_older_than_the_result_shown_is_not_news() -> None:
    failed, running = job(JobStatus.FAILED, 2, 5), job(JobStatus.RUNNING, 2, 5)
    made_later, made_before = START + timedelta(minutes=5), START - timedelta(minutes=5)
    assert worth_showing(failed, made_later, made_later) is None  # the result came after it (the CLI, say)
    assert worth_showing(failed, made_before, made_later) is failed  # it is the latest word
    assert worth_showing(failed, None, made_later) is failed  # no result at all yet
    assert worth_showing(running, made_later, made_later) is running  # still running: the page follows it
    assert worth_showing(running, made_later, START + 2 * STALLED_AFTER) is None  # stopped, and superseded
    assert worth_showing(None, made_later, made_later) is None
