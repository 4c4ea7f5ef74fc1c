var VARIANT = {seatsHtml: '<p>Section 104 Row 12 Seat 7</p><p>Section 104 Row 12 Seat 8</p>'};
