"""Pages: jury review (reviewers and staff) and the staff decision board.

A reviewer sees only their own scores; on a blind fair they never see who applied (name,
photo, cooperative, contact details): the pages say "Applicant #<number>". Staff see
everything, every score, and decide through ``services.applications_decide``.
"""

from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views import View
from django.views.generic import FormView, TemplateView

from core.errors import DomainError
from core.permissions import StaffRequiredMixin, is_reviewer, is_staff_member
from fairs.models import Fair
from registrations import review as selectors
from registrations import services
from registrations.forms.review import DECISION_CHOICES, BoardFilterForm, DecisionForm, ScoreForm
from registrations.models import Application, Review


class ReviewerRequiredMixin(AccessMixin):
    """Jury pages: reviewers and staff; anonymous users go to login, others get 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not (is_reviewer(request.user) or is_staff_member(request.user)):
            raise PermissionDenied
        self.staff = is_staff_member(request.user)
        self.load_objects(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load_objects(self, **kwargs):
        """Fetch what the page is about, once the user may see such pages at all."""


def applicant_label(application: Application, *, blind: bool) -> str:
    if blind:
        return _("Applicant #%(number)s") % {"number": application.pk}
    return application.artisan.display_name


def _names(applications) -> str:
    return pgettext("list separator", ", ").join(a.artisan.display_name for a in applications)


def _safe_next(request, default: str) -> str:
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


def _with_selection(url: str, ids) -> str:
    """``url`` with the ``applications`` query parameter replaced by ``ids`` (kept ticked)."""
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    query.setlist("applications", [str(pk) for pk in ids])
    return urlunsplit(parts._replace(query=query.urlencode()))


# --- Reviewers --------------------------------------------------------------------------


class ReviewHomeView(ReviewerRequiredMixin, TemplateView):
    template_name = "registrations/review/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["fairs"] = list(selectors.review_fairs(self.request.user))
        return context


class ReviewFairView(ReviewerRequiredMixin, TemplateView):
    template_name = "registrations/review/fair.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fair = get_object_or_404(Fair, pk=self.kwargs["fair_pk"])
        review_open = fair.status in selectors.REVIEW_FAIR_STATUSES
        applications = []
        if review_open or self.staff:
            applications = list(selectors.review_list(fair, self.request.user, staff=self.staff))
        scored = sum(1 for a in applications if a.my_score is not None)
        todo_only = self.request.GET.get("todo") == "1"
        context.update(
            fair=fair,
            staff=self.staff,
            blind=fair.blind_review and not self.staff,
            review_open=review_open,
            applications=[a for a in applications if a.my_score is None] if todo_only else applications,
            total=len(applications),
            scored=scored,
            todo_only=todo_only,
            next_todo=next((a for a in applications if a.my_score is None), None),
        )
        return context


class ReviewApplicationView(ReviewerRequiredMixin, FormView):
    """One application as the jury sees it, with the score form; staff also see every
    score, the reviewers' comments and the decision buttons."""

    template_name = "registrations/review/application.html"
    form_class = ScoreForm

    def load_objects(self, **kwargs):
        try:
            self.application = selectors.application_for_review(kwargs["pk"])
        except Application.DoesNotExist as exc:
            raise Http404 from exc
        self.fair = self.application.fair
        self.can_score = (
            self.application.status in selectors.REVIEWABLE_STATUSES
            and self.fair.status in selectors.REVIEW_FAIR_STATUSES
            and self.application.artisan.user_id != self.request.user.pk  # not one's own
        )
        if not self.staff and not self.can_score:
            # A reviewer sees an application only while it is theirs to score.
            raise Http404

    @property
    def blind(self) -> bool:
        return self.fair.blind_review and not self.staff

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["fair"] = self.fair
        return kwargs

    def get_initial(self):
        mine = Review.objects.filter(application=self.application, reviewer=self.request.user).first()
        return {"score": mine.score, "comment": mine.comment} if mine else {}

    def form_valid(self, form):
        try:
            services.review_save(
                application=self.application,
                reviewer=self.request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        label = applicant_label(self.application, blind=self.blind)
        following = selectors.next_to_score(self.fair, self.request.user, after=self.application)
        if following is None:
            messages.success(
                self.request,
                _("Your score for %(applicant)s was saved. You have scored every application of this fair.")
                % {"applicant": label},
            )
            return redirect("registrations:review_fair", fair_pk=self.fair.pk)
        messages.success(
            self.request,
            _("Your score for %(applicant)s was saved. Here is the next application to score.")
            % {"applicant": label},
        )
        return redirect("registrations:review_application", pk=following.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.application
        artisan = application.artisan
        context.update(
            application=application,
            artisan=artisan,
            fair=self.fair,
            staff=self.staff,
            blind=self.blind,
            label=applicant_label(application, blind=self.blind),
            can_score=self.can_score,
            application_languages=selectors.language_labels(application.languages),
            artisan_languages=selectors.language_labels(artisan.languages),
            international=self.fair.scope in (Fair.Scope.NATIONAL, Fair.Scope.INTERNATIONAL)
            or self.fair.asks_passport
            or self.fair.asks_languages
            or self.fair.asks_export,
        )
        if self.staff:
            allowed = services.TRANSITIONS[application.status]
            context.update(
                reviews=list(application.reviews.select_related("reviewer").order_by("created_at", "pk")),
                summary=selectors.score_summary(application),
                first_timer=Application.objects.filter(pk=application.pk)
                .annotate(first_timer=selectors.is_first_timer())
                .values_list("first_timer", flat=True)
                .get(),
                decisions=[
                    (value, label)
                    for value, label in DECISION_CHOICES
                    if services.DECISIONS[value] in allowed
                ],
                decisions_open=self.fair.status in services.DECISION_FAIR_STATUSES,
            )
        return context


# --- Staff decision board ---------------------------------------------------------------


class DecisionBoardView(StaffRequiredMixin, TemplateView):
    template_name = "registrations/review/decision_board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fair = get_object_or_404(Fair, pk=self.kwargs["fair_pk"])
        query = self.request.GET.copy()
        selected = {int(v) for v in query.getlist("applications") if v.isdigit()}
        query.pop("applications", None)
        filters = BoardFilterForm(query or None, counts=selectors.status_counts(fair))
        if filters.is_bound and not filters.is_valid():
            applications = []
        else:
            data = filters.cleaned_data if filters.is_bound else {}
            applications = list(
                selectors.decision_board(
                    fair, status=data.get("status", ""), order=data.get("sort") or "score"
                )
            )
        quotas, preview = selectors.fair_quotas(fair, also_selecting=selected)
        context.update(
            fair=fair,
            filter_form=filters,
            applications=applications,
            selected=selected,
            quotas=quotas,
            preview=preview,
            quota_rows=list(
                zip(quotas.shares, preview.shares if preview else [None] * len(quotas.shares), strict=True)
            ),
            decision_choices=DECISION_CHOICES,
            decisions_open=fair.status in services.DECISION_FAIR_STATUSES,
            next_url=f"{self.request.path}?{query.urlencode()}" if query else self.request.path,
        )
        return context


class DecideView(StaffRequiredMixin, View):
    """POST only: accept, waitlist or reject the ticked applications, all or nothing
    (``services.applications_decide``); or, with ``preview``, show the quotas as they
    would be if the ticked applications were accepted."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        fair = get_object_or_404(Fair, pk=kwargs["fair_pk"])
        board = reverse("registrations:decision_board", kwargs={"fair_pk": fair.pk})
        next_url = _safe_next(request, board)
        form = DecisionForm(request.POST, fair=fair)
        ticked = [v for v in request.POST.getlist("applications") if v.isdigit()]
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(_with_selection(next_url, ticked))
        chosen = sorted(form.cleaned_data["applications"], key=lambda a: a.pk)
        if form.cleaned_data["preview"]:
            return HttpResponseRedirect(_with_selection(next_url, [a.pk for a in chosen]))
        decision = form.cleaned_data["decision"]
        try:
            services.applications_decide(
                applications=chosen, decision=decision, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            if exc.code == "illegal_transition":
                # The service's message already names each artisan whose state forbids it.
                text = _("%(reason)s Nothing was decided.") % {"reason": exc.message}
            else:
                text = _("Nothing was decided for %(names)s: %(reason)s") % {
                    "names": _names(chosen),
                    "reason": exc.message,
                }
            messages.error(request, text)
            return HttpResponseRedirect(_with_selection(next_url, [a.pk for a in chosen]))
        count = len(chosen)
        done = {
            "accept": ngettext(
                "%(count)d application accepted: %(names)s. The artisan was sent an offer to confirm.",
                "%(count)d applications accepted: %(names)s. Each artisan was sent an offer to confirm.",
                count,
            ),
            "waitlist": ngettext(
                "%(count)d application waitlisted: %(names)s.",
                "%(count)d applications waitlisted: %(names)s.",
                count,
            ),
            "reject": ngettext(
                "%(count)d application rejected: %(names)s.",
                "%(count)d applications rejected: %(names)s.",
                count,
            ),
        }[decision]
        messages.success(request, done % {"count": count, "names": _names(chosen)})
        return HttpResponseRedirect(_with_selection(next_url, []))


urlpatterns = [
    path("review/", ReviewHomeView.as_view(), name="review_home"),
    path("review/fairs/<int:fair_pk>/", ReviewFairView.as_view(), name="review_fair"),
    path("review/applications/<int:pk>/", ReviewApplicationView.as_view(), name="review_application"),
    path("staff/fairs/<int:fair_pk>/applications/", DecisionBoardView.as_view(), name="decision_board"),
    path("staff/fairs/<int:fair_pk>/applications/decide/", DecideView.as_view(), name="decide"),
]
