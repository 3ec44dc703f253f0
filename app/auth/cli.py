"""Command-line tasks: `flask --app wsgi users ...`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.auth.services import email_problem, password_problem, user_by_email
from app.models import Role
from app.people.services import (
    ROLE_LABELS,
    PersonError,
    create_person,
    list_people,
    person_status,
    school_by_name,
)

users_cli = AppGroup("users", help="People accounts.")


def _read_password(email: str) -> str:
    """Ask twice at a terminal; otherwise read one line, so scripts can pipe a password in."""
    if sys.stdin.isatty():
        while True:
            password = click.prompt(
                "Password (10 characters or more)", hide_input=True, confirmation_prompt=True
            )
            problem = password_problem(password, email)
            if problem is None:
                return password
            click.echo(problem, err=True)
    password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(problem)
    return password


@users_cli.command("create-coordinator")
@click.argument("email")
@click.option("--name", required=True, help="Their full name.")
@click.option("--school", "school_name", help="The name of their school, if they have one.")
@click.option("--job-title", default="", help="For example, Partnership coordinator.")
def create_coordinator(email: str, name: str, school_name: str | None, job_title: str) -> None:
    """Add a coordinator with a password (read from stdin).

    At a terminal the password is asked for twice; otherwise the first line of stdin is used.
    """
    # Check everything else first, so nobody types a password only to be turned away.
    problem = email_problem(email)
    if problem:
        raise click.ClickException(problem)
    if user_by_email(email) is not None:
        raise click.ClickException(f"There is already a person with the email {email.strip()}")
    school = None
    if school_name:
        school = school_by_name(school_name)
        if school is None:
            raise click.ClickException(f"No school is called {school_name!r}")
    password = _read_password(email)
    try:
        user = create_person(
            name=name,
            email=email,
            role=Role.COORDINATOR,
            school=school,
            job_title=job_title,
            password=password,
        )
    except PersonError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created coordinator {user.name} <{user.email}>; they can sign in now.")


@users_cli.command("list")
def list_users() -> None:
    """List everyone: email, name, role, status, school.

    One person a line, tab-separated, sorted by name; the count goes to stderr.
    """
    page, shown = 1, 0
    while True:
        people = list_people(page=page, per_page=500)
        for user in people.items:
            school = user.school.name if user.school else ""
            status = person_status(user).label
            click.echo(f"{user.email}\t{user.name}\t{ROLE_LABELS[user.role]}\t{status}\t{school}")
        shown += len(people.items)
        if not people.has_next:
            break
        page += 1
    click.echo(f"{shown} {'person' if shown == 1 else 'people'}", err=True)
