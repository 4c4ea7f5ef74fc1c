var VARIANT = {
  seatsHtml: '<ul class="ticket-list">'
    + '<li><span>Section 104</span> | <span>Row 12</span> | <span>Seat 7</span></li>'
    + '<li><span>Section 104</span> | <span>Row 12</span> | <span>Seat 8</span></li></ul>'
};
