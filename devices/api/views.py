"""The device API: one endpoint per kind of event, all stored before they are acted on and
idempotent by the device's event_id. Devices authenticate with their own credential."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core import geo
from core.api.common import ErrorSerializer, error_body, exception_handler
from devices.api.authentication import DeviceCredentialAuthentication, IsDevice
from devices.api.serializers import (
    DeviceCaptureInputSerializer,
    DeviceDetectionBatchInputSerializer,
    DeviceDetectionInputSerializer,
    DeviceDocumentInputSerializer,
    DeviceEventBatchOutputSerializer,
    DeviceEventOutputSerializer,
    DeviceHeartbeatInputSerializer,
    DevicePositionInputSerializer,
)
from devices.models import BORDER_CAMERA_KINDS, DeviceKind, EventKind, EventStatus
from devices.services import Incoming, device_event_accept, device_events_accept

_TAGS = ["devices"]
_RESPONSES = {
    201: DeviceEventOutputSerializer,
    200: OpenApiResponse(DeviceEventOutputSerializer, description="The same event_id was sent before: its first result."),
    202: OpenApiResponse(DeviceEventOutputSerializer, description="Stored; acting on it failed and will be retried when "
                                                            "the device sends it again."),
    401: OpenApiResponse(ErrorSerializer, description="Unknown, malformed or revoked device credential."),
    403: OpenApiResponse(ErrorSerializer, description="This kind of device may not send this event, or the booth or "
                                                      "sector named is not the device's."),
    409: OpenApiResponse(ErrorSerializer, description="Refused by what acts on it (e.g. no open inspection at the "
                                                      "booth for a capture)."),
    413: OpenApiResponse(ErrorSerializer, description="The request body is too large."),
}

_BATCH_RESPONSES = {
    200: OpenApiResponse(DeviceEventBatchOutputSerializer, description="The batch was read: each detection's "
                         "answer (status_code, event, error) in `results`, in the order sent."),
    **{code: _RESPONSES[code] for code in (401, 403, 413)},
}


def _files(prefix_map: dict) -> dict[str, tuple[str, bytes]]:
    return {role: value for role, value in prefix_map.items() if value is not None}


class DeviceEventApi(APIView):
    """Base of the device endpoints (not routed itself)."""

    authentication_classes = [DeviceCredentialAuthentication]
    permission_classes = [IsDevice]
    kind: str = ""
    kinds: frozenset = frozenset()
    def device(self):
        return self.request.auth.device

    def check_kind(self, device) -> None:
        if self.kinds and device.kind not in self.kinds:
            raise PermissionDenied(
                f"a {device.get_kind_display().lower()} does not send {EventKind(self.kind).label.lower()} events",
                code="wrong_device_kind")

    def check_place(self, device, v: dict) -> None:
        booth = v.pop("booth", None)
        if booth is not None and (device.booth is None or device.booth.code != booth.strip().upper()):
            raise PermissionDenied("this booth is not the one the device is registered at", code="not_your_place")
        sector = v.pop("sector", None)
        if sector is not None and (device.sector is None or device.sector.code != sector.strip().upper()):
            raise PermissionDenied("this sector is not the one the device watches", code="not_your_place")

    def incoming_with_clock(self, device, v: dict) -> Incoming:
        sent_at = v.pop("sent_at", None)
        incoming = self.incoming(device, v)
        incoming.sent_at = sent_at
        return incoming

    def incoming(self, device, v: dict) -> Incoming:  # pragma: no cover - every endpoint defines it
        raise NotImplementedError

    def accept(self, request, data):
        """Validate the body, check the device may send it, store it and act on it."""
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        device = self.device()
        self.check_kind(device)
        self.check_place(device, v)
        incoming = self.incoming_with_clock(device, v)
        event, created = device_event_accept(device=device, incoming=incoming)
        code, stored, error = self.outcome(event, created)
        body = DeviceEventOutputSerializer(stored).data
        if error is not None:
            out = error_body(error["code"], error["message"], error["fields"])
            out["event"] = body
            return Response(out, status=code)
        return Response(body, status=code)

    @staticmethod
    def outcome(event, created: bool) -> tuple[int, dict, dict | None]:
        """What the device is answered for a stored event: the status, the event (for
        DeviceEventOutputSerializer) and, when it was refused, the error (code, message, fields)."""
        stored = {
            "event_id": event.event_id, "status": event.status, "received_at": event.received_at,
            "clock_skew_seconds": event.clock_skew_seconds, "flags": event.flags, "result": event.result,
            "error": event.error,
        }
        if event.status == EventStatus.REJECTED:
            error = event.error or {}
            refused = error_body(error.get("code", "rejected"), error.get("message", "refused"), error.get("fields"))
            return error.get("status", 409), stored, refused["error"]
        if event.status == EventStatus.FAILED:
            return status.HTTP_202_ACCEPTED, stored, None
        return (status.HTTP_201_CREATED if created else status.HTTP_200_OK), stored, None


class HeartbeatApi(DeviceEventApi):
    """A device's heartbeat: status, temperature, battery, error codes (three missed: offline)."""

    kind = EventKind.HEARTBEAT

    def incoming(self, device, v):
        return Incoming(kind=self.kind, event_id=v.pop("event_id"), device_time=v.pop("time"), payload=v)

    @extend_schema(tags=_TAGS, request=DeviceHeartbeatInputSerializer, responses=_RESPONSES)
    def post(self, request):
        return self.accept(request, DeviceHeartbeatInputSerializer(data=request.data))


