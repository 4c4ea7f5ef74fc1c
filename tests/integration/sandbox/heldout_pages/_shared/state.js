// Held-out pages: the little state a real site keeps server-side, kept in cookies here.
window.HD = {
  get: function (name) {
    var m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : '';
  },
  set: function (name, value) {
    document.cookie = name + '=' + encodeURIComponent(value) + '; path=/';
  },
  param: function (name) {
    return new URLSearchParams(location.search).get(name) || '';
  },
  // Tell the test server an action happened (the only trace a click leaves server-side here).
  ping: function (what) { return fetch('/_heldout/ping/' + what, {cache: 'no-store'}); },
  here: function () { return location.pathname + location.search; },
  // Send a visitor without a session to the sign-in page, coming back here afterwards.
  needSession: function (signinPath) {
    if (HD.get('hd_user')) { return true; }
    location.replace((signinPath || '/signin') + (signinPath && signinPath.indexOf('?') >= 0 ? '&' : '?')
      + 'continue=' + encodeURIComponent(HD.here()));
    return false;
  },
  // Render html into the element with this id after ms milliseconds (content arriving late).
  later: function (id, ms, html, then) {
    setTimeout(function () {
      document.getElementById(id).innerHTML = html;
      if (then) { then(); }
    }, ms);
  }
};
