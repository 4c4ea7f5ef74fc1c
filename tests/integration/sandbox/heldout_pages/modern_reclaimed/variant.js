var VARIANT = {
  delay: 500,
  detailHtml: '<div class="alert alert-warning" role="alert"><h2>Transfer unavailable</h2>'
    + '<p>The sender has cancelled this transfer and the tickets went back to their account.</p></div>',
  seatsHtml: ''
};
