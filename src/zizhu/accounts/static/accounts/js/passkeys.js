// Passkeys: add one (navigator.credentials.create) and sign in with one (navigator.credentials.get).
// The server sends options as JSON with binary values in base64url; the browser wants ArrayBuffers,
// and its answer goes back as JSON with base64url again. No inline script (the CSP forbids it).
(function () {
  "use strict";

  function toBuffer(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "===".slice((base64.length + 3) % 4);
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || "");
          error.server = true;
          throw error;
        }
        return data;
      });
    });
  }

  function credentialDescriptors(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBuffer(item.id) });
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBuffer(json.user.id) });
    options.excludeCredentials = credentialDescriptors(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.allowCredentials = credentialDescriptors(json.allowCredentials);
    return options;
  }

  // The browser's PublicKeyCredential as JSON (binary values in base64url), with ``response`` given.
  function credentialJSON(credential, response) {
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: response,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  }

  function registrationJSON(credential) {
    var response = credential.response;
    return credentialJSON(credential, {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: response.getTransports ? response.getTransports() : [],
    });
  }

  function authenticationJSON(credential) {
    var response = credential.response;
    return credentialJSON(credential, {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : undefined,
    });
  }

  function say(button, text) {
    var status = document.getElementById(button.dataset.status || "passkey-status");
    if (status) status.textContent = text;
  }

  function failed(button, error) {
    // A cancelled prompt is a DOMException (NotAllowedError): say so in the page's own words.
    say(button, error && error.server && error.message ? error.message : button.dataset.failed);
    button.disabled = false;
  }

  function supported(button) {
    if (window.PublicKeyCredential && navigator.credentials) return true;
    say(button, button.dataset.unsupported);
    return false;
  }

  function setUpRegister(button) {
    button.addEventListener("click", function () {
      if (!supported(button)) return;
      button.disabled = true;
      say(button, button.dataset.working);
      var nameField = document.getElementById(button.dataset.nameField || "passkey-name");
      post(button.dataset.optionsUrl)
        .then(function (data) {
          return navigator.credentials.create({ publicKey: creationOptions(data.publicKey) });
        })
        .then(function (credential) {
          return post(button.dataset.registerUrl, {
            name: nameField ? nameField.value : "",
            credential: registrationJSON(credential),
          });
        })
        .then(function (data) {
          window.location.assign(data.backup_codes && data.backup_codes.length ? button.dataset.backupUrl : button.dataset.doneUrl);
        })
        .catch(function (error) { failed(button, error); });
    });
  }

  function setUpSignIn(button) {
    button.addEventListener("click", function () {
      if (!supported(button)) return;
      button.disabled = true;
      say(button, button.dataset.working);
      post(button.dataset.optionsUrl)
        .then(function (data) {
          return navigator.credentials.get({ publicKey: requestOptions(data.publicKey) });
        })
        .then(function (credential) {
          return post(button.dataset.signinUrl, { credential: authenticationJSON(credential) });
        })
        .then(function () {
          window.location.assign(button.dataset.next);
        })
        .catch(function (error) { failed(button, error); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-passkey-register]").forEach(setUpRegister);
    document.querySelectorAll("[data-passkey-signin]").forEach(setUpSignIn);
    document.querySelectorAll("[data-passkey-only]").forEach(function (element) {
      element.hidden = !window.PublicKeyCredential;  // nothing to offer without WebAuthn
    });
  });
})();
