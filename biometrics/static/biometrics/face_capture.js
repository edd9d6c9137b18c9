/* Face capture on the inspection screen: webcam still (getUserMedia) with an
   upload fallback.  Served from the project's static files; no framework. */
(function () {
  "use strict";

  // Status texts come translated from the template (data-text-* on the panel); English otherwise.
  function text(root, key, fallback) {
    var value = root.dataset["text" + key.charAt(0).toUpperCase() + key.slice(1)];
    return value || fallback;
  }

  function csrfToken(root) {
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function swapResults(root, html) {
    var target = document.querySelector(root.dataset.results);
    if (!target) return;
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    if (!fresh) return;
    target.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  }

  function send(root, formData, status) {
    status.textContent = text(root, "sending", "Checking the image...");
    return fetch(root.dataset.captureUrl, {
      method: "POST",
      body: formData,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(root), "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.text().then(function (html) {
        swapResults(root, html);
        status.textContent = response.ok ? "" : text(root, "refused", "The image was refused: see the message below.");
      });
    }).catch(function () {
      status.textContent = text(root, "offline", "The server could not be reached: try again.");
    });
  }

  function init(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var video = root.querySelector("[data-face-video]");
    var canvas = root.querySelector("[data-face-canvas]");
    var status = root.querySelector("[data-face-status]");
    var startBtn = root.querySelector("[data-face-action=start]");
    var captureBtn = root.querySelector("[data-face-action=capture]");
    var form = root.querySelector("[data-face-upload]");
    var stream = null;

    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
    }

    startBtn.addEventListener("click", function () {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        status.textContent = text(root, "noCamera", "No camera available in this browser: upload a photo instead.");
        return;
      }
      status.textContent = text(root, "starting", "Starting the camera...");
      navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          captureBtn.disabled = false;
          status.textContent = text(root, "cameraOn", "Camera on: ask the traveler to look at the camera, then capture.");
        })
        .catch(function (err) {
          status.textContent = text(root, "cameraError", "Camera unavailable ({error}): upload a photo instead.").replace("{error}", err.name);
        });
    });

    captureBtn.addEventListener("click", function () {
      if (!stream || !video.videoWidth) {
        status.textContent = text(root, "notReady", "The camera is not ready yet.");
        return;
      }
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      captureBtn.disabled = true;
      canvas.toBlob(function (blob) {
        var data = new FormData();
        data.append("kind", "live-camera");
        data.append("image", blob, "capture.jpg");
        send(root, data, status).then(function () { captureBtn.disabled = false; });
      }, "image/jpeg", 0.92);
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(root, new FormData(form), status).then(function () { form.reset(); });
    });

    window.addEventListener("pagehide", stop);
  }

  function initAll() {
    document.querySelectorAll("[data-face-capture]").forEach(init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
  document.addEventListener("htmx:load", initAll);
})();
