var VARIANT = {
  alreadyOwned: true,
  delay: 700,
  detailHtml: '<div class="notice notice-info"><h2>Nothing left to do</h2>'
    + '<p>These tickets were already claimed on this account on Sep 3, 2026.</p>'
    + '<p>Football vs. Riverside · Sec 104 Row 12 Seats 7-8</p><a href="/myaccount">View my tickets</a></div>',
  seatsHtml: '<p>Sec 104, Row 12, Seat 7</p><p>Sec 104, Row 12, Seat 8</p>'
};
