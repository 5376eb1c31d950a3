"""The cross-checks' run index: what a check asks of the whole run is worked out once per run,
not once per result it judges (a diagnosis in prose narrows itself to the tests it names)."""

from __future__ import annotations

from harness.model import Environment, Result, Status
from harness.triage.checks import RunIndex, Support, stated


class CountingCases(dict):
    """A run's cases that count how often all of them are walked."""

    walks = 0

    def values(self):  # type: ignore[override]
        CountingCases.walks += 1
        return super().values()


def run_of(n: int) -> tuple[RunIndex, list[Result]]:
    results = [Result("mm", i, f"hugetlb_dio case {i}", "", Status.FAIL, "read failed")
               for i in range(1, n + 1)]
    results.append(Result("mm", n + 1, "khugepaged collapse", "", Status.FAIL, "failed"))
    index = RunIndex.build(results, set())
    index.by_case = CountingCases(index.by_case)
    return index, results


def stated_env() -> Environment:
    env = Environment()
    env.facts.update(stated="selftest-logic-bug", stated_about="hugetlb_dio memfd_secret")
    return env


def test_a_diagnosis_narrows_to_the_tests_it_names_that_the_run_has():
    index, results = run_of(3)
    env = stated_env()
    outcomes = [stated(r, env, index, "selftest-logic-bug") for r in results]
    assert [o.support for o in outcomes] == [Support.SUPPORTS] * 3 + [Support.CONTRADICTS]
    # memfd_secret is in no result: it narrows nothing and is not named
    assert outcomes[-1].reason == "the report's diagnosis is about other tests (hugetlb_dio)"


def test_the_run_is_scanned_once_for_a_diagnosis_names_not_once_per_result():
    index, results = run_of(200)
    env = stated_env()
    CountingCases.walks = 0
    for r in results:
        stated(r, env, index, "selftest-logic-bug")
    assert CountingCases.walks == 1
    assert index.names_in_run("hugetlb_dio memfd_secret") == ["hugetlb_dio"]
    assert index.names_in_run("") == []
