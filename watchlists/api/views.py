"""The watchlists API: screening, lists and entries, imports, hits."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.common import Pagination, error_body
from watchlists.api import serializers as s
from watchlists.filters import HitFilter
from watchlists.hooks import hit_context
from watchlists.models import (
    DocumentEntry,
    Hit,
    ImportJob,
    PersonEntry,
    VehicleEntry,
    Watchlist,
)
from watchlists.selectors import (
    entries_of_list,
    false_positive_rates,
    hits_for_api,
    person_entries_matching,
    watchlists_visible,
)
from watchlists.services import (
    ImportPreviewChanged,
    document_entry_create,
    document_entry_update,
    entry_deactivate,
    hit_adjudicate,
    import_job_confirm,
    import_job_create,
    import_job_preview,
    person_entry_create,
    person_entry_update,
    screen_document,
    screen_person,
    screen_vehicle,
    vehicle_entry_create,
    vehicle_entry_update,
    watchlist_create,
    watchlist_update,
)


def _outcome(outcome) -> dict:
    """The answer body. The services build it in the shape of ``s.ScreeningOutput`` (the schema;
    a test checks every answer against it), so it is not serialized a second time."""
    return {"hits": outcome.hits, "unavailable_lists": outcome.unavailable_lists,
            "screened_lists": outcome.screened_lists}


class ScreenPersonApi(APIView):
    """Screen a person's names (any script, ICAO MRZ included) with date of birth, nationality and
    gender against every list the caller may see. Hits are stored (pending) and returned, best
    first, each with an explanation. Lists that are being imported or unavailable are named in
    `unavailable_lists`; the others still answer."""

    required_scopes = {"POST": ["screening:write"]}

    @extend_schema(tags=["screening"], request=s.ScreenPersonInput, responses=s.ScreeningOutput)
    def post(self, request):
        data = s.ScreenPersonInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        outcome = screen_person(
            names=v["names"], date_of_birth=v.get("date_of_birth"), nationality=v.get("nationality"),
            gender=v.get("gender"), document_numbers=v.get("document_numbers") or (), actor=request.user,
        )
        return Response(_outcome(outcome))


class ScreenDocumentApi(APIView):
    """Screen a travel document number (exact after normalisation: fillers, case, spaces, O/0, I/1)
    against the document lists, with the issuing state when given."""

    required_scopes = {"POST": ["screening:write"]}

    @extend_schema(tags=["screening"], request=s.ScreenDocumentInput, responses=s.ScreeningOutput)
    def post(self, request):
        data = s.ScreenDocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        outcome = screen_document(number=v["number"], issuing_state=v.get("issuing_state"),
                                  document_type=v.get("type"), actor=request.user)
        return Response(_outcome(outcome))


class ScreenVehicleApi(APIView):
    """Screen a vehicle plate (exact after normalisation) against the vehicle lists."""

    required_scopes = {"POST": ["screening:write"]}

    @extend_schema(tags=["screening"], request=s.ScreenVehicleInput, responses=s.ScreeningOutput)
    def post(self, request):
        data = s.ScreenVehicleInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        outcome = screen_vehicle(plate=v["plate"], country=v.get("country"), actor=request.user)
        return Response(_outcome(outcome))


class WatchlistListApi(APIView):
    required_scopes = {"GET": ["watchlists:read"], "POST": ["watchlists:write"]}

    @extend_schema(tags=["watchlists"], responses=s.WatchlistSerializer(many=True))
    def get(self, request):
        """List the watchlists the caller may see."""
        lists = watchlists_visible(user=request.user)
        return Response(s.WatchlistSerializer(lists, many=True).data)

    @extend_schema(tags=["watchlists"], request=s.WatchlistWrite, responses={201: s.WatchlistSerializer})
    def post(self, request):
        """Create a watchlist owned by the caller's agency (audited)."""
        data = s.WatchlistWrite(data=request.data)
        data.is_valid(raise_exception=True)
        wl = watchlist_create(actor=request.user, owner_agency=request.user.agency, **data.validated_data)
        return Response(s.WatchlistSerializer(wl).data, status=status.HTTP_201_CREATED)


