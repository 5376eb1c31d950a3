"""Classes of environment causes the corpus missed (session 7, round 14-miss): a hugetlb pool
that was never set up or has no page of the size asked for, said the ways CI trackers and
tools say it; and a test that passes where the wording is close but the cause is not the pool.
Each test uses a real public text other than the corpus report that showed the class."""

from __future__ import annotations

from pathlib import Path

from tests.test_report_classes import triage_read

# kubernetes/kubernetes #115539 (2023-02-06, pacoxu): the HugePages e2e test failed after a
# kubelet change (PR #113298) was merged; the node had its 2 MiB pages (capacity 10485760), the
# pod asked for more than was left. Not the node's hugetlb setup: the engine must not say so.
K8S_CAPACITY_LEFT = """\
### Failure cluster [6e99635281af691f67af](https://go.k8s.io/triage#6e99635281af691f67af)
The test failed failed after https://github.com/kubernetes/kubernetes/pull/113298 was merged.

E2eNode Suite [It] [sig-node] HugePages [Serial] [Feature:HugePages][NodeSpecialFeature:HugePages] \
when start the pod with the resources requests that contain multiple hugepages resources should \
set correct hugetlb mount and limit under the container cgroup

##### Error text:
```
[FAILED] Told to stop trying after 10.017s.
The phase of Pod hugepages-qtssw is Failed which is unexpected.
In [JustBeforeEach] at: test/e2e/framework/pod/pod_client.go:106 @ 02/04/23 14:42:02.318

```

> I0206 06:45:50.377988    2892 event.go:294] "Event occurred" \
object="hugepages-test-9245/hugepages-m47rd" fieldPath="" kind="Pod" apiVersion="v1" \
type="Warning" reason="OutOfhugepages-2Mi" message="Node didn't have enough resource: \
hugepages-2Mi, requested: 6291456, used: 6291456, capacity: 10485760"
"""


def test_kubelet_out_of_hugepages_with_capacity_left_is_not_the_pool(tmp_path: Path):
    report = triage_read(tmp_path, K8S_CAPACITY_LEFT)
    causes = {f["cause"] for f in report["findings"]}
    assert "hugetlb-not-reserved" not in causes
    assert report["verdict"] == "unknown"
    # the kubelet's refusal is read as the failure it states ("didn't have enough")...
    messages = [r["message"] for r in report["results"]]
    assert any("Node didn't have enough resource: hugepages-2Mi" in m for m in messages)
    # ... and an issue template's heading ending in a colon is none
    assert not any(m.startswith("#") for m in messages)


def test_kubelet_out_of_a_size_it_advertises_none_of_is_the_pool(tmp_path: Path):
    # the same kubelet line with the node's capacity for the size at 0 (the memory-manager
    # lane, kubernetes #99070): nothing of that size was reserved
    line = K8S_CAPACITY_LEFT.replace("capacity: 10485760", "capacity: 0").replace(
        "used: 6291456", "used: 0")
    report = triage_read(tmp_path, line)
    causes = {f["cause"] for f in report["findings"]}
    assert "hugetlb-not-reserved" in causes
