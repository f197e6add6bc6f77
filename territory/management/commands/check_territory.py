from django.core.management.base import BaseCommand, CommandError

from territory.coverage import coverage_problems


class Command(BaseCommand):
    help = "Check that streets tile each district, communities each street and grids each community."

    def handle(self, *args, **options):
        problems = coverage_problems()
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problem(s)")
        self.stdout.write(self.style.SUCCESS("every point of every district falls in exactly one grid"))
