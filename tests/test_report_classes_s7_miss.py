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


# nodegit/nodegit #1115 (2016-08-29, hardog; answered by saper): the whole thread as the search
# service keeps it, its title naming the share (the corpus fixture has the description only).
# libgit2's MAP_SHARED mmap of the pack file fails with EINVAL on the VirtualBox shared folder.
NODEGIT_THREAD = """\
nodegit/nodegit · issue #1115 · closed · JavaScript
labels: Support
# Failed to mmap. Could not write data: Invalid argument (VirtualBox shared folder)

hardog · description · 2016-08-29
Hello, here need help, when clone a repo, error comes to me:
```
Failed to mmap. Could not write data: Invalid argument
Error: Failed to mmap. Could not write data: Invalid argument
    at Error (native)
```
## system
cmd line type `$ uanme -a`
`Linux localhost.localdomain 3.10.0-229.el7.x86_64 #1 SMP Fri Mar 6 11:36:42 UTC 2015 x86_64 \
x86_64 x86_64 GNU/Linux`

## tried nodegit version

`0.13.0, 0.15.0, 0.15.1`

saper · comment · 2016-08-29
Which filesystem are you working on? Are you sharing that directory somehow via SMB, NFS, \
VirtualBox shared folder etc.?

hardog · comment · 2016-08-29
@saper yes, VirtualBox was used and shared a folder on Mac OS system,   it's the problem?

saper · comment · 2016-08-29
Yes, this "filesystem" lacks some semantics neededby libgit2 client and will not work. You \
might also have trouble with other tools. I'd recommend switching to NFS.
"""


def test_mmap_einval_on_a_named_virtualbox_shared_folder_is_the_share(tmp_path: Path):
    report = triage_read(tmp_path, NODEGIT_THREAD)
    assert report["verdict"] == "env"
    assert {f["cause"] for f in report["findings"]} == {"fs-no-shared-mmap"}
    # the title names the share; the advice to switch to NFS and the question name nothing
    assert report["environment"]["fs"] == "vboxsf"


# Qcloud1223/COMP461905 #2 (2021-12-06): "mmap failed: Invalid argument" in a VMware VM; the
# course's maintainer points at the program's own address and length (the description without
# its code block). A hypervisor named without a shared folder is no filesystem: it stays unknown.
VMWARE_NO_SHARE = """\
**environment: VMWare20, Ubuntu 16**

enconter "**Invalid argument**" error using mmap(), printed by perror().
I was iteraing through the Program Headers, trying to map  some space for PT_LOAD type \
segments. I always get this error the second time I call mmap().

and I get output like this 
```
(gdb) r
Starting program: /work/COMP461905/build/run-openlib ./test_lib/SimpleMul.so multiply 1 2 3
addr: -134262784
mmap failed: Invalid argument   #error here
addr: -1
```

I wonder if it is because the wrong argument as indicated, or some other reasons like the \
defacts of VMWare virtual environment.
"""


def test_mmap_einval_in_a_vmware_vm_without_a_shared_folder_stays_unknown(tmp_path: Path):
    report = triage_read(tmp_path, VMWARE_NO_SHARE)
    assert report["verdict"] == "unknown"
    assert "fs-no-shared-mmap" not in {f["cause"] for f in report["findings"]}
    [failed] = [r for r in report["results"] if r["status"] == "fail"]
    assert (failed["syscall"], failed["errno"]) == ("mmap", "EINVAL")  # read, and still unknown


REPORTS = Path(__file__).parent / "fixtures" / "reports"


def test_an_abort_right_after_a_printed_enosys_is_the_missing_call(tmp_path: Path):
    # rr #2681 (the corpus report): "./bin/sysfs" / "FAILED: errno=38 (Function not
    # implemented)" / "sysfs: .../sysfs.c:9: main: Assertion ... failed." on Arch's kernel
    text = (REPORTS / "rr-arch-kernel-sysfs-syscall-enosys.txt").read_text()
    report = triage_read(tmp_path, text)
    assert report["verdict"] == "config"
    assert {f["cause"] for f in report["findings"]} == {"syscall-not-implemented"}


def test_an_abort_after_another_errno_stays_a_crash_of_unknown_cause(tmp_path: Path):
    # urbit vere #624 (the corpus report): "loom: fault mprotect (197681): Out of memory" right
    # above "Assertion '0' failed in pkg/noun/manage.c:1810" - ENOMEM is no missing call; the
    # worker's abort stays the test process's crash (process-killed), never a kernel crash
    text = (REPORTS / "urbit-loom-mprotect-enomem-max-map-count.txt").read_text()
    report = triage_read(tmp_path, text)
    causes = {f["cause"] for f in report["findings"]}
    assert "syscall-not-implemented" not in causes
    assert not causes & {"kernel-crash", "kernel-oops", "output-truncated"}