class DocumentReadApi(DeviceEventApi):
    """A travel document read at a booth: the MRZ as read, page images and chip data groups.
    It opens the inspection on the screen of the officer signed in at that booth."""

    kind = EventKind.DOCUMENT
    kinds = frozenset({DeviceKind.DOCUMENT_READER, DeviceKind.CHIP_READER})

    def incoming(self, device, v):
        images = v.pop("images", {}) or {}
        chip = v.pop("chip", {}) or {}
        files = {**_files(images), **_files(chip)}
        payload = {"mrz": v["mrz"], "direction": v.get("direction", ""), "images": sorted(images),
                   "chip": sorted(chip)}
        return Incoming(kind=self.kind, event_id=v["event_id"], device_time=v["time"], payload=payload, files=files)

    @extend_schema(tags=_TAGS, request=DeviceDocumentInputSerializer, responses=_RESPONSES)
    def post(self, request):
        return self.accept(request, DeviceDocumentInputSerializer(data=request.data))


class CaptureApi(DeviceEventApi):
    """A face image or fingerprint images from a booth's camera or scanner, for that booth's open
    inspection (quality and matching run as for captures made on the screen)."""

    kind = EventKind.CAPTURE
    kinds = frozenset({DeviceKind.FACE_CAMERA, DeviceKind.FINGERPRINT_SCANNER})

    def incoming(self, device, v):
        files = {}
        if "image" in v:
            files["face"] = v["image"]
        for finger in v.get("fingers", []):
            files[f"finger_{finger['position']}"] = finger["image"]
        payload = {"modality": v["modality"], "fingers": sorted(f["position"] for f in v.get("fingers", [])),
                   "missing": [dict(m) for m in v.get("missing", [])]}
        return Incoming(kind=self.kind, event_id=v["event_id"], device_time=v["time"], payload=payload, files=files)

    @extend_schema(tags=_TAGS, request=DeviceCaptureInputSerializer, responses=_RESPONSES)
    def post(self, request):
        return self.accept(request, DeviceCaptureInputSerializer(data=request.data))


