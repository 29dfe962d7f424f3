"""The words an operator reads for the desk's codes: incident kinds, statuses, feed states, problem
kinds, and the reasons the validator and the feeds give.

The source strings are English; Simplified Chinese comes from `resources/i18n/desk_zh_CN.ts`
(`QT_TRANSLATE_NOOP` marks them for lupdate). A code the desk does not know yet is shown as it
is, never as an error, and a reason no pattern matches is shown in its original words.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QCoreApplication

from desk.feeds import FeedState, ProblemKind
from desk.grievances import CallbackResult, GrievanceStatus
from desk.incidents import Status


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Marks `source` for lupdate under `context` and returns it untranslated (Qt's own is untyped)."""
    return source


_KIND = "IncidentKind"
# every `Incident.kind` the rules in desk/incidents.py produce
INCIDENT_KINDS: dict[str, str] = {
    "fall": QT_TRANSLATE_NOOP("IncidentKind", "Fall"),
    "sos": QT_TRANSLATE_NOOP("IncidentKind", "SOS call"),
    "fire": QT_TRANSLATE_NOOP("IncidentKind", "Fire"),
    "smoke": QT_TRANSLATE_NOOP("IncidentKind", "Smoke"),
    "gas": QT_TRANSLATE_NOOP("IncidentKind", "Gas leak"),
    "elevator_entrapment": QT_TRANSLATE_NOOP("IncidentKind", "Trapped in lift"),
    "door_forced": QT_TRANSLATE_NOOP("IncidentKind", "Door forced"),
    "face_watchlist": QT_TRANSLATE_NOOP("IncidentKind", "Face watch list"),
    "vehicle_watchlist": QT_TRANSLATE_NOOP("IncidentKind", "Vehicle watch list"),
    "intrusion": QT_TRANSLATE_NOOP("IncidentKind", "Intrusion"),
    "door_held": QT_TRANSLATE_NOOP("IncidentKind", "Door held open"),
    "water_leak": QT_TRANSLATE_NOOP("IncidentKind", "Water leak"),
    "tamper": QT_TRANSLATE_NOOP("IncidentKind", "Device tampered"),
    "camera_offline": QT_TRANSLATE_NOOP("IncidentKind", "Camera offline"),
    "other": QT_TRANSLATE_NOOP("IncidentKind", "Other alarm"),
    "device_offline": QT_TRANSLATE_NOOP("IncidentKind", "Wristband offline"),
    "device_not_worn": QT_TRANSLATE_NOOP("IncidentKind", "Wristband not worn"),
    "device_low_battery": QT_TRANSLATE_NOOP("IncidentKind", "Wristband battery low"),
    "grievance": QT_TRANSLATE_NOOP("IncidentKind", "Resident request"),
    "wandering": QT_TRANSLATE_NOOP("IncidentKind", "Left the safe zone"),
}

_STATUS = "IncidentStatus"
STATUSES: dict[Status, str] = {
    Status.NEW: QT_TRANSLATE_NOOP("IncidentStatus", "New"),
    Status.ACKNOWLEDGED: QT_TRANSLATE_NOOP("IncidentStatus", "Acknowledged"),
    Status.DISPATCHED: QT_TRANSLATE_NOOP("IncidentStatus", "Dispatched"),
    Status.ON_SCENE: QT_TRANSLATE_NOOP("IncidentStatus", "On scene"),
    Status.ESCALATED: QT_TRANSLATE_NOOP("IncidentStatus", "Escalated"),
    Status.RESOLVED: QT_TRANSLATE_NOOP("IncidentStatus", "Resolved"),
    Status.FALSE_ALARM: QT_TRANSLATE_NOOP("IncidentStatus", "False alarm"),
    Status.CLOSED: QT_TRANSLATE_NOOP("IncidentStatus", "Closed"),
}

_CASE = "GrievanceStatus"
# a grievance's case status: the sub-state its incident's status column shows
GRIEVANCE_STATUSES: dict[GrievanceStatus, str] = {
    GrievanceStatus.RECEIVED: QT_TRANSLATE_NOOP("GrievanceStatus", "To be signed for"),
    GrievanceStatus.SIGNED: QT_TRANSLATE_NOOP("GrievanceStatus", "Signed for"),
    GrievanceStatus.ASSIGNED: QT_TRANSLATE_NOOP("GrievanceStatus", "Assigned"),
    GrievanceStatus.REPLIED: QT_TRANSLATE_NOOP("GrievanceStatus", "Answered"),
    GrievanceStatus.OUTCOME_RECORDED: QT_TRANSLATE_NOOP("GrievanceStatus", "Awaiting call-back"),
    GrievanceStatus.CALLBACK_DONE: QT_TRANSLATE_NOOP("GrievanceStatus", "Called back"),
    GrievanceStatus.CLOSED: QT_TRANSLATE_NOOP("GrievanceStatus", "Case closed"),
}

