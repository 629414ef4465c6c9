// Fills hidden `browser_time_zone` fields (sign-in, accepting an invitation) with the browser's
// IANA time zone, which becomes the user's default until they choose one on their profile page.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    zone = "";
  }
  document.querySelectorAll('input[name="browser_time_zone"]').forEach(function (field) {
    field.value = zone;
  });
})();
