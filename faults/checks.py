"""The simple checks a customer goes through before reporting a fault, per kind of service.

Code (Fault Repair): "We may request that you carry out some simple checks to help us establish the
cause of the fault." The portal asks them before the description, one at a time, and records every
answer with the fault. A yes/no check may solve the problem: the customer can then stop, and no fault
is raised. Hosting checks are questions only the customer can answer, so they are required text.
"""

from dataclasses import dataclass

YES_NO = "yes_no"
TEXT = "text"


@dataclass(frozen=True)
class Check:
    key: str
    question: str
    kind: str
    help: str  # how to do the check, in plain words


CHECKS = {
    "broadband": [
        Check(
            "router_restarted",
            "Is your router switched on, and have you restarted it?",
            YES_NO,
            "Switch the router off at the wall, wait 30 seconds, switch it back on and give it five minutes "
            "to connect. Its lights should settle (usually a steady green or white broadband light).",
        ),
        Check(
            "microfilters",
            "Is there a microfilter on every phone socket that has something plugged in?",
            YES_NO,
            "Every phone, alarm, fax or TV box plugged into a phone socket needs a microfilter between it and "
            "the socket. A missing or faulty filter often causes drop-outs or slow speeds.",
        ),
        Check(
            "master_socket",
            "Does the problem remain with the router plugged into the master socket?",
            YES_NO,
            "The master socket is where the line enters your home (usually with the BT or Openreach logo). "
            "Unplug everything else, remove any extension cables and plug the router in there, with a filter.",
        ),
        Check(
            "other_devices",
            "Are other devices affected too?",
            YES_NO,
            "Try another computer, tablet or phone on the same connection. If only one device has the problem, "
            "the fault is probably in that device rather than the line.",
        ),
    ],
    "telecoms": [
        Check(
            "dial_tone",
            "When you lift the handset, is there a dial tone?",
            YES_NO,
            "Lift the handset of a phone plugged straight into the line and listen for the continuous tone.",
        ),
        Check(
            "other_handset",
            "Does the problem remain with another handset?",
            YES_NO,
            "Plug a different phone (one you know works) into the same socket and try again. A faulty handset "
            "or its cable causes many line problems.",
        ),
        Check(
            "master_socket",
            "Does the problem remain with the phone plugged into the master socket?",
            YES_NO,
            "Unplug everything from the extension sockets and plug one phone into the master socket, where "
            "the line enters the building. If it works there, the fault is in the extension wiring.",
        ),
        Check(
            "noise",
            "Is there crackling, humming or other noise on the line?",
            YES_NO,
            "Dial a single digit (such as 1) to stop the dial tone and listen for a minute.",
        ),
    ],
    "hosting": [
        Check(
            "which_site",
            "Which website, mailbox or server is affected?",
            TEXT,
            "The domain name (for example www.example.co.uk) or the server's name or IP address.",
        ),
        Check(
            "error",
            "What error do you see?",
            TEXT,
            "Copy the error message exactly, or describe what happens (for example: the page does not load, "
            "emails bounce back).",
        ),
        Check(
            "since_when",
            "Since when has it happened?",
            TEXT,
            "The date and time you first noticed it, and whether anything changed just before "
            "(a new plugin, a DNS change, an update).",
        ),
    ],
}

ANSWERS = {"yes": "Yes", "no": "No"}


def checks_for(service):
    """The ordered checks for a service's kind (its product family)."""
    return CHECKS[service.product.family]