_CATEGORY = "GrievanceCategory"
# every grievance category of desk.grievances.CATEGORIES
GRIEVANCE_CATEGORIES: dict[str, str] = {
    "safety": QT_TRANSLATE_NOOP("GrievanceCategory", "Safety hazard"),
    "elderly_care": QT_TRANSLATE_NOOP("GrievanceCategory", "Elderly care"),
    "repairs": QT_TRANSLATE_NOOP("GrievanceCategory", "Repairs"),
    "noise": QT_TRANSLATE_NOOP("GrievanceCategory", "Noise"),
    "sanitation": QT_TRANSLATE_NOOP("GrievanceCategory", "Sanitation"),
    "animals": QT_TRANSLATE_NOOP("GrievanceCategory", "Animals"),
    "parking": QT_TRANSLATE_NOOP("GrievanceCategory", "Parking"),
    "neighbours": QT_TRANSLATE_NOOP("GrievanceCategory", "Neighbours"),
    "other": QT_TRANSLATE_NOOP("GrievanceCategory", "Other"),
}

_CALLBACK = "CallbackResult"
CALLBACK_RESULTS: dict[CallbackResult, str] = {
    CallbackResult.SATISFIED: QT_TRANSLATE_NOOP("CallbackResult", "Satisfied"),
    CallbackResult.UNSATISFIED: QT_TRANSLATE_NOOP("CallbackResult", "Not satisfied (back to the assignee)"),
    CallbackResult.UNREACHABLE: QT_TRANSLATE_NOOP("CallbackResult", "Could not be reached"),
}

_FEED = "FeedState"
FEED_STATES: dict[FeedState, str] = {
    FeedState.CONNECTING: QT_TRANSLATE_NOOP("FeedState", "connecting"),
    FeedState.LIVE: QT_TRANSLATE_NOOP("FeedState", "live"),
    FeedState.RECONNECTING: QT_TRANSLATE_NOOP("FeedState", "DOWN — reconnecting"),
    FeedState.AUTH_FAILED: QT_TRANSLATE_NOOP("FeedState", "DOWN — authentication failed"),
    FeedState.STALLED: QT_TRANSLATE_NOOP("FeedState", "DOWN — stalled"),
    FeedState.STOPPED: QT_TRANSLATE_NOOP("FeedState", "stopped"),
}

_PROBLEM = "ProblemKind"
PROBLEM_KINDS: dict[ProblemKind, str] = {
    ProblemKind.QUARANTINED: QT_TRANSLATE_NOOP("ProblemKind", "Invalid event"),
    ProblemKind.PROTOCOL_ERROR: QT_TRANSLATE_NOOP("ProblemKind", "Unreadable frame"),
    ProblemKind.GAP: QT_TRANSLATE_NOOP("ProblemKind", "Events missing"),
    ProblemKind.STREAM_RESET: QT_TRANSLATE_NOOP("ProblemKind", "Stream reset"),
    ProblemKind.AUTH_FAILED: QT_TRANSLATE_NOOP("ProblemKind", "Authentication failed"),
    ProblemKind.STALLED: QT_TRANSLATE_NOOP("ProblemKind", "Feed silent"),
    ProblemKind.SERVER_ERROR: QT_TRANSLATE_NOOP("ProblemKind", "Server error"),
    ProblemKind.NOT_STORED: QT_TRANSLATE_NOOP("ProblemKind", "Event not stored"),
}


def incident_kind(kind: str) -> str:
    source = INCIDENT_KINDS.get(kind)
    return QCoreApplication.translate(_KIND, source) if source else kind


def status_text(status: Status) -> str:
    return QCoreApplication.translate(_STATUS, STATUSES[status])


def grievance_status_text(status: GrievanceStatus) -> str:
    """A grievance's case status ("已签收", "待回访", …): the queue's state column for a grievance."""
    return QCoreApplication.translate(_CASE, GRIEVANCE_STATUSES[status])


def category_text(category: str) -> str:
    source = GRIEVANCE_CATEGORIES.get(category)
    return QCoreApplication.translate(_CATEGORY, source) if source else category


def callback_text(result: CallbackResult) -> str:
    return QCoreApplication.translate(_CALLBACK, CALLBACK_RESULTS[result])


def feed_state_text(state: FeedState) -> str:
    return QCoreApplication.translate(_FEED, FEED_STATES[state])


def feed_is_loud(state: FeedState) -> bool:
    """Down and not on purpose: red. A stopped feed (the desk is closing) reads as stopped, quietly."""
    return state.is_down and state is not FeedState.STOPPED


def problem_kind_text(kind: ProblemKind) -> str:
    return QCoreApplication.translate(_PROBLEM, PROBLEM_KINDS[kind])


