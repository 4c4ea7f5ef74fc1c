var VARIANT = {};
