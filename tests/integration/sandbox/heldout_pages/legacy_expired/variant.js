var VARIANT = {
  transferPage: '<table border="0" cellpadding="3" width="100%"><tr><td><b>TICKET TRANSFER</b></td></tr>'
    + '<tr><td><font color="#990000">This transfer offer has expired. It was not accepted within the time allowed '
    + 'and the tickets have been returned to the sender.</font></td></tr>'
    + '<tr><td><a href="/cgi-bin/ncommerce3/EVExecMacro?linkID=hdlegacy&evm=myac">My Account</a></td></tr></table>'
};
