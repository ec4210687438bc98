/* global window, document, navigator, fetch, PublicKeyCredential */
// "Sign in with a passkey" on the login page (views/login.eta). Served from
// /assets so the CSP's script-src stays 'self' with no inline script. Asks
// the server for request options, lets the browser find a passkey for this
// site (navigator.credentials.get), and posts its answer with the form, which
// finishes the sign-in on the server. Without WebAuthn the form stays hidden.
(function () {
  'use strict';
  var form = document.getElementById('passkey-form');
  if (!form || !window.PublicKeyCredential || !PublicKeyCredential.parseRequestOptionsFromJSON) return;
  var error = document.getElementById('passkey-error');
  document.getElementById('passkey').hidden = false;
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
        error.textContent = 'No passkey was used. Try again, or sign in with your password.';
        error.hidden = false;
      });
  });
})();