# ---- reasons -------------------------------------------------------------------------------------
# The validator (desk/events.py), the frame reader (desk/protocol.py) and the feed client
# (services/feeds.py) give their reasons in English. Each pattern here is the exact wording of one of
# them, its template the same wording with {0}, {1}… for the groups: in English the reason comes out
# unchanged, in Chinese translated; a reason no pattern matches is shown as it came.
_R = "Reason"
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), template)
    for pattern, template in (
        # validation of an event (quarantined)
        (r"missing field '([^']*)'", QT_TRANSLATE_NOOP("Reason", "missing field '{0}'")),
        (r"'([^']*)' is empty", QT_TRANSLATE_NOOP("Reason", "'{0}' is empty")),
        (r"unknown type (.*)", QT_TRANSLATE_NOOP("Reason", "unknown type {0}")),
        (
            r"'time' (.*) is not RFC 3339 with an offset",
            QT_TRANSLATE_NOOP("Reason", "'time' {0} is not RFC 3339 with an offset"),
        ),
        (
            r"'([^']*)' is (.*), not one of (.*)",
            QT_TRANSLATE_NOOP("Reason", "'{0}' is {1}, not one of {2}"),
        ),
        (
            r"'([^']*)' must be text, not (\w+)",
            QT_TRANSLATE_NOOP("Reason", "'{0}' must be text, not {1}"),
        ),
        (
            r"'id' (.*) is not 1–128 characters of A–Z a–z 0–9 \. _ : -",
            QT_TRANSLATE_NOOP("Reason", "'id' {0} is not 1–128 characters of A–Z a–z 0–9 . _ : -"),
        ),
        (
            r"(\S+) latitude (.*) is out of range \(−90 to 90\)",
            QT_TRANSLATE_NOOP("Reason", "{0} latitude {1} is out of range (−90 to 90)"),
        ),
        (
            r"(\S+) longitude (.*) is out of range \(−180 to 180\)",
            QT_TRANSLATE_NOOP("Reason", "{0} longitude {1} is out of range (−180 to 180)"),
        ),
        # an action while the database refuses to write (services.writer.StorageUnavailable)
        (
            r"the database refuses to write \((.*)\); try again shortly",
            QT_TRANSLATE_NOOP("Reason", "the database refuses to write ({0}); try again shortly"),
        ),
        # frames that could not be read (protocol errors)
        (r"not JSON: (.*)", QT_TRANSLATE_NOOP("Reason", "not JSON: {0}")),
        (
            r"binary frame \(CES/1 frames are text\)",
            QT_TRANSLATE_NOOP("Reason", "binary frame (CES/1 frames are text)"),
        ),
        (r"not a JSON object but (\w+)", QT_TRANSLATE_NOOP("Reason", "not a JSON object but {0}")),
        (r"unknown op (.*)", QT_TRANSLATE_NOOP("Reason", "unknown op {0}")),
        (
            r"frame of (\d+) bytes is over the 256 KiB limit",
            QT_TRANSLATE_NOOP("Reason", "frame of {0} bytes is over the 256 KiB limit"),
        ),
        # feed notices and the reasons a feed is down
        (r"events (\d+)–(\d+) never arrived", QT_TRANSLATE_NOOP("Reason", "events {0}–{1} never arrived")),
        (
            r"the server no longer holds events (\d+)–(\d+)",
            QT_TRANSLATE_NOOP("Reason", "the server no longer holds events {0}–{1}"),
        ),
        (
            r"server stream changed from (.*) to (.*): reading it again from the start",
            QT_TRANSLATE_NOOP(
                "Reason", "server stream changed from {0} to {1}: reading it again from the start"
            ),
        ),
        (
            r"no frame for (\d+) s; reconnecting",
            QT_TRANSLATE_NOOP("Reason", "no frame for {0} s; reconnecting"),
        ),
        (
            r"silent for (\d+) s; reconnecting",
            QT_TRANSLATE_NOOP("Reason", "silent for {0} s; reconnecting"),
        ),
        (
            r"HTTP (\d+): the server refused the token",
            QT_TRANSLATE_NOOP("Reason", "HTTP {0}: the server refused the token"),
        ),
        (
            r"HTTP (\d+): token refused; next try in (\d+) s",
            QT_TRANSLATE_NOOP("Reason", "HTTP {0}: token refused; next try in {1} s"),
        ),
        (r"HTTP (\d+) from the server", QT_TRANSLATE_NOOP("Reason", "HTTP {0} from the server")),
        (r"cannot connect: (.*)", QT_TRANSLATE_NOOP("Reason", "cannot connect: {0}")),
        (r"the server closed the stream", QT_TRANSLATE_NOOP("Reason", "the server closed the stream")),
        (r"connection lost", QT_TRANSLATE_NOOP("Reason", "connection lost")),
        (r"connection closed: (.*)", QT_TRANSLATE_NOOP("Reason", "connection closed: {0}")),
    )
)


def readable_reason(text: str) -> str:
    """A reason in the operator's language where its wording is known, else as it came."""
    for pattern, template in _REASONS:
        match = pattern.fullmatch(text)
        if match:
            return QCoreApplication.translate(_R, template).format(*match.groups())
    return text


def one_line(text: str) -> str:
    """Text for a table cell: newlines and tabs as spaces (a cell shows one line)."""
    return " ".join(text.split()) if any(c in text for c in "\n\r\t") else text


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` literally. Qt renders a tooltip as rich text when it looks like
    HTML (`<b>` from a resident would be bold), so the text is escaped inside a rich-text block."""
    return f'<p style="white-space:pre-wrap">{html.escape(text)}</p>'
