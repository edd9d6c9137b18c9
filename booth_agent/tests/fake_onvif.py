"""A stand-in for an IP camera's ONVIF device and event services, enough for a PullPoint
subscription through the real ONVIF client (onvif-zeep-async): GetServices, CreatePullPointSubscription,
PullMessages (the queued notifications, then none), Renew, Unsubscribe."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NS = ('xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
      'xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tev="http://www.onvif.org/ver10/events/wsdl" '
      'xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" xmlns:wsa5="http://www.w3.org/2005/08/addressing"')


def envelope(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope {NS}><s:Body>{body}</s:Body></s:Envelope>'.encode()


def notification(topic: str, data: dict[str, str], operation: str = "Changed", when: str = "2026-12-03T10:00:00Z"):
    items = "".join(f'<tt:SimpleItem Name="{k}" Value="{v}"/>' for k, v in data.items())
    return (f'<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/'
            f'ConcreteSet">{topic}</wsnt:Topic><wsnt:Message><tt:Message UtcTime="{when}" '
            f'PropertyOperation="{operation}"><tt:Source><tt:SimpleItem Name="Rule" Value="Border"/></tt:Source>'
            f'<tt:Data>{items}</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>')


class FakeOnvifCamera:
    def __init__(self):
        self.pending: list[str] = []  # notification XML fragments for the next PullMessages
        self.calls: list[str] = []
        self.lock = threading.Lock()
        camera = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                answer = camera.answer(body)
                self.send_response(200 if answer else 500)
                self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
                data = answer or envelope("<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code>"
                                          "<s:Reason><s:Text xml:lang=\"en\">not supported</s:Text></s:Reason></s:Fault>")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def answer(self, body: str) -> bytes | None:
        now = datetime.now(UTC).replace(microsecond=0)
        times = (f"<tev:CurrentTime>{now.isoformat().replace('+00:00', 'Z')}</tev:CurrentTime>"
                 f"<tev:TerminationTime>{(now + timedelta(seconds=60)).isoformat().replace('+00:00', 'Z')}"
                 f"</tev:TerminationTime>")
        for name in ("GetServices", "CreatePullPointSubscription", "PullMessages", "Renew", "Unsubscribe"):
            if f":{name}" in body or f"<{name}" in body:
                break
        else:
            return None
        with self.lock:
            self.calls.append(name)
            if name == "GetServices":
                services = "".join(
                    f"<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{self.base}{path}</tds:XAddr>"
                    "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>"
                    for ns, path in (("http://www.onvif.org/ver10/device/wsdl", "/onvif/device_service"),
                                     ("http://www.onvif.org/ver10/events/wsdl", "/onvif/events")))
                return envelope(f"<tds:GetServicesResponse>{services}</tds:GetServicesResponse>")
            if name == "CreatePullPointSubscription":
                return envelope("<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa5:Address>"
                                f"{self.base}/onvif/pullpoint/1</wsa5:Address></tev:SubscriptionReference>"
                                f"{times.replace('tev:', 'wsnt:')}</tev:CreatePullPointSubscriptionResponse>")
            if name == "PullMessages":
                messages, self.pending = "".join(self.pending), []
                return envelope(f"<tev:PullMessagesResponse>{times}{messages}</tev:PullMessagesResponse>")
            if name == "Renew":
                return envelope(f"<wsnt:RenewResponse>{times.replace('tev:', 'wsnt:')}</wsnt:RenewResponse>")
            return envelope("<wsnt:UnsubscribeResponse/>")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
