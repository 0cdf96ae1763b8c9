"""`kehu demo-data --customers N [--seed S] [--reset]`: realistic zh_CN demo data."""

from time import perf_counter

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kehu.demo import generate as demo


class Command(BaseCommand):
    help = ("Generate realistic zh_CN demo data: offices, demo users, customer cards with key people, "
            "products, a year of orders and returns, credit limits and pending approvals, and the receivables: "
            "invoices, receipts, promises to pay and collection plans.")

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=demo.DEFAULT_CUSTOMERS,
                            help="How many customers to create (default %(default)s).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--reset", action="store_true",
                            help="First delete all customers, users, offices and other Kehu records.")

    def handle(self, *args, customers, seed, reset, **options):
        if customers < 0:
            raise CommandError(_("--customers must be zero or more."))
        started = perf_counter()
        verbose = options["verbosity"] > 1
        if reset:
            demo.reset(stdout=self.stdout)
        try:
            result = demo.generate(customers=customers, seed=seed, stdout=self.stdout if verbose else None)
        except demo.DemoDataExists as exc:
            raise CommandError(str(exc)) from exc
        elapsed = perf_counter() - started
        if options["verbosity"] > 0:
            self.stdout.write(self.style.SUCCESS(
                _("Demo data: %(customers)d customers, %(key_people)d key people, %(notes)d notes, "
                  "%(events)d events, %(reassignments)d reassignments; %(offices)d offices, %(users)d users "
                  "(%(salespeople)d salespeople) in %(seconds).1f s.") % {**result, "seconds": elapsed}
            ))
            if result.get("orders") is not None:
                self.stdout.write(_("Trade: %(products)d products, %(orders)d orders, %(returns)d returns, "
                                    "%(credit_accounts)d credit limits, %(pending_requests)d credit requests "
                                    "waiting for approval.") % result)
            if result.get("invoices") is not None:
                self.stdout.write(_("Receivables: %(invoices)d invoices, %(payments)d payments, %(promises)d "
                                    "promises to pay, %(collection_plans)d collection plans.") % result)
            self.stdout.write(_("Steps (s): %(steps)s") % {
                "steps": ", ".join(f"{name} {value}" for name, value in result["seconds"].items())
            })
            self.stdout.write(_("Demo logins: gm, vp, admin, service, finance, manager1…, director1…, sales1… "
                                "— password: %(password)s") % {"password": result["password"]})
        return None
