var VARIANT = {
  seatsHtml: '<div class="tickets">'
    + '<div class="ticket"><div class="lbl">Section</div><div class="val">104</div><div class="lbl">Row</div><div class="val">12</div><div class="lbl">Seat</div><div class="val">7</div></div>'
    + '<div class="ticket"><div class="lbl">Section</div><div class="val">104</div><div class="lbl">Row</div><div class="val">12</div><div class="lbl">Seat</div><div class="val">8</div></div>'
    + '</div>'
};