class WatchlistDetailApi(APIView):
    required_scopes = {"GET": ["watchlists:read"], "PATCH": ["watchlists:write"]}

    @extend_schema(tags=["watchlists"], responses=s.WatchlistSerializer)
    def get(self, request, code):
        """Read one watchlist: its action, visibility, validity and availability."""
        wl = get_object_or_404(Watchlist.objects.restrict(request.user, "view"), code=code)
        return Response(s.WatchlistSerializer(wl).data)

    @extend_schema(tags=["watchlists"], request=s.WatchlistWrite, responses=s.WatchlistSerializer)
    def patch(self, request, code):
        """Change a watchlist of the caller's agency (audited; the code stays)."""
        wl = get_object_or_404(Watchlist.objects.restrict(request.user, "change"), code=code)
        data = s.WatchlistWrite(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("code", None)
        wl = watchlist_update(actor=request.user, watchlist=wl, **fields)
        return Response(s.WatchlistSerializer(wl).data)


def _entry_create(*, actor, watchlist, model, values: dict):
    if model is PersonEntry:
        return person_entry_create(actor=actor, watchlist=watchlist, names=values.pop("names", []), **values)
    if model is DocumentEntry:
        return document_entry_create(actor=actor, watchlist=watchlist, number=values.pop("number", ""),
                                     issuing_state=values.pop("issuing_state", ""), status=values.pop("status", ""),
                                     **values)
    return vehicle_entry_create(actor=actor, watchlist=watchlist, plate=values.pop("plate", ""), **values)


def _entry_update(*, actor, entry, values: dict):
    update = {PersonEntry: person_entry_update, DocumentEntry: document_entry_update}.get(type(entry),
                                                                                          vehicle_entry_update)
    return update(actor=actor, entry=entry, **values)


class EntryListApi(ListAPIView):
    """Entries of one list (persons, documents or vehicles); POST adds one (audited; a new person
    entry re-screens recent travelers in the background). One subclass per kind names its model
    and its serializers (read, write), which its schema documents."""

    required_scopes = {"GET": ["watchlists:read"], "POST": ["watchlists:write"]}
    pagination_class = Pagination
    model = PersonEntry
    serializer_class = s.PersonEntrySerializer
    write_serializer = s.PersonEntryWrite

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # drf-spectacular calls this while generating the OpenAPI schema, with no request
            # user or list code: it only needs the model, so an empty queryset of it
            return self.model.objects.none()
        qs = entries_of_list(model=self.model, user=self.request.user, action="view", code=self.kwargs["code"])
        if self.model is PersonEntry:
            qs = person_entries_matching(qs, self.request.query_params.get("q", ""))
        return qs

    def post(self, request, code):
        wl = get_object_or_404(Watchlist.objects.restrict(request.user, "change"), code=code)
        data = self.write_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = _entry_create(actor=request.user, watchlist=wl, model=self.model, values=dict(data.validated_data))
        return Response(self.serializer_class(entry).data, status=status.HTTP_201_CREATED)


_KINDS = {
    "persons": (PersonEntry, s.PersonEntrySerializer, s.PersonEntryWrite),
    "documents": (DocumentEntry, s.DocumentEntrySerializer, s.DocumentEntryWrite),
    "vehicles": (VehicleEntry, s.VehicleEntrySerializer, s.VehicleEntryWrite),
}


def _entry_list_view(kind):
    """The list view of one kind of entry. Each kind gets methods of its own to carry its schema:
    decorating the inherited method would change the one function every kind shares (the last
    kind's schema would then describe all three)."""
    model, out, write = _KINDS[kind]

    @extend_schema(tags=["watchlists"], request=write, responses={201: out},
                   summary=f"Add a {kind[:-1]} entry to a list")
    def post(self, request, code):
        return EntryListApi.post(self, request, code)

    @extend_schema(tags=["watchlists"], summary=f"List the {kind[:-1]} entries of a list",
                   parameters=[OpenApiParameter("q", str, description="name contains (persons)")]
                   if kind == "persons" else None)
    def get(self, request, *args, **kwargs):
        return ListAPIView.get(self, request, *args, **kwargs)

    return type(f"{kind.title()}EntryListApi", (EntryListApi,), {
        "model": model, "serializer_class": out, "write_serializer": write, "post": post, "get": get})


class EntryDetailApi(APIView):
    """Read, change (PATCH) or deactivate (DELETE: the entry is kept, inactive) one entry."""

    required_scopes = {"GET": ["watchlists:read"], "PATCH": ["watchlists:write"], "DELETE": ["watchlists:write"]}
    model = PersonEntry
    serializer_class = s.PersonEntrySerializer
    write_serializer = s.PersonEntryWrite

    def _get(self, request, code, pk, action):
        return get_object_or_404(entries_of_list(model=self.model, user=request.user, action=action, code=code), pk=pk)

    def get(self, request, code, pk):
        return Response(self.serializer_class(self._get(request, code, pk, "view")).data)

    def patch(self, request, code, pk):
        entry = self._get(request, code, pk, "change")
        data = self.write_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        entry = _entry_update(actor=request.user, entry=entry, values=dict(data.validated_data))
        return Response(self.serializer_class(entry).data)

    def delete(self, request, code, pk):
        entry = self._get(request, code, pk, "change")
        entry_deactivate(actor=request.user, entry=entry, reason=request.query_params.get("reason", ""))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _entry_detail_view(kind):
    """The detail view of one kind of entry, with methods of its own (see _entry_list_view)."""
    model, out, write = _KINDS[kind]
    noun = kind[:-1]

    @extend_schema(tags=["watchlists"], responses=out, summary=f"Read a {noun} entry")
    def get(self, request, code, pk):
        return EntryDetailApi.get(self, request, code, pk)

    @extend_schema(tags=["watchlists"], request=write, responses=out, summary=f"Change a {noun} entry")
    def patch(self, request, code, pk):
        return EntryDetailApi.patch(self, request, code, pk)

    @extend_schema(tags=["watchlists"], responses={204: None}, summary=f"Deactivate a {noun} entry",
                   parameters=[OpenApiParameter("reason", str, description="why (audited)")])
    def delete(self, request, code, pk):
        return EntryDetailApi.delete(self, request, code, pk)

    return type(f"{kind.title()}EntryDetailApi", (EntryDetailApi,), {
        "model": model, "serializer_class": out, "write_serializer": write, "get": get, "patch": patch,
        "delete": delete})


class ImportCreateApi(APIView):
    """Upload a file (CSV, UN SC Consolidated List XML or FollowTheMoney JSON lines) to import into
    a list.

    With `dry_run=true` nothing changes: the file is parsed and compared with the list, and the
    answer (201) is a job in status `preview` whose `preview` lists what the import would add,
    change, deactivate and reject, with counts; `POST /imports/{id}/confirm` with its
    `preview.digest` applies exactly that (or nothing). Without `dry_run` the import is queued at
    once (202), as for an automated feed: it runs in the background, all or nothing; poll the job
    for progress and the report. `deactivate_missing` is off unless asked. A file that cannot be
    read as the format is answered 400 with an error on `file`."""

    required_scopes = {"POST": ["watchlists:write"]}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(tags=["watchlists"], request={"multipart/form-data": s.ImportInput},
                   responses={201: s.ImportJobSerializer, 202: s.ImportJobSerializer})
    def post(self, request, code):
        wl = get_object_or_404(Watchlist.objects.restrict(request.user, "change"), code=code)
        data = s.ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["dry_run"]:
            job = import_job_preview(actor=request.user, watchlist=wl, fmt=v["format"], uploaded_file=v["file"],
                                     deactivate_missing=v["deactivate_missing"])
            return Response(s.ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)
        job = import_job_create(actor=request.user, watchlist=wl, fmt=v["format"], uploaded_file=v["file"],
                                deactivate_missing=v["deactivate_missing"])
        job.refresh_from_db()
        return Response(s.ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportConfirmApi(APIView):
    """Apply a previewed import (`dry_run=true`): give the `preview.digest` you reviewed. Answered
    202 and queued; 409 `preview_changed` when the list changed since the preview (the job's
    preview is computed again: review it and confirm its new digest); 400 when the job is not
    awaiting confirmation or the digest is not its preview's."""

    required_scopes = {"POST": ["watchlists:write"]}

    @extend_schema(tags=["watchlists"], request=s.ImportConfirmInput,
                   responses={202: s.ImportJobSerializer})
    def post(self, request, pk):
        job = get_object_or_404(ImportJob.objects.restrict(request.user, "change").select_related("watchlist"), pk=pk)
        data = s.ImportConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            job = import_job_confirm(actor=request.user, job=job, digest=data.validated_data["digest"])
        except ImportPreviewChanged as exc:
            return Response(error_body("preview_changed", exc.messages[0]), status=status.HTTP_409_CONFLICT)
        job.refresh_from_db()
        return Response(s.ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(APIView):
    required_scopes = {"GET": ["watchlists:read"]}

    @extend_schema(tags=["watchlists"], responses=s.ImportJobSerializer)
    def get(self, request, pk):
        """Read an import: its preview, progress and report."""
        job = get_object_or_404(ImportJob.objects.restrict(request.user, "view").select_related("watchlist"), pk=pk)
        return Response(s.ImportJobSerializer(job).data)


class HitListApi(ListAPIView):
    """Hits the caller may see, newest first; filter with `status` and `list` (a list's code). A
    value a filter cannot take is answered 400 with an error on that field."""

    required_scopes = {"GET": ["hits:read"]}
    serializer_class = s.HitSerializer
    pagination_class = Pagination
    filterset_class = HitFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema: no request user
            return Hit.objects.none()
        return hits_for_api(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "hit_context": hit_context(user=request.user, hits=page)}
        return self.get_paginated_response(self.get_serializer_class()(page, many=True, context=context).data)

    @extend_schema(tags=["hits"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class HitAdjudicateApi(APIView):
    """Confirm or dismiss a pending hit (dismissals need a reason code); audited."""

    required_scopes = {"POST": ["hits:write"]}

    @extend_schema(tags=["hits"], request=s.AdjudicateInput, responses=s.HitSerializer)
    def post(self, request, pk):
        hit = get_object_or_404(Hit.objects.restrict(request.user, "adjudicate"), pk=pk)
        data = s.AdjudicateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        hit = hit_adjudicate(actor=request.user, hit=hit, decision=v["decision"], reason=v.get("reason", ""),
                             note=v.get("note", ""))
        return Response(s.HitSerializer(hit).data)


class FalsePositiveRatesApi(APIView):
    """Per visible list: confirmed, dismissed and pending hits, and the share of adjudicated hits
    that were dismissed."""

    required_scopes = {"GET": ["hits:read"]}

    @extend_schema(tags=["hits"], responses=s.FalsePositiveRate(many=True))
    def get(self, request):
        rows = [{**{k: v for k, v in r.items() if k != "watchlist"}, "list": r["watchlist"].code}
                for r in false_positive_rates(user=request.user)]
        return Response(s.FalsePositiveRate(rows, many=True).data)
