// LTI pages: no inline scripts (CSP script-src 'self').
(function () {
  "use strict";

  // Deep linking: post the signed answer back to the LMS at once.
  var back = document.getElementById("lti-deep-link-return");
  if (back) {
    back.submit();
    return;
  }

  // Login initiation: go on if this page can keep cookies (or is not framed); otherwise show the
  // "open in a new window" fallback.
  var check = document.getElementById("lti-cookie-check");
  if (!check) {
    return;
  }
  var continueUrl = check.getAttribute("data-continue-url");
  var framed;
  try {
    framed = window.self !== window.top;
  } catch (e) {
    framed = true;
  }
  // The server set this cookie with the state cookie's attributes: if it is not here, the
  // browser drops cookies in this frame and the launch would fail.
  var kept = document.cookie.indexOf("pma_lti_cookie_check=1") !== -1;
  if (!framed || kept) {
    window.location.replace(continueUrl);
    return;
  }
  document.getElementById("lti-cookies-blocked").hidden = false;
})();
