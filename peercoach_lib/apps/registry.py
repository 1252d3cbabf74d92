"""The workbook's apps as the home page lists them; an app is listed once its notebook exists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AppInfo:
    notebook: str
    title: str
    audience: str
    summary: str


#: The facilitators' app; on a shared server only they see it listed.
COHORT_DASHBOARD = "cohort_dashboard.ipynb"

#: Every app of the workbook, in the order a partnership meets them.
APPS: tuple[AppInfo, ...] = (
    AppInfo(
        "first_session_agreement.ipynb",
        "First-session agreement",
        "both partners",
        "Where a new pair starts, at its first session: confidentiality, expectations, "
        "logistics and goals; book your sessions and take them to your calendar.",
    ),
    AppInfo(
        "lifestyle_satisfaction_index.ipynb",
        "Lifestyle Satisfaction Index",
        "each person",
        "Rate how satisfied you are with each area of your life and how much it matters; see "
        "where to focus, and how it changed since last time.",
    ),
    AppInfo(
        "personal_change_plan.ipynb",
        "Personal Change Plan",
        "each person",
        "Plan the change you want to make: goal, steps, support, obstacles, milestones and "
        "what success looks like at five levels.",
    ),
    AppInfo(
        "session_prep.ipynb",
        "Prepare for a session",
        "the person being coached",
        "Purpose, outcomes and process for your next session; follow up last time's "
        "commitments; pick questions for your coach.",
    ),
    AppInfo(
        "session_log.ipynb",
        "Session log",
        "both partners, after each session",
        "Record the session: held or not, who coached whom, commitments kept and made, your "
        "goals' levels, feedback and the session check.",
    ),
    AppInfo(
        "courageous_conversation.ipynb",
        "Courageous conversation",
        "a person whose partnership is not working",
        "Prepare privately what you want to say, record what you agreed and when to look at it "
        "again, or end the partnership and note what you learned.",
    ),
    AppInfo(
        "my_progress.ipynb",
        "My progress",
        "each person and their partner",
        "Charts across sessions: goal attainment, commitments kept, meeting regularly, life "
        "satisfaction and session checks, each in words and numbers too.",
    ),
    AppInfo(
        "my_data.ipynb",
        "My data",
        "each person",
        "Everything the workbook keeps about you, field by field, with who can see it; share an "
        "item with your partner or keep it private, export it all, or delete yourself.",
    ),
    AppInfo(
        COHORT_DASHBOARD,
        "Cohort dashboard",
        "facilitators",
        "Who meets regularly, who keeps commitments, who is lapsing: headline figures, a week "
        "grid, distributions and flags, without anyone's private notes; pair people, at the "
        "foot of the page.",
    ),
)


def available(notebooks: Path) -> list[AppInfo]:
    """The apps whose notebooks are present in ``notebooks``."""
    return [app for app in APPS if (notebooks / app.notebook).is_file()]
