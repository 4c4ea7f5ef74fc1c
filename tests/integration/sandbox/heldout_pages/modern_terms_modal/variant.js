var VARIANT = {
  seatsHtml: '<table class="tix"><thead><tr><th>Sec</th><th>Row</th><th>Seat</th></tr></thead><tbody>'
    + '<tr><td>104</td><td>12</td><td>7</td></tr><tr><td>104</td><td>12</td><td>8</td></tr></tbody></table>'
};
