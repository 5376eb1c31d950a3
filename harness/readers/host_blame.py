"""The machine a kernel lockup happened on, named as its cause by the report's own words.

A CI's dmesg check flags a watchdog soft lockup, an RCU stall or a hung task, and the CI owner
or a maintainer answers that the guest or its host was too slow: "The dmesg check failed,
likely due to a slow kvm guest" and "most likely caused from running on a slow kvm guest"
(Rachel Sibley on CKI's LTP runs, 2020), "I guess this can be caused by slow VM due overloaded
host (not a real bug)" (Petr Vorel on the same CI, 2020), "the host was overloaded", "noisy
neighbours", "steal time", "an infrastructure issue". A lockup is the kernel kept waiting, not a
kernel that failed: on a starved virtual CPU it is the machine's (`harness/triage/engine.py`,
``blamed_lockups``). Only the writer's own words count: not quoted, not asked, not negated ("not
due to a slow guest", "I doubt it is the host"), and not a bare "may be"/"might be" guess.
"""

from __future__ import annotations

import re

from harness.lazy_regex import lazy

# The machine, said to be slow or loaded: "a slow kvm guest", "slow VM", "an overloaded host",
# "overcommitted hypervisor", "busy lab machines".
_SLOW = (r"(?:(?:very|too|really|quite|rather|extremely|heavily|badly)\s+)?(?:slow(?:er)?|"
         r"over-?loaded|over-?committed|over-?subscribed|busy|heavily\s+loaded|starved|"
         r"under-?powered|sluggish|congested)")
_MACHINE = (r"(?:(?:kvm|qemu|virtual|nested|ppc64le|ppc64|s390x?|arm64|aarch64|x86_64|test|ci|"
            r"lab|cloud|shared|beaker)\s+)*(?:guests?|vms?|virtual\s+machines?|hosts?|"
            r"hypervisors?|machines?|systems?|box(?:es)?|instances?|emulators?|emulation|"
            r"runners?|hardware|lpars?|workers?|nodes?)")
_CAUSE = (r"(?:due\s+to|caused\s+(?:by|from)|related\s+to|because\s+(?:of|we\s+run\s+on)|"
          r"(?:a\s+)?result\s+of|an?\s+artifact\s+of|a\s+symptom\s+of|comes?\s+from|"
          r"coming\s+from|blame\s+(?:it\s+|this\s+)?on|happens?\s+on|seen\s+on)")
HOST_BLAME = lazy(
    r"\b" + _CAUSE + r"\s+(?:(?:running|being|run)\s+(?:on|in)\s+)?(?:(?:a|an|the|our|this|"
    r"that|these|those|some)\s+)?(?:\w+\s+){0,2}?" + _SLOW + r"\s+" + _MACHINE + r"\b|"
    # "slow VM due overloaded host": the machine said slow, then its load named
    r"\b" + _SLOW + r"\s+" + _MACHINE + r"\s+(?:due\s+(?:to\s+)?|because\s+of\s+)(?:an?\s+|the\s+)?"
    + _SLOW + r"\s+" + _MACHINE + r"\b|"
    # "likely the guest", "probably the host being slow"
    r"\b(?:likely|probably|most\s+likely)\s+(?:just\s+)?(?:the|a)\s+(?:slow\s+)?(?:kvm\s+|"
    r"qemu\s+)?(?:guest|host|hypervisor|vm)\b(?!\s+kernel)|"
    r"\b(?:the\s+)?(?:host|hypervisor|machine|system|server|guest|vm)\s+(?:was|is|being|got|"
    r"were|are)\s+(?:heavily\s+|badly\s+|very\s+|too\s+|simply\s+|just\s+)?(?:over-?loaded|"
    r"over-?committed|over-?subscribed|too\s+slow|(?:very\s+)?busy|under\s+(?:heavy\s+)?"
    r"(?:load|pressure)|starved)\b|"
    r"\bnoisy\s+neighbou?rs?\b|\b(?:high|cpu|vcpu)\s+steal(?:\s+time)?\b|\bsteal\s+time\b|"
    r"\binfra(?:structure)?\s+(?:problem|issue|bug|failure|hiccup|glitch|outage)s?\b"
    r"(?!\s+(?:prevented|kept|stopped))",  # not CKI's legend of its aborted tests
    re.IGNORECASE)
# Words right before the blame that take it back or leave it open: "not due to a slow guest",
# "I doubt it is the host", "may be an infrastructure problem".
_BEFORE = lazy(r"\b(?:not|n't|no|never|nothing|hardly|doubt\w*|unlikely|rule[sd]?\s+out|"
               r"rather\s+than|instead\s+of|may|might|could|if|whether|maybe|perhaps)\b"
               r"[^.;:!?]{0,40}$", re.IGNORECASE)
NEGATED_AFTER = lazy(r"^\s*(?:is|was|isn't|wasn't)?\s*(?:ruled\s+out|not\s+the\s+(?:cause|"
                     r"problem|issue)|excluded)\b", re.IGNORECASE)


def blames_host(sentence: str) -> bool:
    """Whether the sentence puts the failure on the machine it ran on (see module doc)."""
    for m in HOST_BLAME.finditer(sentence):
        if _BEFORE.search(sentence, 0, m.start()) is None \
                and NEGATED_AFTER.match(sentence, m.end()) is None:
            return True
    return False
