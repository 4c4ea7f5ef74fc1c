var VARIANT = {
  delay: 900,
  detailHtml: '<div class="alert" role="alert"><h2>This transfer isn\'t for this account</h2>'
    + '<p>You are signed in as {user}, but these tickets were sent to a different email address. '
    + 'Sign out and sign in with the email address the transfer was sent to.</p>'
    + '<a id="primary-nav-link-sign-out" href="/signin">Sign out</a></div>',
  seatsHtml: ''
};
