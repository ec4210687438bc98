/* global window, document, navigator, fetch, PublicKeyCredential */
// WebAuthn buttons of the sign-in pages, served from /assets so the CSP's
// script-src stays 'self' with no inline script: "Sign in with a passkey" on
// the login page (views/login.eta) and "Use a security key" on the MFA page
// (views/mfa.eta). Each is a form with data-options, the URL of its request
// options (same origin): the script asks for them, lets the browser sign
// (navigator.credentials.get), and posts the answer as webauthn_response with
// the form, which the server checks. Without WebAuthn the forms stay hidden.
(function () {
  'use strict';
  if (!window.PublicKeyCredential || !PublicKeyCredential.parseRequestOptionsFromJSON) return;
  Array.prototype.forEach.call(document.querySelectorAll('form[data-options]'), function (form) {
    var error = document.getElementById(form.dataset.error);
    document.getElementById(form.dataset.wrapper).hidden = false;
    form.addEventListener('submit', function (event) {
      if (form.elements.webauthn_response.value) return;
      event.preventDefault();
      error.hidden = true;
      fetch(form.dataset.options, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', credentials: 'same-origin' })
        .then(function (res) {
          if (!res.ok) throw new Error('options');
          return res.json();
        })
        .then(function (options) {
          return navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
        })
        .then(function (credential) {
          form.elements.webauthn_response.value = JSON.stringify(credential.toJSON());
          form.submit();
        })
        .catch(function () {
          error.textContent = form.dataset.failed;
          error.hidden = false;
        });
    });
  });
})();
