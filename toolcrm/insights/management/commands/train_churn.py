"""``manage.py train_churn``: train a new churn model version on a time split, print its
out-of-time evaluation beside the plain 90-day rule, make it active and (unless
``--no-rescore``) rescore every customer with it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from toolcrm.insights import churn, services


class Command(BaseCommand):
    help = "Train and evaluate the churn model (time split), store it as the active version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-rescore", action="store_true", help="do not rescore customers afterwards"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            model = services.train_churn_model()
        except churn.ChurnTrainingError as error:
            raise CommandError(f"not enough history to train: {error}") from error
        evaluation = model.metrics["evaluation"]
        training = model.metrics["training"]
        write = self.stdout.write
        write(
            f"churn model v{model.version} ({model.algorithm}, scikit-learn "
            f"{model.sklearn_version}); label: no purchase in the "
            f"{training['horizon_days']} days after the cut-off"
        )
        write(
            f"trained on features at {evaluation['train_cutoff']}: "
            f"{training['customers']} customers, {training['positives']} churned"
        )
        write(
            f"evaluated on features at {evaluation['eval_cutoff']} against the following "
            f"{training['horizon_days']} days: {evaluation['customers']} customers, "
            f"{evaluation['positives']} churned (base rate {evaluation['base_rate']:.1%})"
        )
        write(f"{'':34}{'ROC-AUC':>9}{'precision@top10%':>19}")
        for label, figures in (
            ("model (logistic regression)", evaluation["model"]),
            (f"rule (no purchase > {training['horizon_days']} days)", evaluation["rule"]),
        ):
            write(f"{label:34}{figures['roc_auc']:>9.3f}{figures['precision_top_decile']:>19.3f}")
        write(
            f"stored v{model.version} (active), refitted on the {evaluation['eval_cutoff']} "
            f"snapshot: {training['refit_customers']} customers, "
            f"{training['refit_positives']} churned"
        )
        if not options["no_rescore"]:
            result = services.recompute_scores()
            write(
                f"rescored {result.churn_scored} customers with v{model.version} "
                f"in {result.seconds:.1f} s"
            )