class DetectionApi(DeviceEventApi):
    """A thermal or surveillance camera's detection: class, count, confidence, position (point,
    or bearing and distance from the camera), track and snapshot. Detections become incidents."""

    kind = EventKind.DETECTION
    kinds = frozenset(BORDER_CAMERA_KINDS)

    def incoming(self, device, v):
        if "latitude" in v:
            lat, lon = v["latitude"], v["longitude"]
        else:
            if device.latitude is None or device.longitude is None:
                raise ValidationError({"bearing_deg": ["this camera has no registered position: send latitude "
                                                       "and longitude"]})
            lat, lon = geo.destination(device.latitude, device.longitude, v["bearing_deg"], v["distance_m"])
        if device.sector is not None and not device.sector.contains(lat, lon):
            raise ValidationError({"latitude": [f"the position lies outside sector {device.sector.code} "
                                                f"(more than {device.sector.buffer_m} m from it)"]})
        detection = {"sector": device.sector, "object_class": v["class_"], "count": v["count"],
                     "confidence": v["confidence"], "latitude": round(lat, 7), "longitude": round(lon, 7),
                     "bearing_deg": v.get("bearing_deg"), "distance_m": v.get("distance_m"),
                     "track_id": v.get("track_id", "")}
        payload = {"class": v["class_"], "count": v["count"], "confidence": v["confidence"],
                   "latitude": detection["latitude"], "longitude": detection["longitude"],
                   "track_id": detection["track_id"]}
        files = {"snapshot": v["snapshot"]} if "snapshot" in v else {}
        return Incoming(kind=self.kind, event_id=v["event_id"], device_time=v["time"], payload=payload,
                        files=files, detection=detection)

    @extend_schema(tags=_TAGS, request=DeviceDetectionInputSerializer, responses=_RESPONSES)
    def post(self, request):
        return self.accept(request, DeviceDetectionInputSerializer(data=request.data))


class DetectionBatchApi(DetectionApi):
    """Up to 100 detections of one camera in one request (a busy camera, or one sending what it
    buffered): each validated, stored and acted on as if sent alone, idempotent by its event_id,
    and answered in `results` in the order sent. 200 once the batch is read, whatever each
    detection's outcome; 400 only for a malformed batch."""

    @extend_schema(tags=_TAGS, request=DeviceDetectionBatchInputSerializer, responses=_BATCH_RESPONSES)
    def post(self, request):
        data = DeviceDetectionBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device = self.device()
        self.check_kind(device)
        one = DeviceDetectionInputSerializer()  # validates each detection in turn (its fields built once)
        checked = [self.check_item(device, one, item) for item in data.validated_data["events"]]
        accepted = iter(device_events_accept(device=device, incomings=[c for c in checked if isinstance(c, Incoming)]))
        results = []
        for answer in checked:
            if isinstance(answer, Incoming):
                event, created = next(accepted)
                code, stored, error = self.outcome(event, created)
                answer = {"event_id": event.event_id, "status_code": code, "event": stored}
                if error is not None:
                    answer["error"] = error
            results.append(answer)
        return Response(DeviceEventBatchOutputSerializer({"results": results}).data, status=status.HTTP_200_OK)

    def check_item(self, device, one, item: dict) -> Incoming | dict:
        """One detection of a batch, validated and placed as the single endpoint does it: what to
        store, or the answer refusing it (400 naming the field, 403 another sector)."""
        event_id = item.get("event_id") if isinstance(item.get("event_id"), str) else ""
        try:
            v = dict(one.run_validation(item))
            self.check_place(device, v)
            return self.incoming_with_clock(device, v)
        except (ValidationError, PermissionDenied) as exc:
            answer = exception_handler(exc, {})
            return {"event_id": event_id, "status_code": answer.status_code, "error": answer.data["error"]}


class PositionApi(DeviceEventApi):
    """A patrol handset's position, status and short message (and the incident it works on)."""

    kind = EventKind.POSITION
    kinds = frozenset({DeviceKind.PATROL_HANDSET, DeviceKind.RADIO_GATEWAY})

    def incoming(self, device, v):
        position = {"latitude": v["latitude"], "longitude": v["longitude"], "accuracy_m": v.get("accuracy_m"),
                    "status": v.get("status", ""), "message": v.get("message", ""), "incident_ref": v.get("incident"),
                    "outcome": v.get("outcome", ""), "persons": v.get("persons")}
        payload = {k: val for k, val in position.items() if val not in (None, "")}
        return Incoming(kind=self.kind, event_id=v["event_id"], device_time=v["time"], payload=payload,
                        position=position)

    @extend_schema(tags=_TAGS, request=DevicePositionInputSerializer, responses=_RESPONSES)
    def post(self, request):
        return self.accept(request, DevicePositionInputSerializer(data=request.data))
