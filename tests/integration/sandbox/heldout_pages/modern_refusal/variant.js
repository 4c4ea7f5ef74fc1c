var VARIANT = {seatsHtml: ''};
