var VARIANT = {ticketsNeverArrive: true, seatsHtml: ''};
