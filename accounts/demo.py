"""Demo organisation Acme AI: its people, roles and teams."""

from django.contrib.auth import get_user_model

from core.demo import DemoContext

from . import services
from .models import Discipline, Membership, Organisation, Role, Team

User = get_user_model()

# username, first name, last name, role, teams
PEOPLE = [
    ("admin", "Ada", "Admin", Role.ADMIN, []),
    ("lead", "Lena", "Lead", Role.LEAD, ["Security Engineering", "ML Platform"]),
    ("lead2", "Leo", "Second-Lead", Role.LEAD, ["Responsible AI"]),
    ("security", "Sam", "Secure", Role.MEMBER, ["Security Engineering"]),
    ("safety", "Sofia", "Safe", Role.MEMBER, ["Responsible AI"]),
    ("platform", "Pat", "Platform", Role.MEMBER, ["ML Platform"]),
    ("auditor", "Audrey", "Auditor", Role.AUDITOR, []),
    ("viewer", "Vic", "Viewer", Role.VIEWER, []),
]

TEAMS = [
    (
        "Security Engineering",
        Discipline.SECURITY,
        "lead",
        "Owns defences against hostile use: prompt injection, jailbreaks, model theft, poisoning, tool abuse.",
    ),
    (
        "Responsible AI",
        Discipline.SAFETY,
        "lead2",
        "Owns harm in normal use: alignment, bias, unsafe content, hallucination, frontier-safety evaluations.",
    ),
    (
        "ML Platform",
        Discipline.BOTH,
        "lead",
        "Builds and runs the model platform; co-owns controls that are both security and safety.",
    ),
]


def seed(ctx: DemoContext) -> None:
    for username, first, last, _role, _teams in PEOPLE:
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        user.first_name, user.last_name, user.email = first, last, f"{username}@acme.example"
        user.is_active = True
        if username == "admin":
            user.is_staff = user.is_superuser = True  # also shows the Django admin
        user.set_password(ctx.password)
        user.save()
        ctx.users[username] = user
    admin = ctx.users["admin"]

    org = Organisation.objects.filter(slug="acme").first()
    if org is None:
        org = services.organisation_create(actor=admin, name="Acme AI", slug="acme")
    ctx.org = org

    for name, discipline, lead, description in TEAMS:
        team = Team.objects.filter(organisation=org, name=name).first()
        if team is None:
            team = services.team_create(
                actor=admin,
                organisation=org,
                data={"name": name, "discipline": discipline, "description": description, "lead": ctx.users[lead]},
                members=[],
            )
        ctx.teams[name] = team

    for username, _first, _last, role, team_names in PEOPLE:
        user = ctx.users[username]
        teams = [ctx.teams[n] for n in team_names]
        membership = Membership.objects.filter(organisation=org, user=user).first()
        if membership is None:
            services.membership_add(actor=admin, organisation=org, user=user, role=role, teams=teams)
        else:
            services.membership_update(actor=admin, membership=membership, role=role, teams=teams)
        ctx.logins.append((username, role.value, ", ".join(team_names)))
    ctx.log(f"  organisation {org.name}: {len(PEOPLE)} people, {len(TEAMS)} teams")
